"""The top-level forms `autograd.pdist`, `selu_`, `celu_`, `rrelu_`, `threshold_`,
`feature_alpha_dropout` and `ctc_loss` (torch's signatures, reduction codes and
defaults) compared with torch's in float64."""

from __future__ import annotations

import numpy as np
import pytest

import autograd

torch = pytest.importorskip("torch")


def _both(values):
    return autograd.tensor(values.copy()), torch.tensor(values.copy())


def test_pdist():
    a, b = _both(np.random.default_rng(0).normal(size=(5, 3)))
    np.testing.assert_allclose(autograd.pdist(a).data, torch.pdist(b).numpy(), rtol=1e-13)
    np.testing.assert_allclose(autograd.pdist(a, 1).data, torch.pdist(b, 1).numpy(), rtol=1e-13)


@pytest.mark.parametrize(
    "name, args",
    [
        ("selu_", ()),
        ("celu_", ()),
        ("celu_", (0.5,)),
        ("rrelu_", ()),
        ("rrelu_", (0.1, 0.2)),
        ("threshold_", (0.1, -2.0)),
    ],
)
def test_inplace_activations(name, args):
    a, b = _both(np.random.default_rng(1).normal(size=(4, 5)))
    out, expected = getattr(autograd, name)(a, *args), getattr(torch, name)(b, *args)
    assert out is a and expected is b
    np.testing.assert_allclose(a.data, b.numpy(), rtol=1e-13)


def test_rrelu_training_with_a_generator():
    a, b = _both(np.random.default_rng(2).normal(size=(4, 5)))
    autograd.rrelu_(a, 0.1, 0.3, True, autograd.Generator().manual_seed(3))
    torch.rrelu_(b, 0.1, 0.3, True, torch.Generator().manual_seed(3))
    np.testing.assert_allclose(a.data, b.numpy(), rtol=1e-13)


def test_feature_alpha_dropout():
    a, b = _both(np.random.default_rng(4).normal(size=(6, 4, 3)))
    autograd.manual_seed(5)
    torch.manual_seed(5)
    out, expected = (
        autograd.feature_alpha_dropout(a, 0.4, True),
        torch.feature_alpha_dropout(b, 0.4, True),
    )
    np.testing.assert_allclose(out.data, expected.numpy(), rtol=1e-13)
    assert autograd.feature_alpha_dropout(a, 0.4, False) is a


@pytest.mark.parametrize("reduction", [None, 0, 1, 2])
def test_ctc_loss_reduction_codes(reduction):
    rng = np.random.default_rng(6)
    lp = torch.tensor(rng.normal(size=(6, 2, 5))).log_softmax(-1)
    targets = np.array([[1, 2, 2], [3, 4, 0]])
    args = ([6, 5], [3, 2]) if reduction is None else ([6, 5], [3, 2], 0, reduction)
    out = autograd.ctc_loss(autograd.tensor(lp.numpy()), autograd.tensor(targets), *args)
    expected = torch.ctc_loss(lp, torch.tensor(targets), *args)
    assert out.shape == tuple(expected.shape)
    np.testing.assert_allclose(out.data, expected.numpy(), rtol=1e-12)
    with pytest.raises(TypeError):
        autograd.ctc_loss(
            autograd.tensor(lp.numpy()), autograd.tensor(targets), [6, 5], [3, 2], 0, "mean"
        )
