"""PyTorch's "Learn the Basics" tutorials "Tensors" and "Datasets & DataLoaders", run
twice: with torch and with ``import autograd as torch`` (`nn` standing for
`torch.utils.data`), seeded alike. Each snippet is the tutorial's code with only the
data made small (an in-memory dataset for the image files); the values, shapes and
dtypes it shows must be the same, and the numpy bridge must share memory as torch's.
"""

from __future__ import annotations

import types
from typing import Any

import numpy as np
import pytest

import autograd
import nn

torch = pytest.importorskip("torch")


def described(value: Any) -> Any:
    """A tensor as (type, shape, dtype name, values); anything else as it is."""
    if hasattr(value, "shape") and hasattr(value, "dtype") and not isinstance(value, np.ndarray):
        array = np.array(value.detach().numpy())
        name = str(value.dtype).replace("torch.", "")
        return ("tensor", tuple(value.shape), name, array.tolist())
    if isinstance(value, np.ndarray):
        return ("ndarray", value.shape, str(value.dtype), value.tolist())
    return value


def assert_same(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    assert ours.keys() == theirs.keys()
    for key in theirs:
        assert described(ours[key]) == described(theirs[key]), key


def tensors_tutorial(lib: types.ModuleType) -> dict[str, Any]:
    out: dict[str, Any] = {}
    data = [[1, 2], [3, 4]]
    out["x_data"] = lib.tensor(data)
    np_array = np.array(data)
    out["x_np"] = lib.from_numpy(np_array)
    out["x_ones"] = lib.ones_like(out["x_data"])
    x_rand = lib.rand_like(out["x_data"], dtype=lib.float)
    out["x_rand"] = (tuple(x_rand.shape), str(x_rand.dtype).replace("torch.", ""))
    shape = (2, 3)
    out["rand"] = tuple(lib.rand(shape).shape)
    out["ones"], out["zeros"] = lib.ones(shape), lib.zeros(shape)
    tensor = lib.rand(3, 4)
    dtype = str(tensor.dtype).replace("torch.", "")  # our dtypes print as numpy's
    out["attributes"] = (tuple(tensor.shape), dtype, str(tensor.device))
    tensor = lib.ones(4, 4)
    out["first row"], out["first column"] = tensor[0].clone(), tensor[:, 0].clone()
    out["last column"] = tensor[..., -1].clone()
    tensor[:, 1] = 0
    out["tensor"] = tensor.clone()
    out["cat"] = lib.cat([tensor, tensor, tensor], dim=1)
    out["y1"] = tensor @ tensor.T
    out["y2"] = tensor.matmul(tensor.T)
    y3 = lib.rand_like(out["y1"])
    out["matmul out is y3"] = lib.matmul(tensor, tensor.T, out=y3) is y3
    out["y3"] = y3
    out["z1"] = tensor * tensor
    out["z2"] = tensor.mul(tensor)
    z3 = lib.rand_like(tensor)
    out["mul out is z3"] = lib.mul(tensor, tensor, out=z3) is z3
    out["z3"] = z3
    agg_item = tensor.sum().item()
    out["agg_item"] = (agg_item, type(agg_item).__name__)
    out["add_ returns self"] = tensor.add_(5) is tensor
    out["after add_"] = tensor
    return out


def test_tensors_tutorial():
    torch.manual_seed(0)
    autograd.manual_seed(0)
    assert_same(tensors_tutorial(autograd), tensors_tutorial(torch))


def numpy_bridge(lib: types.ModuleType) -> dict[str, Any]:
    out: dict[str, Any] = {}
    t = lib.ones(5)
    n = t.numpy()
    t.add_(1)
    out["n after t.add_"] = n.copy()
    t.mul_(3)
    t[0] = -1
    out["n after mul_ and a write"] = n.copy()
    n = np.ones(5)
    t = lib.from_numpy(n)
    np.add(n, 1, out=n)
    out["t after np.add out=n"] = t.clone()
    t += 1
    out["n after +="] = n.copy()
    n[1:3] = 7
    out["t after a numpy slice write"] = t.clone()
    out["dtypes"] = [str(lib.from_numpy(np.ones(2, d)).dtype) for d in ("float32", "int64")]
    return out


def test_numpy_bridge_shares_memory_both_ways():
    ours, theirs = numpy_bridge(autograd), numpy_bridge(torch)
    ours["dtypes"] = [f"torch.{d}" for d in ours["dtypes"]]
    assert_same(ours, theirs)
    n = np.zeros(3)
    t = autograd.from_numpy(n)
    assert t.numpy() is n or np.shares_memory(t.numpy(), n)


def test_out_argument_rules_as_torch():
    a = autograd.ones(2, 2)
    with pytest.raises(TypeError, match="unexpected keyword argument 'out'"):
        a.matmul(a, out=autograd.empty(2, 2))  # the method takes none, as torch's
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
        autograd.mul(a, a, out=autograd.zeros(2, 2, dtype=autograd.int64))
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        autograd.mul(autograd.ones(2, requires_grad=True), 2.0, out=autograd.empty(2))
    with pytest.raises(TypeError, match="'out' must be Tensor"):
        autograd.matmul(a, a, out=[0])
    with autograd.no_grad():  # allowed outside grad mode, as in torch
        w = autograd.ones(2, requires_grad=True)
        assert autograd.mul(w, w, out=autograd.empty(2)).tolist() == [1.0, 1.0]
    with pytest.warns(UserWarning, match="resized"):
        out = autograd.zeros(3)
        autograd.matmul(a, a, out=out)
    assert out.shape == (2, 2) and out.tolist() == [[2.0, 2.0], [2.0, 2.0]]
    wide = autograd.zeros(2, dtype=autograd.float64)  # a float32 result into float64
    autograd.mul(autograd.ones(2), 3, out=wide)
    assert wide.dtype == np.float64 and wide.tolist() == [3.0, 3.0]


def datasets_tutorial(lib: types.ModuleType, data: types.ModuleType) -> dict[str, Any]:
    class CustomImageDataset(data.Dataset):
        def __init__(self, n=150, target_transform=None):
            rng = np.random.default_rng(0)
            self.images = rng.random((n, 1, 4, 4)).astype(np.float32)
            self.labels = rng.integers(0, 10, n)
            self.target_transform = target_transform

        def __len__(self):
            return len(self.labels)

        def __getitem__(self, idx):
            image = lib.from_numpy(self.images[idx])
            label = int(self.labels[idx])
            if self.target_transform:
                label = self.target_transform(label)
            return image, label

    class Mixed(data.Dataset):  # samples of tensors, ints, floats and bools
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return lib.tensor([float(i), 2.0 * i]), i, i / 2, i % 2 == 1

    out: dict[str, Any] = {}
    dataset = CustomImageDataset()
    out["len"] = len(dataset)
    lib.manual_seed(0)
    loader = data.DataLoader(dataset, batch_size=64, shuffle=True)
    out["len(loader)"] = len(loader)
    features, labels = next(iter(loader))
    out["features"], out["labels"] = features, labels
    out["sizes"] = (tuple(features.size()), tuple(labels.size()))
    img, label = features[0].squeeze(), labels[0]
    out["img"], out["label"] = img, label.item()
    out["epoch shapes"] = [(tuple(x.shape), tuple(y.shape)) for x, y in loader]
    out["mixed"] = [list(batch) for batch in data.DataLoader(Mixed(), batch_size=2)]
    lib.manual_seed(3)
    pairs = data.TensorDataset(lib.rand(10, 2), lib.arange(10))
    out["tensor dataset"] = [list(b) for b in data.DataLoader(pairs, batch_size=4, shuffle=True)]
    return out


def test_datasets_and_dataloaders_tutorial():
    ours = datasets_tutorial(autograd, nn)
    theirs = datasets_tutorial(torch, torch.utils.data)
    for key in ("mixed", "tensor dataset"):
        ours[key] = [[described(t) for t in batch] for batch in ours[key]]
        theirs[key] = [[described(t) for t in batch] for batch in theirs[key]]
    assert described(ours["labels"])[2] == "int64"
    assert_same(ours, theirs)
