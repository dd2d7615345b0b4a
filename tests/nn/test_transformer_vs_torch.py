"""The transformer modules against PyTorch: state_dict keys and shapes, initial draws,
outputs and gradients of inputs and every parameter (torch's state_dict copied in,
float64) with every kind of mask, in eval mode and in train mode (dropout 0, and
dropout drawing torch's masks), and a tiny model trained a few steps."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
import optim
from autograd import Tensor

torch = pytest.importorskip("torch")
TF = torch.nn.functional

TOL = dict(atol=1e-10, rtol=1e-8)


def copy_weights(ours, theirs):
    state = {k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()}
    assert list(ours.state_dict()) == list(state)
    for key, value in ours.state_dict().items():
        assert tuple(value.shape) == state[key].shape, key
    ours.load_state_dict(state)


def pair(shape, seed):
    values = np.random.default_rng(seed).normal(size=shape)
    return Tensor(values.copy(), requires_grad=True), torch.tensor(
        values.copy(), requires_grad=True
    )


def to_ours(v):
    return Tensor(v) if isinstance(v, np.ndarray) else v


def to_theirs(v):
    return torch.tensor(v) if isinstance(v, np.ndarray) else v


def compare(ours, theirs, inputs, *args, **kwargs):
    """Forward both (numpy arrays among the arguments become tensors), compare the
    outputs and the gradients of the inputs and of every parameter."""
    out = ours(
        *(a for a, _ in inputs), *map(to_ours, args), **{k: to_ours(v) for k, v in kwargs.items()}
    )
    out_t = theirs(
        *(b for _, b in inputs),
        *map(to_theirs, args),
        **{k: to_theirs(v) for k, v in kwargs.items()},
    )
    assert out.shape == tuple(out_t.shape)
    np.testing.assert_allclose(out.data, out_t.detach().numpy(), **TOL)
    w = np.random.default_rng(3).normal(size=out.shape)
    (out * Tensor(w)).sum().backward()
    (out_t * torch.tensor(w)).sum().backward()
    for a, b in inputs:
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), **TOL)
    mine, other = dict(ours.named_parameters()), dict(theirs.named_parameters())
    assert list(mine) == list(other)
    for name in mine:
        np.testing.assert_allclose(
            mine[name].grad.data, other[name].grad.numpy(), err_msg=name, **TOL
        )
    ours.zero_grad()
    theirs.zero_grad()
    return out


def build(make_ours, make_theirs, seed=0, train=False):
    torch.manual_seed(seed)
    theirs = make_theirs(torch.float64)
    ours = make_ours(np.float64)
    copy_weights(ours, theirs)
    ours.train(train)
    theirs.train(train)
    return ours, theirs


def gelu_tanh(x):
    return x.tanh() * x if isinstance(x, Tensor) else torch.tanh(x) * x


LAYER_CONFIGS = [
    dict(),
    dict(batch_first=True),
    dict(norm_first=True),
    dict(activation="gelu", batch_first=True, norm_first=True),
    dict(activation=gelu_tanh),
    dict(bias=False, layer_norm_eps=1e-3),
]


def masks(L, N, seed, batch_first):
    rng = np.random.default_rng(seed)
    kpm = np.zeros((N, L), bool)
    kpm[0, L - 2 :] = True
    causal = np.triu(np.full((L, L), -np.inf), 1)
    return [
        {},
        dict(src_key_padding_mask=kpm),
        dict(src_mask=causal),
        dict(src_mask=causal, is_causal=True),
        dict(src_mask=rng.random((L, L)) < 0.3),
        dict(src_mask=rng.normal(size=(L, L)), src_key_padding_mask=np.where(kpm, -np.inf, 0.0)),
    ]


@pytest.mark.parametrize("train", [False, True])
@pytest.mark.parametrize("config", LAYER_CONFIGS, ids=str)
def test_encoder_layer(config, train):
    ours, theirs = build(
        lambda dt: nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, dtype=dt, **config),
        lambda dt: torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, dtype=dt, **config),
        train=train,
    )
    bf = config.get("batch_first", False)
    L, N = 5, 3
    for i, case in enumerate(masks(L, N, 1, bf)):
        src = pair((N, L, 8) if bf else (L, N, 8), i)
        compare(ours, theirs, [src], **case)
    compare(ours, theirs, [pair((L, 8), 9)])  # unbatched


@pytest.mark.parametrize("train", [False, True])
@pytest.mark.parametrize("config", LAYER_CONFIGS, ids=str)
def test_decoder_layer(config, train):
    ours, theirs = build(
        lambda dt: nn.TransformerDecoderLayer(8, 4, 12, dropout=0.0, dtype=dt, **config),
        lambda dt: torch.nn.TransformerDecoderLayer(8, 4, 12, dropout=0.0, dtype=dt, **config),
        train=train,
    )
    bf = config.get("batch_first", False)
    T, S, N = 4, 6, 2
    kpm = np.zeros((N, S), bool)
    kpm[1, 4:] = True
    tkpm = np.zeros((N, T), bool)
    tkpm[0, 3] = True
    causal = np.triu(np.full((T, T), -np.inf), 1)
    cases = [
        {},
        dict(tgt_mask=causal, tgt_is_causal=True),
        dict(tgt_mask=causal, memory_key_padding_mask=kpm, tgt_key_padding_mask=tkpm),
        dict(memory_mask=np.random.default_rng(0).random((T, S)) < 0.3),
        dict(tgt_mask=np.random.default_rng(1).normal(size=(N * 4, T, T))),
    ]
    for i, case in enumerate(cases):
        tgt = pair((N, T, 8) if bf else (T, N, 8), i)
        mem = pair((N, S, 8) if bf else (S, N, 8), i + 10)
        compare(ours, theirs, [tgt, mem], **case)
    compare(ours, theirs, [pair((T, 8), 1), pair((S, 8), 2)])  # unbatched


@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_and_decoder_stacks(batch_first):
    with pytest.warns(UserWarning, match="enable_nested_tensor is True"):
        torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(8, 2, norm_first=True), 1)
    with pytest.warns(UserWarning, match="enable_nested_tensor is True"):
        nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, norm_first=True), 1)

    def make_ours(dt):
        layer = nn.TransformerEncoderLayer(8, 2, 16, 0.0, batch_first=batch_first, dtype=dt)
        return nn.TransformerEncoder(layer, 3, nn.LayerNorm(8).double(), enable_nested_tensor=False)

    def make_theirs(dt):
        layer = torch.nn.TransformerEncoderLayer(8, 2, 16, 0.0, batch_first=batch_first, dtype=dt)
        norm = torch.nn.LayerNorm(8, dtype=dt)
        return torch.nn.TransformerEncoder(layer, 3, norm, enable_nested_tensor=False)

    ours, theirs = build(make_ours, make_theirs)
    assert ours.layers[0] is not ours.layers[1]
    L, N = 5, 2
    kpm = np.zeros((N, L), bool)
    kpm[1, 3:] = True
    causal = np.triu(np.full((L, L), -np.inf), 1)
    shape = (N, L, 8) if batch_first else (L, N, 8)
    for i, case in enumerate(
        [{}, dict(src_key_padding_mask=kpm), dict(mask=causal), dict(mask=causal, is_causal=True)]
    ):
        compare(ours, theirs, [pair(shape, i)], **case)

    def make_dec(lib, dt):
        layer = lib.TransformerDecoderLayer(8, 2, 16, 0.0, batch_first=batch_first, dtype=dt)
        norm = lib.LayerNorm(8)
        return lib.TransformerDecoder(layer, 2, norm.double() if lib is nn else norm.to(dt))

    ours, theirs = build(lambda dt: make_dec(nn, dt), lambda dt: make_dec(torch.nn, dt))
    T = 4
    tshape = (N, T, 8) if batch_first else (T, N, 8)
    tcausal = np.triu(np.full((T, T), -np.inf), 1)
    compare(ours, theirs, [pair(tshape, 1), pair(shape, 2)], tgt_mask=tcausal)
    compare(
        ours,
        theirs,
        [pair(tshape, 3), pair(shape, 4)],
        tgt_mask=tcausal,
        memory_key_padding_mask=kpm,
    )


@pytest.mark.parametrize("config", [dict(), dict(batch_first=True, norm_first=True)], ids=str)
def test_transformer_matches_torch_and_draws_its_initial_weights(config):
    kwargs = dict(
        d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=2, dim_feedforward=16
    )
    autograd.manual_seed(4)
    torch.manual_seed(4)
    ours = nn.Transformer(**kwargs, **config)
    theirs = torch.nn.Transformer(**kwargs, **config)
    mine, other = ours.state_dict(), theirs.state_dict()
    assert list(mine) == list(other)
    for key in mine:
        np.testing.assert_allclose(
            np.asarray(mine[key]), other[key].numpy(), atol=1e-6, err_msg=key
        )
    assert repr(ours) == repr(theirs)

    ours, theirs = build(
        lambda dt: nn.Transformer(**kwargs, dropout=0.0, dtype=dt, **config),
        lambda dt: torch.nn.Transformer(**kwargs, dropout=0.0, dtype=dt, **config),
    )
    bf = config.get("batch_first", False)
    S, T, N = 6, 4, 3
    src, tgt = pair((N, S, 8) if bf else (S, N, 8), 0), pair((N, T, 8) if bf else (T, N, 8), 1)
    tgt_mask = nn.Transformer.generate_square_subsequent_mask(T, dtype=np.float64)
    assert isinstance(tgt_mask, Tensor)
    np.testing.assert_array_equal(
        tgt_mask.data,
        torch.nn.Transformer.generate_square_subsequent_mask(T, dtype=torch.float64).numpy(),
    )
    kpm = np.zeros((N, S), bool)
    kpm[2, 4:] = True
    compare(ours, theirs, [src, tgt], tgt_mask=tgt_mask.data, src_key_padding_mask=kpm,
            memory_key_padding_mask=kpm)  # fmt: skip
    compare(ours, theirs, [pair((S, 8), 2), pair((T, 8), 3)], tgt_mask=tgt_mask.data)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("norm_first", [False, True])
def test_dropout_in_training_draws_torchs_masks(batch_first, norm_first):
    kw = dict(dropout=0.3, batch_first=batch_first, norm_first=norm_first)
    ours, theirs = build(
        lambda dt: nn.TransformerEncoderLayer(8, 2, 16, dtype=dt, **kw),
        lambda dt: torch.nn.TransformerEncoderLayer(8, 2, 16, dtype=dt, **kw),
        train=True,
    )
    autograd.manual_seed(8)
    torch.manual_seed(8)
    compare(ours, theirs, [pair((2, 5, 8), 0)])
    ours, theirs = build(
        lambda dt: nn.TransformerDecoderLayer(8, 2, 16, dtype=dt, **kw),
        lambda dt: torch.nn.TransformerDecoderLayer(8, 2, 16, dtype=dt, **kw),
        train=True,
    )
    autograd.manual_seed(9)
    torch.manual_seed(9)
    causal = np.triu(np.full((4, 4), -np.inf), 1)
    tgt, mem = ((2, 4, 8), (2, 5, 8)) if batch_first else ((4, 2, 8), (5, 2, 8))
    compare(ours, theirs, [pair(tgt, 1), pair(mem, 2)], tgt_mask=causal)


def test_encoder_inference_with_padding_zeroes_padded_positions_as_torch():
    """torch's nested-tensor path (eval, no gradients, padding mask): padded positions
    come out as zeros before the final norm."""

    def make(lib, dt):
        layer = lib.TransformerEncoderLayer(8, 2, 16, batch_first=True, dtype=dt)
        norm = lib.LayerNorm(8)
        return lib.TransformerEncoder(layer, 2, norm.double() if lib is nn else norm.to(dt))

    ours, theirs = build(lambda dt: make(nn, dt), lambda dt: make(torch.nn, dt))
    x = np.random.default_rng(0).normal(size=(3, 5, 8))
    kpm = np.zeros((3, 5), bool)
    kpm[0, 3:] = True
    kpm[2, 1:] = True
    for check in (True, False):
        ours.mask_check = theirs.mask_check = check
        for mask in (kpm, ~kpm[:, ::-1].copy() if check else kpm):
            with torch.no_grad():
                want = theirs(torch.tensor(x), src_key_padding_mask=torch.tensor(mask)).numpy()
            with autograd.no_grad():
                got = ours(Tensor(x), src_key_padding_mask=mask)
            np.testing.assert_allclose(got.data, want, **TOL)
    bias = ours.norm.bias.data
    with autograd.no_grad():
        got = ours(Tensor(x), src_key_padding_mask=kpm).data
    np.testing.assert_allclose(got[0, 3:], np.broadcast_to(bias, (2, 8)), atol=1e-12)


def test_errors_as_torch():
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        torch.nn.TransformerEncoderLayer(8, 2, activation="tanh")
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        nn.TransformerEncoderLayer(8, 2, activation="tanh")
    for lib in (torch.nn, nn):
        model = lib.Transformer(8, 2, 1, 1, 16)
        make = torch.zeros if lib is torch.nn else autograd.zeros
        with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
            model(make(5, 2, 8), make(4, 3, 8))
        with pytest.raises(RuntimeError, match="the feature number of src and tgt must be equal"):
            model(make(5, 2, 8), make(4, 2, 6))


def test_tiny_model_trains_as_torch():
    """An embedding, a causal transformer encoder and a linear head, trained five Adam
    steps on next-token prediction: the losses are torch's."""
    V, E, L, N = 11, 8, 6, 4

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(V, E)
            layer = nn.TransformerEncoderLayer(E, 2, 16, 0.0, batch_first=True, norm_first=True)
            self.encoder = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
            self.head = nn.Linear(E, V)

        def forward(self, x):
            mask = nn.Transformer.generate_square_subsequent_mask(x.shape[1], dtype=np.float64)
            return self.head(self.encoder(self.embed(x), mask=mask, is_causal=True))

    class TorchModel(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = torch.nn.Embedding(V, E)
            layer = torch.nn.TransformerEncoderLayer(
                E, 2, 16, 0.0, batch_first=True, norm_first=True
            )
            self.encoder = torch.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
            self.head = torch.nn.Linear(E, V)

        def forward(self, x):
            mask = torch.nn.Transformer.generate_square_subsequent_mask(
                x.shape[1], dtype=torch.float64
            )
            return self.head(self.encoder(self.embed(x), mask=mask, is_causal=True))

    torch.manual_seed(0)
    theirs = TorchModel().double()
    ours = Model().double()
    copy_weights(ours, theirs)
    tokens = np.random.default_rng(0).integers(0, V, size=(N, L + 1))
    x, y = tokens[:, :-1], tokens[:, 1:]
    opt = optim.Adam(ours.parameters(), lr=0.01)
    opt_t = torch.optim.Adam(theirs.parameters(), lr=0.01)
    losses, losses_t = [], []
    for _ in range(5):
        opt.zero_grad()
        loss = F.cross_entropy(ours(Tensor(x)).reshape(-1, V), Tensor(y.reshape(-1)))
        loss.backward()
        opt.step()
        opt_t.zero_grad()
        loss_t = TF.cross_entropy(
            theirs(torch.tensor(x)).reshape(-1, V), torch.tensor(y.reshape(-1))
        )
        loss_t.backward()
        opt_t.step()
        losses.append(loss.item())
        losses_t.append(loss_t.item())
    np.testing.assert_allclose(losses, losses_t, rtol=1e-9)
    assert losses[-1] < losses[0]


def test_custom_encoder_and_decoder_and_devices():
    encoder = nn.TransformerEncoder(
        nn.TransformerEncoderLayer(8, 2, 16, 0.0, batch_first=True), 1, enable_nested_tensor=False
    )
    decoder = nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, 16, 0.0, batch_first=True), 1)
    model = nn.Transformer(8, 2, custom_encoder=encoder, custom_decoder=decoder, batch_first=True)
    assert model.encoder is encoder and model.decoder is decoder
    assert [k for k in model.state_dict() if k.endswith("in_proj_weight")] == [
        "encoder.layers.0.self_attn.in_proj_weight",
        "decoder.layers.0.self_attn.in_proj_weight",
        "decoder.layers.0.multihead_attn.in_proj_weight",
    ]
    src, tgt = autograd.randn(2, 5, 8), autograd.randn(2, 3, 8)
    want = decoder(tgt, encoder(src))
    np.testing.assert_allclose(model(src, tgt).data, want.data, atol=1e-6)
    nn.MultiheadAttention(4, 2, device="cpu")
    with pytest.raises(RuntimeError, match="cuda"):
        nn.MultiheadAttention(4, 2, device="cuda")
    with pytest.raises(RuntimeError, match="cuda"):
        nn.TransformerDecoderLayer(4, 2, device="cuda")
