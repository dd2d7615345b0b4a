"""Daniel Bourke's "Zero to Mastery: Learn PyTorch for Deep Learning", notebooks 00
(fundamentals) and 02 (classification), run twice: with torch and with
``import autograd as torch`` (its `nn`, `optim` and `utils.data` are gradwork's), seeded
alike, in float64 and in float32. The data are the notebooks' (scikit-learn's
`make_circles` and `make_blobs`), fewer epochs. (Notebook 01, the workflow, gave
torch's numbers as it was.) Printed numbers, dtypes, model reprs,
state_dicts and the decision-boundary grids must agree.

Spellings that differ from the notebooks: dtypes print as numpy's names (``float32``,
torch's ``torch.float32``) and tensors as ``Tensor(...)`` (torch's ``tensor(...)``);
both are compared through `printed`. The notebooks convert their data with
``.type(torch.float)`` and ``.float()``: in the float64 run that is the default dtype
(torch's `nn.Linear` refuses a float32 input with float64 weights; here it promotes). Numbers in
printed lines are compared within the dtype's tolerance.
"""

from __future__ import annotations

import re
import types
from typing import Any

import numpy as np
import pytest

import autograd

torch = pytest.importorskip("torch")
sklearn_datasets = pytest.importorskip("sklearn.datasets")
model_selection = pytest.importorskip("sklearn.model_selection")

from tests.test_d2l_vs_torch import DTYPES, assert_same, printed, run  # noqa: E402


def as_printed(value: Any) -> Any:
    """torch's strings with this package's spellings; numbers in a printed line as
    floats, so their last digits are compared within the dtype's tolerance."""
    if isinstance(value, str):
        text = printed(value)
        numbers = re.findall(r"\d+\.\d+", text)
        return [re.sub(r"\d+\.\d+", "#", text), *map(float, numbers)] if numbers else text
    if isinstance(value, list | tuple):
        return [as_printed(v) for v in value]
    return value


def compare(lesson: Any, dtype: str) -> None:
    ours, theirs = run(lesson, dtype)
    assert_same(
        {k: as_printed(v) for k, v in ours.items()},
        {k: as_printed(v) for k, v in theirs.items()},
        dtype,
    )


def raises(fn: Any) -> str:
    """The error `fn` raises, by kind: both libraries' errors are RuntimeErrors."""
    try:
        fn()
    except RuntimeError:
        return "RuntimeError"
    return "no error"


def fundamentals(torch: types.ModuleType) -> dict[str, Any]:
    """Notebook 00: creating tensors, dtypes, operations, aggregation, reshaping,
    indexing, numpy, reproducibility and devices."""
    out: dict[str, Any] = {}
    float_ = torch.get_default_dtype()
    scalar = torch.tensor(7)
    out["scalar"] = [scalar, scalar.ndim, scalar.item(), str(scalar)]
    TENSOR = torch.tensor([[[1, 2, 3], [3, 6, 9], [2, 4, 5]]])
    out["TENSOR"] = [TENSOR.ndim, tuple(TENSOR.shape), TENSOR[0]]
    torch.manual_seed(0)
    random_tensor = torch.rand(size=(3, 4))
    out["rand"] = [random_tensor, str(random_tensor.dtype)]
    zeros = torch.zeros(size=(3, 4))
    out["zeros"] = [zeros, str(zeros.dtype), torch.ones(size=(3, 4))]
    with pytest.warns(UserWarning, match="torch.range is deprecated"):
        out["range"] = torch.range(0, 10)  # the notebook's zero_to_ten_deprecated
    zero_to_ten = torch.arange(start=0, end=10, step=1)
    ten_zeros = torch.zeros_like(input=zero_to_ten)
    out["arange"] = [zero_to_ten, str(zero_to_ten.dtype), ten_zeros, str(ten_zeros.dtype)]
    float_32_tensor = torch.tensor([3.0, 6.0, 9.0], dtype=None, device=None, requires_grad=False)
    float_16_tensor = float_32_tensor.type(torch.float16)
    out["dtypes"] = [
        str(float_32_tensor.dtype),
        str(float_32_tensor.device),
        str(float_16_tensor.dtype),
        float_16_tensor * float_32_tensor,
        str((float_16_tensor * torch.tensor([3, 6, 9], dtype=torch.int32)).dtype),
    ]
    tensor = torch.tensor([1, 2, 3])
    out["ops"] = [
        tensor + 10,
        tensor * 10,
        tensor - 10,
        torch.multiply(tensor, 10),
        torch.mul(tensor, 10),
        torch.add(tensor, 10),
        torch.sub(tensor, 10),
        torch.subtract(tensor, 10),
        torch.divide(tensor, 10),
        tensor * tensor,
        torch.matmul(tensor, tensor),
        tensor @ tensor,
    ]
    tensor_A = torch.tensor([[1, 2], [3, 4], [5, 6]], dtype=float_)
    tensor_B = torch.tensor([[7, 10], [8, 11], [9, 12]], dtype=float_)
    out["mm error"] = raises(lambda: torch.mm(tensor_A, tensor_B))
    out["mm"] = [tensor_B.T, torch.mm(tensor_A, tensor_B.T), torch.matmul(tensor_A, tensor_B.T)]
    torch.manual_seed(42)
    linear = torch.nn.Linear(in_features=2, out_features=6)
    out["linear"] = linear(tensor_A)
    x = torch.arange(0, 100, 10)
    out["agg"] = [x.min(), x.max(), torch.mean(x.type(torch.float32)), x.sum(), torch.max(x)]
    out["mean of ints"] = raises(lambda: torch.mean(x))
    out["argmax"] = [x.argmax(), x.argmin(), torch.argmax(x)]
    x = torch.arange(1.0, 8.0)
    z = x.view(1, 7)
    z[:, 0] = 5
    out["view"] = [z, x, torch.stack([x, x], dim=0), torch.stack([x, x], dim=1)]
    x_reshaped = x.reshape(1, 7)
    x_squeezed = x_reshaped.squeeze()
    out["squeeze"] = [x_squeezed, x_squeezed.unsqueeze(dim=0)]
    x_original = torch.rand(size=(4, 5, 3))
    x_permuted = x_original.permute(2, 0, 1)
    x_original[0, 0, 0] = 728218
    out["permute"] = [tuple(x_permuted.shape), x_permuted[0, 0, 0]]
    x = torch.arange(1, 10).reshape(1, 3, 3)
    out["index"] = [x[0][0], x[0][2][2], x[:, 0], x[:, :, 1], x[:, 1, 1], x[0, 0, :]]
    array = np.arange(1.0, 8.0)
    from_numpy = torch.from_numpy(array)
    out["numpy"] = [from_numpy, str(from_numpy.dtype), torch.ones(7).numpy()]
    RANDOM_SEED = 42
    torch.manual_seed(seed=RANDOM_SEED)
    random_tensor_C = torch.rand(3, 4)
    torch.random.manual_seed(seed=RANDOM_SEED)
    random_tensor_D = torch.rand(3, 4)
    out["seed"] = [random_tensor_C, random_tensor_C == random_tensor_D]
    device = "cuda" if torch.cuda.is_available() else "cpu"
    tensor_on_device = tensor.to(device)
    out["device"] = [device, str(tensor_on_device.device), tensor_on_device.cpu().numpy()]
    return out


@pytest.mark.parametrize("dtype", DTYPES)
def test_fundamentals(dtype):
    compare(fundamentals, dtype)


def accuracy_fn(torch: types.ModuleType, y_true: Any, y_pred: Any) -> float:
    correct = torch.eq(y_true, y_pred).sum().item()
    return (correct / len(y_pred)) * 100


def plot_decision_boundary(torch: types.ModuleType, model: Any, X: Any, y: Any) -> Any:
    """The notebook's helper (its helper_functions.py), drawn on an Agg canvas; the grid
    of predicted classes."""
    plt = pytest.importorskip("matplotlib.pyplot")
    model.to("cpu")
    X, y = X.to("cpu"), y.to("cpu")
    x_min, x_max = X[:, 0].min() - 0.1, X[:, 0].max() + 0.1
    y_min, y_max = X[:, 1].min() - 0.1, X[:, 1].max() + 0.1
    xx, yy = np.meshgrid(np.linspace(x_min, x_max, 41), np.linspace(y_min, y_max, 41))
    X_to_pred_on = torch.from_numpy(np.column_stack((xx.ravel(), yy.ravel())))
    X_to_pred_on = X_to_pred_on.type(torch.get_default_dtype())  # the notebook's .float()
    model.eval()
    with torch.inference_mode():
        y_logits = model(X_to_pred_on)
    if len(torch.unique(y)) > 2:
        y_pred = torch.softmax(y_logits, dim=1).argmax(dim=1)
    else:
        y_pred = torch.round(torch.sigmoid(y_logits))
    y_pred = y_pred.reshape(xx.shape).detach().numpy()
    plt.figure()
    plt.contourf(xx, yy, y_pred, cmap=plt.cm.RdYlBu, alpha=0.7)
    plt.scatter(X[:, 0], X[:, 1], c=y, s=40, cmap=plt.cm.RdYlBu)
    plt.close("all")
    return y_pred


def classification(torch: types.ModuleType) -> dict[str, Any]:
    """Notebook 02: circles with BCEWithLogitsLoss (linear, then with ReLU), the
    decision boundaries, and blobs with CrossEntropyLoss."""
    pytest.importorskip("matplotlib").use("Agg")
    nn = torch.nn
    float_ = torch.get_default_dtype()  # the notebook's torch.float
    out: dict[str, Any] = {}
    X, y = sklearn_datasets.make_circles(200, noise=0.03, random_state=42)
    X = torch.from_numpy(X).type(float_)
    y = torch.from_numpy(y).type(float_)
    split = model_selection.train_test_split(X, y, test_size=0.2, random_state=42)
    X_train, X_test, y_train, y_test = split
    torch.manual_seed(42)
    model_0 = nn.Sequential(nn.Linear(in_features=2, out_features=5), nn.Linear(5, 1))
    out["model_0"] = repr(model_0)
    y_logits = model_0(X_test)[:5]
    y_pred_labels = torch.round(torch.sigmoid(model_0(X_test)[:5]))
    y_preds = torch.round(torch.sigmoid(y_logits))
    out["logits"] = [y_logits, y_preds, torch.eq(y_preds.squeeze(), y_pred_labels.squeeze())]
    loss_fn = nn.BCEWithLogitsLoss()

    def fit(model: Any, epochs: int, every: int) -> list[Any]:
        optimizer = torch.optim.SGD(params=model.parameters(), lr=0.1)
        lines: list[Any] = []
        for epoch in range(epochs):
            model.train()
            y_logits = model(X_train).squeeze()
            y_pred = torch.round(torch.sigmoid(y_logits))
            loss = loss_fn(y_logits, y_train)
            acc = accuracy_fn(torch, y_true=y_train, y_pred=y_pred)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            model.eval()
            with torch.inference_mode():
                test_logits = model(X_test).squeeze()
                test_pred = torch.round(torch.sigmoid(test_logits))
                test_loss = loss_fn(test_logits, y_test)
                test_acc = accuracy_fn(torch, y_true=y_test, y_pred=test_pred)
            if epoch % every == 0:
                lines.append(
                    f"Epoch: {epoch} | Loss: {loss:.5f}, Accuracy: {acc:.2f}% | "
                    f"Test loss: {test_loss:.5f}, Test acc: {test_acc:.2f}%"
                )
                lines.append([loss.item(), test_loss.item()])
        return lines

    torch.manual_seed(42)
    out["fit 0"] = fit(model_0, 30, 10)
    out["boundary 0"] = plot_decision_boundary(torch, model_0, X_train, y_train)

    class CircleModelV2(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer_1 = nn.Linear(in_features=2, out_features=10)
            self.layer_2 = nn.Linear(in_features=10, out_features=10)
            self.layer_3 = nn.Linear(in_features=10, out_features=1)
            self.relu = nn.ReLU()

        def forward(self, x):
            return self.layer_3(self.relu(self.layer_2(self.relu(self.layer_1(x)))))

    model_3 = CircleModelV2()
    out["model_3"] = repr(model_3)
    torch.manual_seed(42)
    out["fit 3"] = fit(model_3, 100, 25)
    out["boundary 3"] = plot_decision_boundary(torch, model_3, X_test, y_test)
    X_blob, y_blob = sklearn_datasets.make_blobs(
        n_samples=200, n_features=2, centers=4, cluster_std=1.5, random_state=42
    )
    X_blob = torch.from_numpy(X_blob).type(float_)
    y_blob = torch.from_numpy(y_blob).type(torch.LongTensor)
    out["blob"] = [X_blob[:5], y_blob[:5], str(y_blob.dtype)]
    split = model_selection.train_test_split(X_blob, y_blob, test_size=0.2, random_state=42)
    X_blob_train, X_blob_test, y_blob_train, y_blob_test = split

    class BlobModel(nn.Module):
        def __init__(self, input_features, output_features, hidden_units=8):
            super().__init__()
            self.linear_layer_stack = nn.Sequential(
                nn.Linear(in_features=input_features, out_features=hidden_units),
                nn.ReLU(),
                nn.Linear(in_features=hidden_units, out_features=hidden_units),
                nn.ReLU(),
                nn.Linear(in_features=hidden_units, out_features=output_features),
            )

        def forward(self, x):
            return self.linear_layer_stack(x)

    torch.manual_seed(42)
    model_4 = BlobModel(input_features=2, output_features=4, hidden_units=8)
    out["model_4"] = repr(model_4)
    y_pred_probs = torch.softmax(model_4(X_blob_test)[:5], dim=1)
    out["probs"] = [y_pred_probs, torch.sum(y_pred_probs[0]), torch.argmax(y_pred_probs[0])]
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model_4.parameters(), lr=0.1)
    lines = []
    for epoch in range(30):
        model_4.train()
        y_logits = model_4(X_blob_train)
        y_pred = torch.softmax(y_logits, dim=1).argmax(dim=1)
        loss = loss_fn(y_logits, y_blob_train)
        acc = accuracy_fn(torch, y_true=y_blob_train, y_pred=y_pred)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if epoch % 10 == 0:
            lines.append(f"Epoch: {epoch} | Loss: {loss:.5f}, Acc: {acc:.2f}%")
    out["fit 4"] = lines
    out["boundary 4"] = plot_decision_boundary(torch, model_4, X_blob_test, y_blob_test)
    return out


@pytest.mark.parametrize("dtype", DTYPES)
def test_classification(dtype):
    compare(classification, dtype)


# The functions and arguments the notebooks use that were missing or differed, each
# against torch


def both(fn: Any) -> tuple[Any, Any]:
    return fn(autograd), fn(torch)


def test_arange_takes_torchs_end_keyword():
    for call in (
        lambda t: t.arange(start=0, end=10, step=1),
        lambda t: t.arange(end=5),
        lambda t: t.arange(1, end=4),
        lambda t: t.arange(start=0.0, end=1.0, step=0.25),
    ):
        ours, theirs = both(call)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
        assert ours.dtype == theirs.numpy().dtype
    for lib in (autograd, torch):
        with pytest.raises(TypeError):
            lib.arange()
    with pytest.raises(TypeError, match="stop and end"):
        autograd.arange(0, 3, end=4)


@pytest.mark.parametrize("name", ["zeros_like", "ones_like", "empty_like", "rand_like"])
def test_like_functions_take_torchs_input_keyword(name):
    ours, theirs = both(lambda t: getattr(t, name)(input=t.ones(2, 3)))
    assert ours.shape == tuple(theirs.shape) and ours.dtype == theirs.numpy().dtype
    ours, theirs = both(lambda t: t.full_like(input=t.arange(3), fill_value=7))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_random_module_seeds_the_default_generator():
    ours, theirs = both(lambda t: (t.random.manual_seed(seed=42), t.rand(3))[1])
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    ours, theirs = both(lambda t: (t.random.manual_seed(7), t.random.initial_seed())[1])
    assert ours == theirs == 7


@pytest.mark.parametrize(
    "name", ["multiply", "subtract", "divide", "true_divide", "negative", "eq", "ne", "lt", "ge"]
)
def test_other_names_of_the_arithmetic_and_comparisons(name):
    args = {"negative": ()}.get(name, (torch.tensor([2, 1, 4]),))
    theirs = getattr(torch, name)(torch.tensor([1, 2, 4]), *args)
    ours = getattr(autograd, name)(autograd.tensor([1, 2, 4]), *(a.numpy() for a in args))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert ours.dtype == theirs.numpy().dtype
    if name not in ("eq", "ne", "lt", "ge"):
        method = getattr(autograd.tensor([1, 2, 4]), name)(*(a.numpy() for a in args))
        np.testing.assert_array_equal(method.numpy(), theirs.numpy())


def test_div_takes_rounding_mode_as_a_function():
    ours, theirs = both(lambda t: t.div(t.tensor([7, -7]), 2, rounding_mode="floor"))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    ours, theirs = both(lambda t: t.divide(t.tensor([7.0, -7.0]), 2, rounding_mode="trunc"))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("dtype", ["int64", "bool"])
def test_mean_of_integers_or_bools_is_refused_as_in_torch(dtype):
    for lib in (autograd, torch):
        x = lib.tensor([1, 0, 1]).type(getattr(lib, dtype))
        with pytest.raises(RuntimeError, match="could not infer output dtype"):
            lib.mean(x)
        with pytest.raises(RuntimeError, match="could not infer output dtype"):
            x.mean(dim=0)
    ours, theirs = both(lambda t: t.tensor([1, 0, 1]).float().mean())
    assert ours.item() == pytest.approx(theirs.item())


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"return_inverse": True},
        {"return_counts": True},
        {"return_inverse": True, "return_counts": True},
    ],
)
def test_unique(kwargs):
    data = [[3, 1, 2], [3, 1, 1]]
    ours, theirs = both(lambda t: t.unique(t.tensor(data), **kwargs))
    ours, theirs = (r if isinstance(r, tuple) else (r,) for r in (ours, theirs))
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
        assert a.dtype == b.numpy().dtype
    ours, theirs = both(lambda t: t.tensor(data).unique(dim=1, return_inverse=True))
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("legacy", ["LongTensor", "DoubleTensor", "FloatTensor"])
def test_type_takes_the_legacy_tensor_types(legacy):
    ours, theirs = both(lambda t: t.tensor([1.5, -2.5]).type(getattr(t, legacy)))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert ours.dtype == theirs.numpy().dtype
    ours, theirs = both(lambda t: t.tensor([1.5, 0.0]).type("torch.IntTensor"))
    assert ours.dtype == theirs.numpy().dtype == np.int32
    ours, theirs = both(lambda t: t.tensor([1.5, 0.0]).type("torch.BoolTensor"))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("args", [(0, 10), (0, 1, 0.1), (3, 0, -1), (0.5, 2.0, 0.5), (-1, 1, 0.3)])
def test_deprecated_range_includes_its_end_as_torchs(args):
    with pytest.warns(UserWarning, match="torch.range is deprecated"):
        ours, theirs = both(lambda t: t.range(*args))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-7)
    assert ours.dtype == theirs.numpy().dtype
    ours, theirs = both(lambda t: t.range(1, 4, dtype=t.int64))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    for lib in (autograd, torch):
        with pytest.raises(RuntimeError, match="inconsistent with step sign"):
            lib.range(3, 0)
