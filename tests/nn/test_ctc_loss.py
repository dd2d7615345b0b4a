"""`F.ctc_loss` and `nn.CTCLoss` compared with torch in float64: losses and gradients
(of the log-probabilities as a leaf, torch's formula, and through log_softmax to the
logits) for every reduction, padded and concatenated targets, any blank, repeated
labels, empty targets, input lengths shorter than T, impossible alignments (infinite
losses, with and without zero_infinity), unbatched inputs, float32, and torch's errors."""

from __future__ import annotations

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _targets(rng, batch, width, classes, blank):
    labels = rng.integers(0, classes - 1, size=(batch, width))
    return labels + (labels >= blank)  # any class but the blank


def _compare(
    logits, targets, input_lengths, target_lengths, *, through_softmax=False, seed=0,
    rtol=1e-11, atol=1e-12, **kwargs,
):  # fmt: skip
    """Loss and gradient, ours against torch's; the gradient of the log-probabilities
    (a leaf) or, `through_softmax`, of the logits."""
    lp_np = torch.tensor(logits).log_softmax(-1).numpy()
    if through_softmax:
        a, ta = Tensor(logits.copy(), requires_grad=True), torch.tensor(logits, requires_grad=True)
        lp, tlp = a.log_softmax(-1), ta.log_softmax(-1)
    else:
        a, ta = Tensor(lp_np.copy(), requires_grad=True), torch.tensor(lp_np, requires_grad=True)
        lp, tlp = a, ta
    out = F.ctc_loss(lp, Tensor(targets), Tensor(input_lengths), Tensor(target_lengths), **kwargs)
    expected = TF.ctc_loss(
        tlp, torch.tensor(targets), torch.tensor(input_lengths), torch.tensor(target_lengths),
        **kwargs,
    )  # fmt: skip
    assert out.shape == tuple(expected.shape) and out.dtype == logits.dtype
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=rtol, atol=atol)
    w = np.random.default_rng(seed).uniform(0.5, 1.5, size=out.shape).astype(logits.dtype)
    (out * Tensor(w)).sum().backward()
    (expected * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(a.grad.data, ta.grad.numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize("through_softmax", [False, True])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("concatenated", [False, True])
@pytest.mark.parametrize("blank", [0, 3, 6])
def test_ctc_loss_matches_torch(blank, concatenated, reduction, through_softmax):
    rng = np.random.default_rng(blank)
    steps, batch, classes = 12, 4, 7
    logits = rng.normal(size=(steps, batch, classes))
    target_lengths = np.array([5, 3, 4, 1])
    input_lengths = np.array([12, 9, 7, 3])
    targets = _targets(rng, batch, 6, classes, blank)
    if concatenated:
        targets = np.concatenate([targets[n, :k] for n, k in enumerate(target_lengths)])
    _compare(
        logits, targets, input_lengths, target_lengths, blank=blank, reduction=reduction,
        through_softmax=through_softmax,
    )  # fmt: skip


def test_ctc_loss_repeated_labels_and_empty_targets():
    """Repeats need a blank between them (no s - 2 skip); an empty target is all blanks."""
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(8, 4, 4))
    targets = np.array([[1, 1, 1], [2, 2, 3], [3, 0, 0], [1, 2, 1]])
    _compare(logits, targets, np.array([8, 8, 6, 5]), np.array([3, 3, 0, 3]), reduction="none")


def test_ctc_loss_length_one_time_and_exact_fit():
    rng = np.random.default_rng(2)
    logits = rng.normal(size=(3, 3, 5))
    targets = np.array([[2, 0, 0], [1, 3, 4], [4, 0, 0]])
    # one step for one label; three steps for three different labels (one path)
    _compare(logits, targets, np.array([1, 3, 2]), np.array([1, 3, 0]), reduction="none")


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("zero_infinity", [False, True])
def test_ctc_loss_impossible_alignments(zero_infinity, reduction):
    """Inputs too short for their targets (repeats need blanks between them): an
    infinite loss (NaN gradients where torch's are), or 0 with zero_infinity."""
    rng = np.random.default_rng(3)
    logits = rng.normal(size=(6, 3, 5))
    targets = np.array([[1, 2, 3], [2, 2, 0], [1, 4, 0]])
    input_lengths, target_lengths = np.array([2, 2, 6]), np.array([3, 2, 2])
    _compare(
        logits, targets, input_lengths, target_lengths, zero_infinity=zero_infinity,
        reduction=reduction, through_softmax=True,
    )  # fmt: skip
    out = F.ctc_loss(
        Tensor(logits).log_softmax(-1), Tensor(targets), Tensor(input_lengths),
        Tensor(target_lengths), reduction="none", zero_infinity=zero_infinity,
    )  # fmt: skip
    assert (out.data[:2] == 0).all() if zero_infinity else np.isinf(out.data[:2]).all()


def test_ctc_loss_unbatched_and_lengths_as_sequences():
    rng = np.random.default_rng(4)
    logits = rng.normal(size=(7, 5))
    targets = np.array([1, 3, 3, 2])
    a, ta = Tensor(logits.copy(), requires_grad=True), torch.tensor(logits, requires_grad=True)
    out = F.ctc_loss(a.log_softmax(-1), Tensor(targets), Tensor(np.array(7)), Tensor(np.array(4)))
    expected = TF.ctc_loss(
        ta.log_softmax(-1), torch.tensor(targets), torch.tensor(7), torch.tensor(4)
    )
    assert out.shape == () == tuple(expected.shape)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12)
    out.backward()
    expected.backward()
    np.testing.assert_allclose(a.grad.data, ta.grad.numpy(), rtol=1e-11, atol=1e-12)
    batched = rng.normal(size=(5, 2, 4))
    targets = np.array([[1, 2], [3, 0]])
    lp = torch.tensor(batched).log_softmax(-1)
    ours = F.ctc_loss(Tensor(lp.numpy()), Tensor(targets), (5, 4), [2, 1], reduction="none")
    theirs = TF.ctc_loss(lp, torch.tensor(targets), (5, 4), (2, 1), reduction="none")
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12)


def test_ctc_loss_float32():
    rng = np.random.default_rng(5)
    logits = rng.normal(size=(10, 3, 6)).astype(np.float32)
    targets = _targets(rng, 3, 4, 6, 0)
    _compare(
        logits, targets, np.array([10, 8, 9]), np.array([4, 2, 3]), through_softmax=True,
        rtol=1e-5, atol=1e-6,
    )  # fmt: skip


def test_ctc_loss_module():
    assert repr(nn.CTCLoss()) == repr(torch.nn.CTCLoss()) == "CTCLoss()"
    ours = nn.CTCLoss(blank=2, reduction="sum", zero_infinity=True)
    theirs = torch.nn.CTCLoss(blank=2, reduction="sum", zero_infinity=True)
    rng = np.random.default_rng(6)
    lp = torch.tensor(rng.normal(size=(6, 2, 4))).log_softmax(-1)
    targets = np.array([[1, 3, 3], [0, 1, 0]])
    args = (np.array([6, 2]), np.array([3, 3]))  # the second is impossible
    out = ours(Tensor(lp.numpy()), Tensor(targets), *(Tensor(v) for v in args))
    expected = theirs(lp, torch.tensor(targets), *(torch.tensor(v) for v in args))
    np.testing.assert_allclose(out.data, expected.numpy(), rtol=1e-12)
    with pytest.raises(ValueError):
        nn.CTCLoss(reduction="avg")


def _error_case(**changes):
    case = {
        "lp": np.zeros((6, 2, 5)),
        "targets": np.array([[1, 2, 2], [3, 1, 0]]),
        "input_lengths": np.array([6, 5]),
        "target_lengths": np.array([3, 2]),
        "kwargs": {},
    }
    case.update(changes)
    return case


@pytest.mark.parametrize(
    "case, error, match",
    [
        (_error_case(kwargs={"blank": 5}), RuntimeError, "blank must be in label range"),
        (_error_case(kwargs={"blank": -1}), RuntimeError, "blank must be in label range"),
        (_error_case(kwargs={"reduction": "avg"}), ValueError, "not a valid value"),
        (_error_case(input_lengths=np.array([7, 5])), RuntimeError, "at most 6"),
        (_error_case(input_lengths=np.array([-1, 5])), RuntimeError, "at least 0"),
        (_error_case(target_lengths=np.array([-1, 2])), RuntimeError, "at least 0"),
        (_error_case(target_lengths=np.array([4, 2])), RuntimeError, "size at least 4"),
        (_error_case(input_lengths=np.array([6])), RuntimeError, "size batch_size"),
        (_error_case(input_lengths=np.array([6.0, 5.0])), RuntimeError, "integral"),
        (_error_case(targets=np.array([1, 2, 2, 3])), RuntimeError, "size 5 at dimension 0"),
        (_error_case(lp=np.zeros((6, 0, 5))), RuntimeError, "must not be empty"),
        (_error_case(lp=np.zeros((1, 6, 2, 5))), RuntimeError, "3-dimensional"),
    ],
)
def test_ctc_loss_errors_as_torch(case, error, match):
    def call(lib, wrap):
        empty = case["lp"].shape[1:2] == (0,)
        lengths = [v[:0] if empty else v for v in (case["input_lengths"], case["target_lengths"])]
        return lib.ctc_loss(
            wrap(case["lp"]), wrap(case["targets"][:0] if empty else case["targets"]),
            *(wrap(v) for v in lengths), **case["kwargs"],
        )  # fmt: skip

    with pytest.raises(error):
        call(TF, torch.tensor)
    with pytest.raises(error, match=match):
        call(F, Tensor)


def test_ctc_loss_labels_out_of_range_raise():
    """torch reads outside log_probs for such a label; here it is an error."""
    lp = Tensor(np.zeros((4, 1, 3)))
    with pytest.raises(RuntimeError, match="target labels must be in"):
        F.ctc_loss(lp, Tensor(np.array([[1, 5]])), Tensor(np.array([4])), Tensor(np.array([2])))


def test_ctc_loss_gradient_through_log_softmax_by_finite_differences():
    """Through log_softmax, torch's formula is the loss's true gradient."""
    from autograd import gradcheck

    rng = np.random.default_rng(7)
    x = Tensor(rng.normal(size=(7, 2, 5)), requires_grad=True)
    targets = Tensor(np.array([[1, 2, 2], [3, 1, 0]]))
    lengths = Tensor(np.array([7, 5])), Tensor(np.array([3, 2]))
    assert gradcheck(lambda a: F.ctc_loss(a.log_softmax(-1), targets, *lengths), [x])
