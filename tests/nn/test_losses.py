import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor
from nn import losses

RNG = np.random.default_rng(0)
PRED = RNG.normal(size=(6, 3))
TARGET = RNG.normal(size=(6, 3))
LOGITS = RNG.normal(scale=2, size=(6, 4))
LABELS = np.array([0, 3, 1, 2, 3, 0])
PROBS = RNG.dirichlet(np.ones(4), size=6)
P = RNG.uniform(0.05, 0.95, size=(6, 1))
Y = RNG.integers(0, 2, size=(6, 1)).astype(np.float64)


def _log_softmax(x):
    s = x - x.max(1, keepdims=True)
    return s - np.log(np.exp(s).sum(1, keepdims=True))


# module, input, target, per-element or per-sample loss by hand
CASES = {
    "mse": (nn.MSELoss, PRED, TARGET, (PRED - TARGET) ** 2),
    "l1": (nn.L1Loss, PRED, TARGET, np.abs(PRED - TARGET)),
    "huber": (
        lambda **kw: nn.HuberLoss(delta=0.5, **kw),
        PRED,
        TARGET,
        np.where(
            np.abs(PRED - TARGET) <= 0.5,
            0.5 * (PRED - TARGET) ** 2,
            0.5 * (np.abs(PRED - TARGET) - 0.25),
        ),
    ),
    "bce": (nn.BCELoss, P, Y, -(Y * np.log(P) + (1 - Y) * np.log(1 - P))),
    "bce_logits": (
        nn.BCEWithLogitsLoss,
        PRED[:, :1],
        Y,
        -(
            Y * np.log(1 / (1 + np.exp(-PRED[:, :1])))
            + (1 - Y) * np.log(1 - 1 / (1 + np.exp(-PRED[:, :1])))
        ),
    ),
    "ce_labels": (nn.CrossEntropyLoss, LOGITS, LABELS, -_log_softmax(LOGITS)[np.arange(6), LABELS]),
    "ce_probs": (nn.CrossEntropyLoss, LOGITS, PROBS, -(PROBS * _log_softmax(LOGITS)).sum(1)),
    "ce_smoothed": (
        lambda **kw: nn.CrossEntropyLoss(label_smoothing=0.2, **kw),
        LOGITS,
        LABELS,
        -((0.8 * np.eye(4)[LABELS] + 0.05) * _log_softmax(LOGITS)).sum(1),
    ),
    "nll": (nn.NLLLoss, _log_softmax(LOGITS), LABELS, -_log_softmax(LOGITS)[np.arange(6), LABELS]),
    "cce": (
        nn.CategoricalCrossentropy,
        PROBS,
        np.eye(4)[LABELS],
        -np.log(PROBS[np.arange(6), LABELS]),
    ),
    "sparse_cce": (
        nn.SparseCategoricalCrossentropy,
        PROBS,
        LABELS,
        -np.log(PROBS[np.arange(6), LABELS]),
    ),
    "keras_bce": (nn.BinaryCrossentropy, P, Y, -(Y * np.log(P) + (1 - Y) * np.log(1 - P))),
}
#: Keras's loss objects: called targets first, one value per sample (the mean over the
#: last axis of an elementwise loss).
KERAS = {"cce", "sparse_cce", "keras_bce"}


def _call(name, loss, x, t):
    """`loss` on prediction x and target t, in the order of its library."""
    return loss(t, x) if name in KERAS else loss(x, t)


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_loss_closed_forms(name, reduction):
    make, x, t, expected = CASES[name]
    value = _call(name, make(reduction=reduction), Tensor(x), t).data
    if name == "keras_bce":
        expected = expected.mean(axis=-1)
    reduce = {"mean": np.mean, "sum": np.sum, "none": lambda a: a}[reduction]
    np.testing.assert_allclose(value, reduce(expected), rtol=1e-7)


@pytest.mark.parametrize("name", CASES)
def test_loss_gradcheck(name):
    make, x, t, _ = CASES[name]
    x = Tensor(x.copy(), requires_grad=True)
    loss = make(reduction="none")
    assert autograd.gradcheck(lambda x: _call(name, loss, x, t) * 1.5, x)


def test_invalid_reduction():
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.MSELoss(reduction="avg")


def test_cross_entropy_from_labels_is_one_fused_op():
    x = Tensor(LOGITS, requires_grad=True)
    loss = F.cross_entropy(x, LABELS)
    names = [fn.op_name for fn in autograd.toposort([loss.grad_fn])]
    assert names == ["SoftmaxCrossEntropy"]


def test_cross_entropy_is_stable_for_huge_logits():
    x = Tensor(np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0]], np.float32), requires_grad=True)
    loss = F.cross_entropy(x, np.array([1, 1]))
    assert loss.item() == pytest.approx(1e4, rel=1e-6)
    loss.backward()
    assert np.isfinite(x.grad.data).all()
    np.testing.assert_allclose(x.grad.data, [[0.5, -0.5, 0], [0, 0, 0]], atol=1e-6)


def test_bce_with_logits_is_stable_for_huge_logits():
    x = Tensor(np.array([1e4, -1e4, 1e4, -1e4], np.float32), requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, np.array([1, 0, 0, 1]), reduction="none")
    np.testing.assert_allclose(loss.data, [0, 0, 1e4, 1e4])
    loss.sum().backward()
    np.testing.assert_allclose(x.grad.data, [0, 0, 1, -1])


def test_bce_clamps_log_at_minus_100_with_finite_gradient():
    p = Tensor(np.array([0.0, 1.0, 0.0], np.float32), requires_grad=True)
    loss = F.binary_cross_entropy(p, np.array([1.0, 0.0, 0.0]), reduction="none")
    np.testing.assert_allclose(loss.data, [100, 100, 0])
    loss.sum().backward()
    assert np.isfinite(p.grad.data).all()


def test_bce_rejects_values_outside_0_1():
    with pytest.raises(ValueError, match="probabilities in \\[0, 1\\]"):
        F.binary_cross_entropy(Tensor([1.5]), [1.0])


# Keras's documented examples: keras.losses.*(y_true, y_pred).
def test_keras_categorical_crossentropy_value():
    y_true = np.array([[0, 1, 0], [0, 0, 1]], np.float32)
    y_pred = np.array([[0.05, 0.95, 0], [0.1, 0.8, 0.1]], np.float32)
    per_sample = F.categorical_crossentropy(Tensor(y_pred), y_true, reduction="none")
    np.testing.assert_allclose(per_sample.data, [0.0513, 2.303], atol=1e-3)
    assert losses.get("categorical_crossentropy")(y_true, Tensor(y_pred)).item() == pytest.approx(
        1.177, abs=1e-3
    )
    sparse = losses.get("sparse_categorical_crossentropy")(np.array([1, 2]), Tensor(y_pred))
    assert sparse.item() == pytest.approx(1.177, abs=1e-3)


def test_keras_binary_crossentropy_value():
    y_true = np.array([[0, 1], [0, 0]], np.float32)
    y_pred = np.array([[0.6, 0.4], [0.4, 0.6]], np.float32)
    loss = losses.get("binary_crossentropy")
    assert loss(y_true, Tensor(y_pred)).item() == pytest.approx(0.815, abs=1e-3)
    hard = loss(np.array([[0.0, 1.0]], np.float32), Tensor(np.array([[1.0, 0.0]], np.float32)))
    clipped = np.clip(np.float32([1.0, 0.0]), 1e-7, np.float32(1 - 1e-7))  # as Keras, in float32
    assert hard.item() == pytest.approx(
        -(np.log(1 - clipped[0]) + np.log(clipped[1])) / 2, rel=1e-6
    )  # not inf


def test_keras_losses_rescale_probabilities_like_keras():
    # Keras divides by the row sum before the log: [2, 2] is read as [0.5, 0.5].
    loss = F.categorical_crossentropy(Tensor(np.array([[2.0, 2.0]])), np.array([[1.0, 0.0]]))
    assert loss.item() == pytest.approx(np.log(2))


def test_keras_losses_from_logits_match_torch_style():
    x = Tensor(LOGITS)
    cce = F.categorical_crossentropy(x, np.eye(4)[LABELS], from_logits=True).item()
    sparse = F.sparse_categorical_crossentropy(x, LABELS, from_logits=True).item()
    assert cce == pytest.approx(F.cross_entropy(x, LABELS).item())
    assert sparse == pytest.approx(F.cross_entropy(x, LABELS).item())
    bce = F.binary_crossentropy(Tensor(PRED[:, :1]), Y, from_logits=True).item()
    assert bce == pytest.approx(F.binary_cross_entropy_with_logits(Tensor(PRED[:, :1]), Y).item())


def test_column_and_vector_targets_are_matched():
    pred = Tensor(np.array([[1.0], [2.0], [3.0]]))
    with pytest.warns(UserWarning, match="element by element"):
        assert F.mse_loss(pred, np.array([1.0, 2.0, 4.0])).item() == pytest.approx(1 / 3)
    labels = np.array([[0], [1]])
    assert F.cross_entropy(Tensor(LOGITS[:2]), labels).item() == pytest.approx(
        F.cross_entropy(Tensor(LOGITS[:2]), labels.ravel()).item()
    )


def test_target_shape_mismatch_names_both_shapes():
    with pytest.raises(
        ValueError, match=r"target shape \(3, 2\) does not match input shape \(3, 4\)"
    ):
        F.mse_loss(Tensor(np.zeros((3, 4))), np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"class targets must have shape \(6,\).*got \(5,\)"):
        F.cross_entropy(Tensor(LOGITS), LABELS[:5])


def test_class_target_errors():
    with pytest.raises(ValueError, match=r"\[0, 3\] for 4 classes, got \[4 7\]"):
        F.cross_entropy(Tensor(LOGITS), np.array([0, 4, 1, 7, 0, 0]))
    with pytest.raises(ValueError, match=r"\[0, 3\].*got \[-1\]"):
        F.nll_loss(Tensor(LOGITS), np.array([0, -1, 1, 2, 0, 0]))
    with pytest.raises(RuntimeError, match=r"Long or Byte \(class indices\), but got float64"):
        F.cross_entropy(Tensor(LOGITS), np.array([0, 0.5, 1, 2, 0, 0]))
    with pytest.raises(TypeError, match="dtype <U1"):
        F.cross_entropy(Tensor(LOGITS), np.array(list("abcdef")))
    with pytest.raises(RuntimeError, match="got a 0-d input"):
        F.cross_entropy(Tensor(LOGITS[0, 0]), 1)
    one_sample = F.cross_entropy(Tensor(LOGITS[0]), 1).item()  # logits (C,), as torch takes
    assert one_sample == pytest.approx(F.cross_entropy(Tensor(LOGITS[:1]), [1]).item())
    assert F.cross_entropy(Tensor(LOGITS[0]), [1]).item() == one_sample  # torch takes [1]
    with pytest.raises(RuntimeError, match="1D target must have size 1, but got target size: 2"):
        F.cross_entropy(Tensor(LOGITS[0]), [1, 2])  # torch's words; a target [1] is taken


@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.bool_])
def test_class_targets_that_are_not_integers_are_refused_as_by_torch(loss, dtype):
    """torch refuses float and bool class indices, even whole ones (Keras's sparse
    losses take them: see `sparse_categorical_crossentropy`)."""
    torch = pytest.importorskip("torch")
    labels = (LABELS % 2).astype(dtype)
    with pytest.raises(RuntimeError, match="expected target dtype to be Long or Byte"):
        getattr(torch.nn.functional, loss)(torch.tensor(LOGITS), torch.tensor(labels))
    with pytest.raises(RuntimeError, match="expected target dtype to be Long or Byte"):
        getattr(F, loss)(Tensor(LOGITS), Tensor(labels))


def test_out_of_range_class_targets_raise_torchs_index_error():
    torch = pytest.importorskip("torch")
    with pytest.raises(IndexError, match="Target 4 is out of bounds"):
        torch.nn.functional.cross_entropy(torch.tensor(LOGITS), torch.tensor([0, 4, 1, 2, 0, 0]))
    with pytest.raises(IndexError, match=r"\[0, 3\] for 4 classes, got \[4\]"):
        F.cross_entropy(Tensor(LOGITS), autograd.tensor([0, 4, 1, 2, 0, 0]))


def test_one_hot_as_torch():
    torch = pytest.importorskip("torch")

    for labels, kwargs in (
        ([2, 0], {"num_classes": 3}),
        ([[1, 4], [0, 0]], {}),
        ([], {"num_classes": 2}),
    ):
        ours = F.one_hot(autograd.tensor(np.array(labels, np.int64)), **kwargs)
        theirs = torch.nn.functional.one_hot(torch.tensor(labels, dtype=torch.int64), **kwargs)
        assert ours.dtype == np.int64 and not ours.requires_grad
        np.testing.assert_array_equal(ours.data, theirs.numpy())
    assert F.one_hot(np.array([1], np.uint8), 2).float().dtype == np.float32
    with pytest.raises(ValueError, match="got \\[3\\]"):
        F.one_hot([3], 3)
    with pytest.raises(ValueError, match="got \\[-1\\]"):
        F.one_hot([-1, 1])
    with pytest.raises(TypeError, match="integers, got dtype float32"):
        F.one_hot(Tensor([1.0]), 2)
    with pytest.raises(ValueError, match="infer num_classes from an empty"):
        F.one_hot(np.zeros(0, np.int64))


def test_get_resolves_keras_names():
    expected = {
        "mse": nn.MSELoss,
        "mae": nn.L1Loss,
        "huber": nn.HuberLoss,
        "binary_crossentropy": nn.BinaryCrossentropy,
        "categorical_crossentropy": nn.CategoricalCrossentropy,
        "sparse_categorical_crossentropy": nn.SparseCategoricalCrossentropy,
    }
    for name, cls in expected.items():
        assert type(losses.get(name)) is cls
    loss = nn.MSELoss()
    assert losses.get(loss) is loss
    wrapped = losses.get(F.mse_loss)  # a plain function: called as Keras calls it
    assert isinstance(wrapped, losses.LossFunctionWrapper) and wrapped.fn is F.mse_loss
    with pytest.raises(ValueError, match="unknown loss 'msee'; valid names: mse"):
        losses.get("msee")


TORCH_CASES = {
    "mse": (nn.MSELoss(), "mse_loss", PRED, TARGET, {}),
    "l1": (nn.L1Loss(), "l1_loss", PRED, TARGET, {}),
    "huber": (nn.HuberLoss(delta=0.7), "huber_loss", PRED, TARGET, {"delta": 0.7}),
    "bce": (nn.BCELoss(), "binary_cross_entropy", P, Y, {}),
    "bce_logits": (
        nn.BCEWithLogitsLoss(),
        "binary_cross_entropy_with_logits",
        PRED,
        (TARGET > 0) * 1.0,
        {},
    ),
    "ce": (nn.CrossEntropyLoss(), "cross_entropy", LOGITS, LABELS, {}),
    "ce_probs": (nn.CrossEntropyLoss(), "cross_entropy", LOGITS, PROBS, {}),
    "ce_smooth": (
        nn.CrossEntropyLoss(label_smoothing=0.1),
        "cross_entropy",
        LOGITS,
        LABELS,
        {"label_smoothing": 0.1},
    ),
    "ce_probs_smooth": (
        nn.CrossEntropyLoss(label_smoothing=0.1),
        "cross_entropy",
        LOGITS,
        PROBS,
        {"label_smoothing": 0.1},
    ),
    "nll": (nn.NLLLoss(), "nll_loss", _log_softmax(LOGITS), LABELS, {}),
}


@pytest.mark.parametrize("name", TORCH_CASES)
def test_losses_match_torch(name):
    torch = pytest.importorskip("torch")
    ours, theirs, x, t, kwargs = TORCH_CASES[name]
    a, b = Tensor(x.copy(), requires_grad=True), torch.tensor(x, requires_grad=True)
    la = ours(a, t)
    lb = getattr(torch.nn.functional, theirs)(b, torch.tensor(t), **kwargs)
    assert la.item() == pytest.approx(lb.item(), rel=1e-10)
    la.backward()
    lb.backward()
    np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-8, atol=1e-12)


def test_bce_clamp_matches_torch():
    torch = pytest.importorskip("torch")
    p, y = np.array([0.0, 1.0, 1e-50, 0.3]), np.array([1.0, 0.0, 1.0, 1.0])
    ours = F.binary_cross_entropy(Tensor(p), y, reduction="none").data
    theirs = torch.nn.functional.binary_cross_entropy(
        torch.tensor(p), torch.tensor(y), reduction="none"
    )
    np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-12)


def _same_as_torch(ours, theirs, ours_x, theirs_x, rtol):
    """The same loss values, and the same gradients of the summed losses."""
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=rtol, atol=1e-12)
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_allclose(ours_x.grad.data, theirs_x.grad.numpy(), rtol=rtol, atol=1e-12)


# torch's class weights and ignore_index, compared with torch itself.
WEIGHT = np.array([0.5, 2.0, 1.0, 3.0])
CLASS_OPTIONS = [
    {},
    {"weight": WEIGHT},
    {"ignore_index": 1},
    {"ignore_index": 1, "weight": WEIGHT},
    {"label_smoothing": 0.2, "weight": WEIGHT},
    {"label_smoothing": 0.3, "weight": WEIGHT, "ignore_index": 3},
]


def _class_cases():
    """(name, targets, options): nll_loss takes class indices and no smoothing, and a
    label of -100 is out of range unless it is the class ignored (as in torch)."""
    for name in ("cross_entropy", "nll_loss"):
        for targets in ("labels", "labels with -100", "probabilities"):
            for options in CLASS_OPTIONS:
                if name == "nll_loss" and (
                    "label_smoothing" in options or targets == "probabilities"
                ):
                    continue
                if targets != "labels" and "ignore_index" in options:
                    continue
                yield pytest.param(name, targets, options, id=f"{name}-{targets}-{options}")


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(("name", "targets", "options"), list(_class_cases()))
def test_class_weights_and_ignore_index_match_torch(reduction, name, targets, options):
    torch = pytest.importorskip("torch")
    target = {"labels": LABELS, "labels with -100": np.where(LABELS == 2, -100, LABELS)}
    target["probabilities"] = PROBS
    y = target[targets]
    ours_x = Tensor(LOGITS.copy(), requires_grad=True)
    theirs_x = torch.tensor(LOGITS.copy(), requires_grad=True)
    theirs_options = {k: torch.tensor(v) if k == "weight" else v for k, v in options.items()}
    if name == "nll_loss":
        ours = F.nll_loss(ours_x.log_softmax(axis=1), y, reduction=reduction, **options)
        theirs = torch.nn.functional.nll_loss(
            theirs_x.log_softmax(1), torch.tensor(y), reduction=reduction, **theirs_options
        )
    else:
        ours = F.cross_entropy(ours_x, y, reduction=reduction, **options)
        theirs = torch.nn.functional.cross_entropy(
            theirs_x, torch.tensor(y), reduction=reduction, **theirs_options
        )
    _same_as_torch(ours, theirs, ours_x, theirs_x, rtol=1e-12)


def test_loss_modules_take_torch_options():
    torch = pytest.importorskip("torch")
    ours = nn.CrossEntropyLoss(weight=Tensor(WEIGHT), ignore_index=0)(Tensor(LOGITS), LABELS)
    theirs = torch.nn.CrossEntropyLoss(weight=torch.tensor(WEIGHT), ignore_index=0)(
        torch.tensor(LOGITS), torch.tensor(LABELS)
    )
    assert ours.item() == pytest.approx(theirs.item(), rel=1e-12)
    nll = nn.NLLLoss(weight=WEIGHT, reduction="sum")(Tensor(LOGITS), LABELS)
    expected = torch.nn.NLLLoss(weight=torch.tensor(WEIGHT), reduction="sum")(
        torch.tensor(LOGITS), torch.tensor(LABELS)
    )
    assert nll.item() == pytest.approx(expected.item(), rel=1e-12)


def test_class_weights_that_require_grad_are_refused_as_in_torch():
    with pytest.raises(ValueError, match="weight must not require grad"):
        F.cross_entropy(Tensor(LOGITS), LABELS, weight=Tensor(WEIGHT, requires_grad=True))


def test_every_sample_ignored_gives_nan_as_torch():
    with np.errstate(all="raise"):  # and no numpy warning on the way
        loss = F.cross_entropy(Tensor(LOGITS), np.full(6, -100))
    assert np.isnan(loss.item())


def test_plain_class_targets_keep_the_fused_op():
    loss = F.cross_entropy(Tensor(LOGITS, requires_grad=True), LABELS)
    assert loss.grad_fn.name() == "SoftmaxCrossEntropyBackward"


def test_class_weight_errors_are_clear():
    with pytest.raises(ValueError, match=r"weight must hold one value per class, shape \(4,\)"):
        F.cross_entropy(Tensor(LOGITS), LABELS, weight=np.ones(3))
    with pytest.raises(ValueError, match=r"class targets must be in \[0, 3\].*\[-100\]"):
        F.cross_entropy(Tensor(LOGITS), np.array([0, 1, 2, 3, -100, 0]), ignore_index=1)


BCE_X = np.random.default_rng(7).normal(scale=3, size=(5, 3))
BCE_Y = (np.random.default_rng(8).random((5, 3)) > 0.5).astype(float)
BCE_OPTIONS = {
    "plain": {},
    "weight per row": {"weight": np.linspace(0.5, 1.5, 5).reshape(5, 1)},
    "weight per class": {"weight": np.array([1.0, 3.0, 0.5])},
    "pos_weight": {"pos_weight": np.array([1.0, 3.0, 0.5])},
    "both": {"weight": np.linspace(0.5, 1.5, 5).reshape(5, 1), "pos_weight": np.array([2.0])},
}


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("options", BCE_OPTIONS.values(), ids=BCE_OPTIONS.keys())
@pytest.mark.parametrize("name", ["binary_cross_entropy", "binary_cross_entropy_with_logits"])
def test_binary_cross_entropy_weights_match_torch(reduction, options, name):
    torch = pytest.importorskip("torch")
    if name == "binary_cross_entropy" and "pos_weight" in options:
        options = {k: v for k, v in options.items() if k != "pos_weight"}  # BCELoss has none
    x = BCE_X if name.endswith("logits") else 1 / (1 + np.exp(-BCE_X))
    ours_x = Tensor(x.copy(), requires_grad=True)
    theirs_x = torch.tensor(x.copy(), requires_grad=True)
    ours = getattr(F, name)(ours_x, BCE_Y, reduction=reduction, **options)
    theirs = getattr(torch.nn.functional, name)(
        theirs_x,
        torch.tensor(BCE_Y),
        reduction=reduction,
        **{
            k: torch.tensor(np.broadcast_to(v, x.shape).copy())
            if k == "weight"
            else torch.tensor(v)
            for k, v in options.items()
        },
    )
    _same_as_torch(ours, theirs, ours_x, theirs_x, rtol=1e-10)


def test_bce_loss_modules_take_torch_weights():
    torch = pytest.importorskip("torch")
    pos = np.array([1.0, 3.0, 0.5])
    ours = nn.BCEWithLogitsLoss(pos_weight=pos)(Tensor(BCE_X), BCE_Y).item()
    theirs = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pos))(
        torch.tensor(BCE_X), torch.tensor(BCE_Y)
    ).item()
    assert ours == pytest.approx(theirs, rel=1e-12)
    p = 1 / (1 + np.exp(-BCE_X))
    ours = nn.BCELoss(weight=pos, reduction="sum")(Tensor(p), BCE_Y).item()
    theirs = torch.nn.BCELoss(weight=torch.tensor(pos), reduction="sum")(
        torch.tensor(p), torch.tensor(BCE_Y)
    ).item()
    assert ours == pytest.approx(theirs, rel=1e-12)


def test_bce_weights_that_do_not_broadcast_are_named():
    with pytest.raises(ValueError, match=r"pos_weight of shape \(2,\) does not broadcast"):
        F.binary_cross_entropy_with_logits(Tensor(BCE_X), BCE_Y, pos_weight=np.ones(2))
    with pytest.raises(ValueError, match=r"weight of shape \(4,\) does not broadcast to \(5, 3\)"):
        F.binary_cross_entropy(Tensor(1 / (1 + np.exp(-BCE_X))), BCE_Y, weight=np.ones(4))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(
    "options", [{}, {"weight": True}, {"label_smoothing": 0.1}, {"ignore_index": 2}]
)
@pytest.mark.parametrize("targets", ["indices", "probabilities"])
def test_cross_entropy_of_k_dimensional_logits_as_torch(reduction, options, targets):
    """Logits (N, C, d1, d2), a class per position (GPT's (B, C, T) without the
    `view`): torch's values, shapes and gradients; before, a ValueError."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 5, 3, 4))
    if targets == "indices":
        y = rng.integers(0, 5, size=(2, 3, 4))
        y[0, 0, 0] = options.get("ignore_index", -100)  # a position not counted
    else:
        y = rng.random(size=x.shape)
        y /= y.sum(axis=1, keepdims=True)
    w = rng.random(5)
    kwargs = {k: v for k, v in options.items() if k != "weight"}
    theirs_x = torch.tensor(x, requires_grad=True)
    ours_x = autograd.tensor(x, requires_grad=True)
    if targets == "probabilities" and "ignore_index" in options:
        match = "ignore_index.* is not supported for floating point target"
        with pytest.raises(RuntimeError, match=match):
            torch.nn.functional.cross_entropy(theirs_x, torch.tensor(y), **kwargs)
        with pytest.raises(RuntimeError, match=match):
            F.cross_entropy(ours_x, autograd.tensor(y), **kwargs)
        return
    theirs = torch.nn.functional.cross_entropy(
        theirs_x, torch.tensor(y), torch.tensor(w) if options.get("weight") else None,
        reduction=reduction, **kwargs,
    )  # fmt: skip
    ours = F.cross_entropy(
        ours_x, autograd.tensor(y), autograd.tensor(w) if options.get("weight") else None,
        reduction=reduction, **kwargs,
    )  # fmt: skip
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-12)
    theirs.sum().backward()
    ours.sum().backward()
    np.testing.assert_allclose(ours_x.grad.numpy(), theirs_x.grad.numpy(), rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_nll_loss_and_cross_entropy_of_one_sample_and_of_k_dims_as_torch(reduction):
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    logp = np.log(np.full((2, 3, 4), 1 / 3)) + np.arange(24).reshape(2, 3, 4) / 10
    y = np.array([[0, 1, 2, 1], [2, 2, 0, 1]])
    theirs = tf.nll_loss(torch.tensor(logp), torch.tensor(y), reduction=reduction)
    ours = F.nll_loss(autograd.tensor(logp), autograd.tensor(y), reduction=reduction)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
    theirs = tf.cross_entropy(torch.tensor(logp[0, :, 0]), torch.tensor(2), reduction=reduction)
    ours = F.cross_entropy(autograd.tensor(logp[0, :, 0]), autograd.tensor(2), reduction=reduction)
    assert ours.shape == tuple(theirs.shape) == ()
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


def test_cross_entropy_of_k_dims_names_the_target_size_torch_expects():
    torch = pytest.importorskip("torch")
    x, y = np.zeros((2, 3, 4)), np.zeros((2, 3), np.int64)
    with pytest.raises(RuntimeError, match=r"xpected target size \[2, 4\], got \[2, 3\]"):
        torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor(y))
    with pytest.raises(RuntimeError, match=r"xpected target size \[2, 4\], got \[2, 3\]"):
        F.cross_entropy(autograd.tensor(x), autograd.tensor(y))
