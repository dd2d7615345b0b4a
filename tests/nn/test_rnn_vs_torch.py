"""`nn.RNN`, `nn.LSTM`, `nn.GRU`, the cells and `nn.utils.rnn` against torch 2.13 in
float64: values and gradients of the inputs, the initial states and every weight, from
torch's initial weights (which ours are, draw for draw, after the same seed). Every
test runs on both paths: the fused ops and the composed steps
(`nn.recurrent_steps.FUSED`)."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor
from nn import recurrent_steps

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True, params=[True, False], ids=["fused", "composed"])
def fused(request, monkeypatch):
    """Each test once with one op per layer and direction, once with the composed steps."""
    monkeypatch.setattr(recurrent_steps, "FUSED", request.param)
    return request.param


TOL = {"rtol": 1e-10, "atol": 1e-12}


def _pair(kind, *args, seed=0, **kwargs):
    """The same module from torch and from nn, float64, with torch's weights."""
    torch.manual_seed(seed)
    theirs = getattr(torch.nn, kind)(*args, **kwargs).double()
    ours = getattr(nn, kind)(*args, **kwargs, dtype=np.float64)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def _leaf(array):
    return Tensor(array.copy(), requires_grad=True), torch.tensor(array.copy(), requires_grad=True)


def _flat(value):
    """The tensors of an output (output, h_n) or (output, (h_n, c_n))."""
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in _flat(v)]
    return [value]


def _compare_backward(ours_out, theirs_out, pairs, seed=1):
    """Values equal; then one backward from random upstream gradients, and the
    gradients of every (ours, theirs) pair equal."""
    rng = np.random.default_rng(seed)
    ours_flat, theirs_flat = _flat(ours_out), _flat(theirs_out)
    assert len(ours_flat) == len(theirs_flat)
    ours_loss, theirs_loss = 0, 0
    for a, b in zip(ours_flat, theirs_flat):
        assert a.shape == tuple(b.shape)
        np.testing.assert_allclose(a.data, b.detach().numpy(), **TOL)
        weight = rng.normal(size=a.shape)
        ours_loss = ours_loss + (a * Tensor(weight)).sum()
        theirs_loss = theirs_loss + (b * torch.tensor(weight)).sum()
    ours_loss.backward()
    theirs_loss.backward()
    for name, a, b in pairs:
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), err_msg=name, **TOL)


def _param_pairs(ours, theirs):
    return [
        (name, p, q)
        for (name, p), q in zip(ours.named_parameters(), theirs.parameters(), strict=True)
    ]


CASES = list(itertools.product(("RNN", "LSTM", "GRU"), (1, 2), *([(False, True)] * 5)))


@pytest.mark.parametrize(
    ("kind", "num_layers", "bidirectional", "batch_first", "bias", "unbatched", "given"), CASES
)
def test_values_and_gradients_match_torch(
    kind, num_layers, bidirectional, batch_first, bias, unbatched, given
):
    ours, theirs = _pair(
        kind, 3, 4, num_layers, bias=bias, batch_first=batch_first, bidirectional=bidirectional
    )
    rng = np.random.default_rng(7)
    length, batch = 5, 2
    shape = (
        (length, 3) if unbatched else ((batch, length, 3) if batch_first else (length, batch, 3))
    )
    x, tx = _leaf(rng.normal(size=shape))
    pairs = [("input", x, tx), *_param_pairs(ours, theirs)]
    args, targs = [x], [tx]
    if given:
        rows = num_layers * (2 if bidirectional else 1)
        state_shape = (rows, 4) if unbatched else (rows, batch, 4)
        h, th = _leaf(rng.normal(size=state_shape))
        pairs.append(("h0", h, th))
        if kind == "LSTM":
            c, tc = _leaf(rng.normal(size=state_shape))
            pairs.append(("c0", c, tc))
            args.append((h, c))
            targs.append((th, tc))
        else:
            args.append(h)
            targs.append(th)
    _compare_backward(ours(*args), theirs(*targs), pairs)


@pytest.mark.parametrize(("kind", "length"), list(itertools.product(("LSTM", "GRU"), (9, 11, 20))))
def test_long_sequences_match_torch(kind, length):
    """Sequences of 9 steps or more are sliced in blocks of about sqrt(length) steps
    (uneven at 11: 3, 3, 3, 2); the values and gradients are those of torch."""
    ours, theirs = _pair(kind, 3, 4, 2, bidirectional=True)
    x, tx = _leaf(np.random.default_rng(0).normal(size=(length, 2, 3)))
    _compare_backward(ours(x), theirs(tx), [("input", x, tx), *_param_pairs(ours, theirs)])


@pytest.mark.parametrize("bidirectional", [False, True])
def test_lstm_projection_matches_torch(bidirectional):
    ours, theirs = _pair("LSTM", 3, 5, 2, proj_size=2, bidirectional=bidirectional)
    x, tx = _leaf(np.random.default_rng(0).normal(size=(4, 2, 3)))
    assert repr(ours) == repr(theirs)
    _compare_backward(ours(x), theirs(tx), [("input", x, tx), *_param_pairs(ours, theirs)])


def test_relu_rnn_matches_torch():
    ours, theirs = _pair("RNN", 3, 4, 2, nonlinearity="relu")
    x, tx = _leaf(np.random.default_rng(0).normal(size=(6, 2, 3)))
    _compare_backward(ours(x), theirs(tx), [("input", x, tx), *_param_pairs(ours, theirs)])


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.LSTM(10, 20, num_layers=2, batch_first=True),
        lambda lib: lib.LSTM(10, 20, proj_size=5, bias=False),
        lambda lib: lib.GRU(10, 20, 3, dropout=0.5, bidirectional=True),
        lambda lib: lib.RNN(10, 20, nonlinearity="relu"),
        lambda lib: lib.RNNCell(10, 20, nonlinearity="relu", bias=False),
        lambda lib: lib.LSTMCell(10, 20),
        lambda lib: lib.GRUCell(10, 20),
    ],
)
def test_repr_and_state_dict_keys_are_torch_s(make):
    ours, theirs = make(nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    ours_state, theirs_state = ours.state_dict(), theirs.state_dict()
    assert list(ours_state) == list(theirs_state)
    assert [tuple(v.shape) for v in ours_state.values()] == [
        tuple(v.shape) for v in theirs_state.values()
    ]


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.LSTM(4, 5, 2, bidirectional=True, proj_size=3),
        lambda lib: lib.GRU(4, 5, bias=False),
        lambda lib: lib.RNN(4, 5, 2),
        lambda lib: lib.LSTMCell(4, 5),
        lambda lib: lib.GRUCell(4, 5),
    ],
)
def test_initial_weights_are_torch_s_draw_for_draw(make):
    torch.manual_seed(3)
    theirs = make(torch.nn)
    autograd.manual_seed(3)
    ours = make(nn)
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters(), strict=True):
        np.testing.assert_array_equal(p.data, q.detach().numpy(), err_msg=name)


def test_a_torch_state_dict_loads():
    theirs = torch.nn.GRU(3, 4, 2, bidirectional=True).double()
    ours = nn.GRU(3, 4, 2, bidirectional=True, dtype=np.float64)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(5, 2, 3))
    np.testing.assert_allclose(ours(x)[0].data, theirs(torch.tensor(x))[0].detach().numpy(), **TOL)


def _errors(call_ours, call_theirs):
    with pytest.raises(Exception) as theirs:
        call_theirs()
    with pytest.raises(type(theirs.value), match=None) as ours:
        call_ours()
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize(
    ("kind", "x_shape", "h_shape"),
    [
        ("LSTM", (5, 2, 4), None),  # input size 4, not 3
        ("GRU", (5, 2, 3), (1, 3, 4)),  # h0 for a batch of 3
        ("RNN", (5, 2, 3), (2, 2, 4)),  # h0 for two layers
        ("LSTM", (5, 2, 3), (1, 2, 5)),  # h0 of 5 features
        ("RNN", (5, 2, 3, 1), None),  # 4-D input
        ("LSTM", (5, 2, 3, 1), None),
        ("GRU", (5, 3), (1, 2, 4)),  # unbatched input, batched h0
        ("RNN", (5, 2, 3), (2, 4)),  # batched input, unbatched h0
        ("LSTM", (5, 3), (1, 2, 4)),
    ],
)
def test_wrong_sizes_raise_torch_s_errors(kind, x_shape, h_shape):
    ours, theirs = _pair(kind, 3, 4)
    x = np.zeros(x_shape)
    args, targs = [Tensor(x)], [torch.tensor(x)]
    if h_shape is not None:
        h = np.zeros(h_shape)
        args.append((Tensor(h), Tensor(h)) if kind == "LSTM" else Tensor(h))
        targs.append((torch.tensor(h), torch.tensor(h)) if kind == "LSTM" else torch.tensor(h))
    _errors(lambda: ours(*args), lambda: theirs(*targs))


def test_lstm_states_must_be_a_pair():
    lstm = nn.LSTM(3, 4)
    x, h = autograd.zeros((2, 1, 3)), autograd.zeros((1, 1, 4))
    with pytest.raises(TypeError, match=r"tuple \(h_0, c_0\)"):
        lstm(x, h)
    with pytest.raises(TypeError, match="of 3"):
        lstm(x, (h, h, h))


def test_an_empty_sequence_raises_torch_s_error():
    ours, theirs = _pair("LSTM", 3, 4)
    _errors(
        lambda: ours(Tensor(np.zeros((0, 2, 3)))), lambda: theirs(torch.zeros(0, 2, 3).double())
    )


def test_flatten_parameters_runs_as_torch_s_and_changes_nothing():
    ours, theirs = _pair("GRU", 3, 4)
    x = np.random.default_rng(0).normal(size=(4, 2, 3))
    before = ours(x)[0].data
    ours.flatten_parameters()
    theirs.flatten_parameters()
    np.testing.assert_array_equal(ours(x)[0].data, before)


@pytest.mark.parametrize(
    "arguments",
    [
        {"dropout": 1.5},
        {"dropout": True},
        {"hidden_size": 0},
        {"num_layers": 0},
        {"proj_size": 4},
        {"proj_size": -1},
        {"bias": 1},
    ],
)
def test_bad_arguments_raise_torch_s_errors(arguments):
    arguments = {"input_size": 3, "hidden_size": 4, **arguments}
    _errors(lambda: nn.LSTM(**arguments), lambda: torch.nn.LSTM(**arguments))


def test_proj_size_is_lstm_s_only_and_nonlinearity_is_checked():
    _errors(lambda: nn.GRU(3, 4, proj_size=2), lambda: torch.nn.GRU(3, 4, proj_size=2))
    _errors(
        lambda: nn.RNN(3, 4, nonlinearity="sigmoid"),
        lambda: torch.nn.RNN(3, 4, nonlinearity="sigmoid"),
    )


def test_dropout_changes_outputs_in_training_only():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # two layers: no warning
        lstm = nn.LSTM(3, 8, num_layers=2, dropout=0.5)
    x = np.random.default_rng(0).normal(size=(4, 2, 3)).astype(np.float32)
    lstm.eval()
    first, second = lstm(x)[0].data, lstm(x)[0].data
    np.testing.assert_array_equal(first, second)
    lstm.train()
    trained = lstm(x)[0].data
    assert not np.allclose(trained, first)
    assert not np.allclose(trained, lstm(x)[0].data)  # a new mask each call


def test_dropout_with_one_layer_warns_as_torch():
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        nn.GRU(3, 4, dropout=0.2)


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_gradcheck_of_a_small_network(kind):
    autograd.manual_seed(0)
    module = getattr(nn, kind)(2, 3, 2, bidirectional=True, dtype=np.float64)
    params = list(module.parameters())
    x = Tensor(np.random.default_rng(0).normal(size=(3, 2, 2)), requires_grad=True)

    def run(x, *weights):
        for p, w in zip(params, weights):
            object.__setattr__(module, _name_of(module, p), w)
        try:
            output, state = module(x)
        finally:
            for p in params:
                object.__setattr__(module, _name_of(module, p), p)
        return output.sum() + (state[0] if kind == "LSTM" else state).square().sum()

    assert autograd.gradcheck(run, (x, *params))


def _name_of(module, p):
    return next(name for name, q in module.named_parameters() if q is p)


@pytest.mark.parametrize(
    ("kind", "batched"), list(itertools.product(("RNNCell", "LSTMCell", "GRUCell"), (True, False)))
)
def test_cells_match_torch(kind, batched):
    ours, theirs = _pair(kind, 3, 4, seed=2)
    rng = np.random.default_rng(0)
    x, tx = _leaf(rng.normal(size=(2, 3) if batched else (3,)))
    h, th = _leaf(rng.normal(size=(2, 4) if batched else (4,)))
    pairs = [("input", x, tx), ("h", h, th), *_param_pairs(ours, theirs)]
    if kind == "LSTMCell":
        c, tc = _leaf(rng.normal(size=(2, 4) if batched else (4,)))
        pairs.append(("c", c, tc))
        _compare_backward(ours(x, (h, c)), theirs(tx, (th, tc)), pairs)
    else:
        _compare_backward(ours(x, h), theirs(tx, th), pairs)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cells_without_state_and_their_errors_match_torch(kind):
    ours, theirs = _pair(kind, 3, 4, seed=2)
    x = np.random.default_rng(0).normal(size=(2, 3))
    for a, b in zip(_flat(ours(Tensor(x))), _flat(theirs(torch.tensor(x)))):
        np.testing.assert_allclose(a.data, b.detach().numpy(), **TOL)
    _errors(
        lambda: ours(Tensor(np.zeros((2, 5)))),
        lambda: theirs(torch.zeros(2, 5, dtype=torch.float64)),
    )
    h = np.zeros((3, 4))
    state = (lambda lib: (lib(h), lib(h))) if kind == "LSTMCell" else (lambda lib: lib(h))
    _errors(
        lambda: ours(Tensor(x), state(Tensor)), lambda: theirs(torch.tensor(x), state(torch.tensor))
    )


# ---- nn.utils.rnn


@pytest.mark.parametrize(
    ("batch_first", "padding_side"), list(itertools.product((False, True), ("right", "left")))
)
def test_pad_sequence_matches_torch(batch_first, padding_side):
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=(n, 2)) for n in (3, 5, 1)]
    ours_in = [Tensor(a, requires_grad=True) for a in arrays]
    theirs_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    from nn.utils.rnn import pad_sequence  # as from torch.nn.utils.rnn

    ours = pad_sequence(ours_in, batch_first, -1.0, padding_side)
    theirs = torch.nn.utils.rnn.pad_sequence(theirs_in, batch_first, -1.0, padding_side)
    pairs = [(f"seq{k}", a, b) for k, (a, b) in enumerate(zip(ours_in, theirs_in))]
    _compare_backward(ours, theirs, pairs)


@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_pack_and_pad_packed_match_torch(enforce_sorted):
    rng = np.random.default_rng(0)
    lengths = [5, 3, 3, 1] if enforce_sorted else [3, 5, 1, 3]
    padded, tpadded = _leaf(rng.normal(size=(4, 5, 2)))  # batch_first
    ours = nn.utils.rnn.pack_padded_sequence(padded, lengths, True, enforce_sorted)
    theirs = torch.nn.utils.rnn.pack_padded_sequence(tpadded, lengths, True, enforce_sorted)
    np.testing.assert_array_equal(ours.batch_sizes.data, theirs.batch_sizes.numpy())
    if not enforce_sorted:
        np.testing.assert_array_equal(ours.sorted_indices.data, theirs.sorted_indices.numpy())
        np.testing.assert_array_equal(ours.unsorted_indices.data, theirs.unsorted_indices.numpy())
    back = nn.utils.rnn.pad_packed_sequence(
        ours, batch_first=True, padding_value=9.0, total_length=6
    )
    tback = torch.nn.utils.rnn.pad_packed_sequence(theirs, True, 9.0, 6)
    np.testing.assert_array_equal(back[1].data, tback[1].numpy())
    _compare_backward((ours.data, back[0]), (theirs.data, tback[0]), [("padded", padded, tpadded)])


def test_a_packed_batch_of_the_wrong_size_raises_torch_s_error():
    ours, theirs = _pair("GRU", 3, 4)
    x = np.zeros((4, 2, 5))
    packed = nn.utils.rnn.pack_padded_sequence(Tensor(x), [4, 2])
    tpacked = torch.nn.utils.rnn.pack_padded_sequence(torch.tensor(x), [4, 2])
    _errors(lambda: ours(packed), lambda: theirs(tpacked))


def test_pack_errors_are_torch_s():
    x = np.zeros((3, 2, 1))
    pack = nn.utils.rnn.pack_padded_sequence
    tpack = torch.nn.utils.rnn.pack_padded_sequence
    _errors(lambda: pack(Tensor(x), [1, 2]), lambda: tpack(torch.tensor(x), [1, 2]))
    _errors(
        lambda: pack(Tensor(x), [0, 2], enforce_sorted=False),
        lambda: tpack(torch.tensor(x), [0, 2], enforce_sorted=False),
    )


@pytest.mark.parametrize(
    ("kind", "bidirectional", "enforce_sorted"),
    list(itertools.product(("RNN", "LSTM", "GRU"), (False, True), (True, False))),
)
def test_packed_sequences_stop_at_their_lengths_as_torch(kind, bidirectional, enforce_sorted):
    ours, theirs = _pair(kind, 2, 3, 2, bidirectional=bidirectional, seed=4)
    lengths = [4, 3, 1] if enforce_sorted else [3, 4, 1]
    rng = np.random.default_rng(0)
    x, tx = _leaf(rng.normal(size=(4, 3, 2)))
    rows = 4 if bidirectional else 2
    h, th = _leaf(rng.normal(size=(rows, 3, 3)))
    packed = nn.utils.rnn.pack_padded_sequence(x, lengths, enforce_sorted=enforce_sorted)
    tpacked = torch.nn.utils.rnn.pack_padded_sequence(tx, lengths, enforce_sorted=enforce_sorted)
    state, tstate = (h, th) if kind != "LSTM" else ((h, h * 2), (th, th * 2))
    out, hn = ours(packed, state)
    tout, thn = theirs(tpacked, tstate)
    assert isinstance(out, nn.utils.rnn.PackedSequence)
    padded = nn.utils.rnn.pad_packed_sequence(out)[0]
    tpadded = torch.nn.utils.rnn.pad_packed_sequence(tout)[0]
    pairs = [("input", x, tx), ("h0", h, th), *_param_pairs(ours, theirs)]
    _compare_backward((out.data, padded, hn), (tout.data, tpadded, thn), pairs)


# ---- PyTorch's tutorials, run as written with either library, from torch's weights


def _libraries():
    """(torch's modules, ours) under the tutorials' names."""
    import types

    import optim
    from nn import functional

    return {
        "torch": types.SimpleNamespace(
            nn=torch.nn,
            F=torch.nn.functional,
            optim=torch.optim,
            tensor=torch.tensor,
            long=torch.long,
            zeros=torch.zeros,
        ),
        "ours": types.SimpleNamespace(
            nn=nn,
            F=functional,
            optim=optim,
            tensor=autograd.tensor,
            long=autograd.long,
            zeros=autograd.zeros,
        ),
    }


def _char_rnn(lib, n_letters, n_hidden, n_categories):
    """ "NLP From Scratch: Classifying Names with a Character-Level RNN" (2.x edition)."""

    class CharRNN(lib.nn.Module):
        def __init__(self, input_size, hidden_size, output_size):
            super(CharRNN, self).__init__()  # noqa: UP008  (as the tutorial writes it)
            self.rnn = lib.nn.RNN(input_size, hidden_size)
            self.h2o = lib.nn.Linear(hidden_size, output_size)
            self.softmax = lib.nn.LogSoftmax(dim=1)

        def forward(self, line_tensor):
            rnn_out, hidden = self.rnn(line_tensor)  # noqa: RUF059
            output = self.h2o(hidden[0])
            output = self.softmax(output)
            return output

    return CharRNN(n_letters, n_hidden, n_categories)


def _train_char_rnn(lib, rnn, training_data, n_epoch, n_batch_size, learning_rate=0.2):
    """The tutorial's `train`, with the batches in a fixed order."""
    criterion = lib.nn.NLLLoss()
    current_loss = 0
    all_losses = []
    rnn.train()
    optimizer = lib.optim.SGD(rnn.parameters(), lr=learning_rate)
    for iter in range(1, n_epoch + 1):  # noqa: B007
        rnn.zero_grad()
        batches = [
            list(range(k, min(k + n_batch_size, len(training_data))))
            for k in range(0, len(training_data), n_batch_size)
        ]
        for idx, batch in enumerate(batches):  # noqa: B007
            batch_loss = 0
            for i in batch:
                (label_tensor, text_tensor, label, text) = training_data[i]  # noqa: RUF059
                output = rnn.forward(text_tensor)
                loss = criterion(output, label_tensor)
                batch_loss += loss
            batch_loss.backward()
            lib.nn.utils.clip_grad_norm_(rnn.parameters(), 3)
            optimizer.step()
            optimizer.zero_grad()
            current_loss += batch_loss.item() / len(batch)
        all_losses.append(current_loss / len(batches))
        current_loss = 0
    return all_losses


def _names(lib, n_letters, rng):
    """Synthetic names as the tutorial's tensors: (length, 1, n_letters) one-hot lines
    and a label tensor of one category."""
    data = []
    for _ in range(12):
        letters = rng.integers(0, n_letters, size=rng.integers(2, 7))
        line = np.zeros((len(letters), 1, n_letters), dtype=np.float32)
        line[np.arange(len(letters)), 0, letters] = 1
        label = int(rng.integers(0, 3))
        data.append((lib.tensor([label], dtype=lib.long), lib.tensor(line), label, "name"))
    return data


def test_char_rnn_names_tutorial_trains_as_torch():
    libs = _libraries()
    torch.manual_seed(0)
    models = {name: _char_rnn(lib, 8, 16, 3) for name, lib in libs.items()}
    models["ours"].load_state_dict({k: v.numpy() for k, v in models["torch"].state_dict().items()})
    losses = {
        name: _train_char_rnn(lib, models[name], _names(lib, 8, np.random.default_rng(0)), 4, 5)
        for name, lib in libs.items()
    }
    np.testing.assert_allclose(losses["ours"], losses["torch"], rtol=2e-5)
    assert losses["torch"][-1] < losses["torch"][0]  # it learns: the comparison says something


def _lstm_tagger(lib, embedding_dim, hidden_dim, vocab_size, tagset_size):
    """ "Sequence Models and Long Short-Term Memory Networks": the LSTM part-of-speech
    tagger."""

    class LSTMTagger(lib.nn.Module):
        def __init__(self, embedding_dim, hidden_dim, vocab_size, tagset_size):
            super(LSTMTagger, self).__init__()  # noqa: UP008
            self.hidden_dim = hidden_dim
            self.word_embeddings = lib.nn.Embedding(vocab_size, embedding_dim)
            self.lstm = lib.nn.LSTM(embedding_dim, hidden_dim)
            self.hidden2tag = lib.nn.Linear(hidden_dim, tagset_size)

        def forward(self, sentence):
            embeds = self.word_embeddings(sentence)
            lstm_out, _ = self.lstm(embeds.view(len(sentence), 1, -1))
            tag_space = self.hidden2tag(lstm_out.view(len(sentence), -1))
            tag_scores = lib.F.log_softmax(tag_space, dim=1)
            return tag_scores

    return LSTMTagger(embedding_dim, hidden_dim, vocab_size, tagset_size)


def test_lstm_part_of_speech_tagger_tutorial_trains_as_torch():
    training_data = [
        ("The dog ate the apple".split(), ["DET", "NN", "V", "DET", "NN"]),
        ("Everybody read that book".split(), ["NN", "V", "DET", "NN"]),
    ]
    word_to_ix = {}
    for sent, tags in training_data:  # noqa: B007
        for word in sent:
            if word not in word_to_ix:
                word_to_ix[word] = len(word_to_ix)
    tag_to_ix = {"DET": 0, "NN": 1, "V": 2}
    libs = _libraries()
    torch.manual_seed(1)
    models = {name: _lstm_tagger(lib, 6, 6, len(word_to_ix), 3) for name, lib in libs.items()}
    models["ours"].load_state_dict({k: v.numpy() for k, v in models["torch"].state_dict().items()})
    losses = {}
    for name, lib in libs.items():

        def prepare_sequence(seq, to_ix, lib=lib):
            idxs = [to_ix[w] for w in seq]
            return lib.tensor(idxs, dtype=lib.long)

        model = models[name]
        loss_function = lib.nn.NLLLoss()
        optimizer = lib.optim.SGD(model.parameters(), lr=0.1)
        losses[name] = []
        for epoch in range(60):  # noqa: B007
            for sentence, tags in training_data:
                model.zero_grad()
                sentence_in = prepare_sequence(sentence, word_to_ix)
                targets = prepare_sequence(tags, tag_to_ix)
                tag_scores = model(sentence_in)
                loss = loss_function(tag_scores, targets)
                loss.backward()
                optimizer.step()
                losses[name].append(loss.item())
    np.testing.assert_allclose(losses["ours"], losses["torch"], rtol=1e-4)
    assert losses["torch"][-1] < losses["torch"][0]  # it learns


def _d2l_rnn_model(lib, rnn_layer, vocab_size):
    """d2l.ai's `RNNModel` (the concise RNN, GRU and LSTM sections), as the book writes it."""

    class RNNModel(lib.nn.Module):
        def __init__(self, rnn_layer, vocab_size, **kwargs):
            super(RNNModel, self).__init__(**kwargs)  # noqa: UP008  (as the book writes it)
            self.rnn = rnn_layer
            self.vocab_size = vocab_size
            self.num_hiddens = self.rnn.hidden_size
            if not self.rnn.bidirectional:
                self.num_directions = 1
                self.linear = lib.nn.Linear(self.num_hiddens, self.vocab_size)
            else:
                self.num_directions = 2
                self.linear = lib.nn.Linear(self.num_hiddens * 2, self.vocab_size)

        def forward(self, inputs, state):
            X = lib.F.one_hot(inputs.T.long(), self.vocab_size)
            X = X.to(lib.float32)
            Y, state = self.rnn(X, state)
            output = self.linear(Y.reshape((-1, Y.shape[-1])))
            return output, state

        def begin_state(self, device, batch_size=1):
            shape = (self.num_directions * self.rnn.num_layers, batch_size, self.num_hiddens)
            if not isinstance(self.rnn, lib.nn.LSTM):
                return lib.zeros(shape)
            return (lib.zeros(shape), lib.zeros(shape))

    return RNNModel(rnn_layer, vocab_size)


def _d2l_train_epoch(lib, net, train_iter, loss, updater):
    """d2l's `train_epoch_ch8` (sequential partitioning: the state carried over,
    detached) with its `grad_clipping(net, 1)`; the losses of each minibatch."""
    state, losses = None, []
    for X, Y in train_iter:
        if state is None:
            state = net.begin_state(batch_size=X.shape[0], device=None)
        else:
            if isinstance(net, lib.nn.Module) and not isinstance(state, tuple):
                state.detach_()
            else:
                for s in state:
                    s.detach_()
        y = Y.T.reshape(-1)
        y_hat, state = net(X, state)
        l = loss(y_hat, y.long()).mean()
        updater.zero_grad()
        l.backward()
        params = [p for p in net.parameters() if p.requires_grad]
        norm = lib.sqrt(sum(lib.sum(p.grad**2) for p in params))
        if norm > 1:
            for param in params:
                param.grad[:] *= 1 / norm
        updater.step()
        losses.append(l.item())
    return losses


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_d2l_concise_recurrent_models_train_as_torch(kind):
    libs = _libraries()
    for lib, module in zip(libs.values(), (torch, autograd)):
        lib.float32, lib.sqrt, lib.sum = module.float32, module.sqrt, module.sum
    vocab_size, num_hiddens = 10, 16
    corpus = (np.arange(4)[:, None] * 3 + np.arange(31)[None, :]) % vocab_size  # learnable
    batches = [(corpus[:, k : k + 6], corpus[:, k + 1 : k + 7]) for k in range(0, 24, 6)]
    torch.manual_seed(0)
    nets = {
        name: _d2l_rnn_model(lib, getattr(lib.nn, kind)(vocab_size, num_hiddens), vocab_size)
        for name, lib in libs.items()
    }
    nets["ours"].load_state_dict({k: v.numpy() for k, v in nets["torch"].state_dict().items()})
    losses = {}
    for name, lib in libs.items():
        train_iter = [(lib.tensor(x), lib.tensor(y)) for x, y in batches] * 3
        updater = lib.optim.SGD(nets[name].parameters(), lr=1)
        losses[name] = _d2l_train_epoch(
            lib, nets[name], train_iter, lib.nn.CrossEntropyLoss(), updater
        )
    np.testing.assert_allclose(losses["ours"], losses["torch"], rtol=1e-4)
    assert losses["torch"][-1] < losses["torch"][0]  # it learns
