"""The fused recurrent path (one op per layer and direction) against the composed steps
(`nn.recurrent_steps.FUSED`): the same values and gradients on random configurations,
the ops' checks, and two threads training at once."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
import optim
from autograd import Tensor
from nn import recurrent_steps


def _ops(out: Tensor) -> set[str]:
    """The names of the ops in the graph behind `out`."""
    seen, names, todo = set(), set(), [out.grad_fn]
    while todo:
        fn = todo.pop()
        if fn is None or id(fn) in seen or isinstance(fn, Tensor):
            continue
        seen.add(id(fn))
        names.add(fn.op_name)
        todo.extend(fn.parents())
    return names


def _run(module, x, states, lengths, fused, monkeypatch):
    """(every output and final state, every gradient) on one path."""
    monkeypatch.setattr(recurrent_steps, "FUSED", fused)
    module.zero_grad()
    leaves = [Tensor(x.copy(), requires_grad=True)]
    leaves += [Tensor(s.copy(), requires_grad=True) for s in states]
    hx = tuple(leaves[1:]) if len(states) == 2 else leaves[1]
    if lengths is None:
        out, hn = module(leaves[0], hx)
    else:
        packed = nn.utils.rnn.pack_padded_sequence(
            leaves[0], lengths, batch_first=module.batch_first, enforce_sorted=False
        )
        out, hn = module(packed, hx)
        out = out.data
    outputs = [out, *(hn if isinstance(hn, tuple) else (hn,))]
    rng = np.random.default_rng(1)
    loss = sum((o * Tensor(rng.normal(size=o.shape))).sum() for o in outputs)
    loss.backward()
    grads = [t.grad.data for t in leaves] + [p.grad.data for p in module.parameters()]
    return [o.data for o in outputs], grads, _ops(out)


@settings(max_examples=40, deadline=None)
@given(
    mode=st.sampled_from(["RNN_TANH", "RNN_RELU", "LSTM", "GRU"]),
    layers=st.integers(1, 2),
    bidirectional=st.booleans(),
    batch_first=st.booleans(),
    bias=st.booleans(),
    projected=st.booleans(),
    packed=st.booleans(),
    sizes=st.tuples(st.integers(1, 5), st.integers(1, 3), st.integers(1, 3), st.integers(2, 4)),
    seed=st.integers(0, 2**16),
)
def test_fused_equals_composed(
    mode, layers, bidirectional, batch_first, bias, projected, packed, sizes, seed
):
    length, batch, features, hidden = sizes
    options = {"num_layers": layers, "bias": bias, "batch_first": batch_first,
               "bidirectional": bidirectional, "dtype": np.float64}  # fmt: skip
    autograd.manual_seed(seed)
    if mode == "LSTM":
        proj = hidden - 1 if projected else 0
        module = nn.LSTM(features, hidden, proj_size=proj, **options)
        sizes_h = (proj or hidden, hidden)
    elif mode == "GRU":
        module, sizes_h = nn.GRU(features, hidden, **options), (hidden,)
    else:
        module = nn.RNN(features, hidden, nonlinearity=mode[4:].lower(), **options)
        sizes_h = (hidden,)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, length, features) if batch_first else (length, batch, features))
    rows = layers * (2 if bidirectional else 1)
    states = [rng.normal(size=(rows, batch, n)) for n in sizes_h]
    lengths = list(rng.integers(1, length + 1, batch)) if packed else None
    with pytest.MonkeyPatch.context() as mp:
        fused = _run(module, x, states, lengths, True, mp)
        composed = _run(module, x, states, lengths, False, mp)
    assert {"RNNSequence", "LSTMSequence", "GRUSequence"} & fused[2]
    assert not {"RNNSequence", "LSTMSequence", "GRUSequence"} & composed[2]
    for a, b in zip(fused[0] + fused[1], composed[0] + composed[1], strict=True):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


def _run_keras(layer, x, fused, seed, training, monkeypatch):
    """(outputs, gradients of x and of every weight, ops) of a Keras layer on one path."""
    monkeypatch.setattr(recurrent_steps, "FUSED", fused)
    layer.generator = autograd.Generator().manual_seed(seed)  # the same dropout masks
    for w in layer.trainable_weights:
        w.grad = None
    xt = Tensor(x.copy(), requires_grad=True)
    out = layer(xt, training=training)
    outputs = out if isinstance(out, list) else [out]
    rng = np.random.default_rng(1)
    sum((o * Tensor(rng.normal(size=o.shape))).sum() for o in outputs).backward()
    grads = [xt.grad.data] + [w.grad.data for w in layer.trainable_weights]
    return [o.data for o in outputs], grads, _ops(outputs[0])


@settings(max_examples=30, deadline=None)
@given(
    kind=st.sampled_from(["SimpleRNN", "LSTM", "GRU"]),
    reset_after=st.booleans(),
    go_backwards=st.booleans(),
    return_sequences=st.booleans(),
    use_bias=st.booleans(),
    dropout=st.sampled_from([0.0, 0.3]),
    recurrent_dropout=st.sampled_from([0.0, 0.3]),
    sizes=st.tuples(st.integers(1, 3), st.integers(1, 5), st.integers(1, 3), st.integers(1, 3)),
    seed=st.integers(0, 2**16),
)
def test_keras_fused_equals_composed(
    kind, reset_after, go_backwards, return_sequences, use_bias, dropout, recurrent_dropout,
    sizes, seed,
):  # fmt: skip
    batch, length, features, units = sizes
    options = {"go_backwards": go_backwards, "return_sequences": return_sequences,
               "return_state": True, "use_bias": use_bias, "dropout": dropout,
               "recurrent_dropout": recurrent_dropout, "seed": seed}  # fmt: skip
    options["dtype"] = "float64"
    if kind == "GRU":
        options["reset_after"] = reset_after
    layer = getattr(nn.layers, kind)(units, **options)
    layer.build((batch, length, features))
    rng = np.random.default_rng(seed)
    for w in layer.trainable_weights:  # biases too, and float64
        w.data = rng.normal(size=w.shape) * 0.5
    x = rng.normal(size=(batch, length, features))
    with pytest.MonkeyPatch.context() as mp:
        fused = _run_keras(layer, x, True, seed, True, mp)
        composed = _run_keras(layer, x, False, seed, True, mp)
    exact = not recurrent_dropout and (kind != "GRU" or reset_after)
    assert bool({"RNNSequence", "LSTMSequence", "GRUSequence"} & fused[2]) == exact
    for a, b in zip(fused[0] + fused[1], composed[0] + composed[1], strict=True):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


def test_the_ops_check_their_inputs():
    xw, h, w = np.zeros((3, 2, 8)), np.zeros((2, 2)), np.zeros((8, 2))
    with pytest.raises(ValueError, match=r"w_hh must be \(4 \* hidden, hidden_out\)"):
        autograd.lstm_sequence(xw, h, h, np.zeros((6, 2)))
    with pytest.raises(ValueError, match=r"c0 must be \(2, 2\), got \(3, 2\)"):
        autograd.lstm_sequence(xw, h, np.zeros((3, 2)), w)
    with pytest.raises(ValueError, match=r"b_hh must be \(8,\)"):
        autograd.lstm_sequence(xw, h, h, w, np.zeros(4))
    with pytest.raises(ValueError, match="without w_hr"):
        autograd.lstm_sequence(xw, np.zeros((2, 1)), h, np.zeros((8, 1)))
    with pytest.raises(ValueError, match=r"lengths must be 2 ints in \[0, 3\]"):
        autograd.gru_sequence(np.zeros((3, 2, 6)), h, np.zeros((6, 2)), lengths=[4, 1])
    with pytest.raises(ValueError, match="xw must be 3-D"):
        autograd.rnn_tanh_sequence(np.zeros((3, 2)), h, np.zeros((2, 2)))
    with pytest.raises(TypeError, match="one float dtype"):
        autograd.rnn_tanh_sequence(np.zeros((3, 2, 2), np.float32), h, np.zeros((2, 2)))


@pytest.mark.parametrize("fused", [True, False])
def test_an_input_of_another_dtype_raises_torch_s_error(fused, monkeypatch):
    torch = pytest.importorskip("torch")
    monkeypatch.setattr(recurrent_steps, "FUSED", fused)
    x = np.zeros((4, 1, 2))
    with pytest.raises(ValueError) as ours:
        nn.LSTM(2, 3)(Tensor(x))
    with pytest.raises(ValueError) as theirs:
        torch.nn.LSTM(2, 3)(torch.tensor(x))
    assert str(ours.value) == str(theirs.value).replace("torch.", "")


@pytest.mark.parametrize("name", ["rnn_tanh_cell", "rnn_relu_cell", "lstm_cell", "gru_cell"])
def test_cell_functions_are_torch_s(name):
    torch = pytest.importorskip("torch")
    gates = {"lstm_cell": 4, "gru_cell": 3}.get(name, 1)
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=s) for s in [(2, 3), (2, 4), (gates * 4, 3), (gates * 4, 4)]]
    arrays += [rng.normal(size=gates * 4), rng.normal(size=gates * 4)]
    ours = [Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    if name == "lstm_cell":
        c = rng.normal(size=(2, 4))
        ours_c, theirs_c = Tensor(c, requires_grad=True), torch.tensor(c, requires_grad=True)
        a = getattr(autograd, name)(ours[0], (ours[1], ours_c), *ours[2:])
        b = getattr(torch, name)(theirs[0], (theirs[1], theirs_c), *theirs[2:])
        ours.append(ours_c)
        theirs.append(theirs_c)
    else:
        a = (getattr(autograd, name)(*ours),)
        b = (getattr(torch, name)(*theirs),)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_allclose(u.data, v.detach().numpy(), rtol=1e-12, atol=1e-12)
    sum((u * (k + 1.0)).sum() for k, u in enumerate(a)).backward()
    sum((v * (k + 1.0)).sum() for k, v in enumerate(b)).backward()
    for u, v in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(u.grad.data, v.grad.numpy(), rtol=1e-12, atol=1e-12)


def _train(seed: int, steps: int = 4) -> list[np.ndarray]:
    """A few SGD steps of a two-layer LSTM on data drawn from `seed`: its final weights."""
    model = nn.LSTM(3, 5, num_layers=2, dtype=np.float64)
    rng = np.random.default_rng(seed)
    for p in model.parameters():
        p.data[...] = rng.uniform(-0.4, 0.4, p.shape)
    opt = optim.SGD(model.parameters(), lr=0.1)
    x, y = Tensor(rng.normal(size=(7, 4, 3))), Tensor(rng.normal(size=(4, 5)))
    for _ in range(steps):
        opt.zero_grad()
        out, _ = model(x)
        ((out[-1] - y) ** 2).mean().backward()
        opt.step()
    return [p.data.copy() for p in model.parameters()]


def test_two_threads_train_two_lstms_as_one_after_the_other():
    expected = [_train(1), _train(2)]
    results: dict[int, list[np.ndarray]] = {}
    threads = [
        threading.Thread(target=lambda s=s: results.update({s: _train(s, 4)})) for s in (1, 2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for seed, weights in zip((1, 2), expected, strict=True):
        for a, b in zip(results[seed], weights, strict=True):
            np.testing.assert_array_equal(a, b)
