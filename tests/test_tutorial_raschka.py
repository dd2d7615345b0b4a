"""Sebastian Raschka's "Machine Learning with PyTorch and Scikit-Learn", chapters 12
(tensor basics with ``torch.linalg.norm``, linear regression from scratch and with
`nn.Linear`, a custom `Dataset`, the Iris MLP) and 13 (`torch.autograd.grad`, Xavier
initialization, the XOR classifier built three ways, the `NoisyLinear` layer, Auto
MPG's bucketized and one-hot features), run twice: with torch and with ``import
autograd as torch`` (its `nn`, `optim` and `utils.data` are gradwork's), seeded alike,
in float64 and in float32, on small synthetic data of the book's shapes, fewer epochs.
(Chapter 13's MNIST MLP on small random images gave torch's numbers as it was.)

Spellings that differ from the book: ``torch.Tensor(input_size, output_size)`` is
``torch.empty(input_size, output_size)`` (`Tensor(*sizes)` is refused here: `Tensor`
wraps data); the data's ``dtype=torch.float32`` and ``.float()`` are the default dtype
(float64 in that run); ``DataLoader(t)`` of a bare tensor is given ``batch_size=1``
(torch's default; `nn.data.DataLoader`'s is 32, as Keras's).
"""

from __future__ import annotations

import os
import tempfile
import types
from typing import Any

import numpy as np
import pytest

import autograd

torch = pytest.importorskip("torch")

from tests.test_d2l_vs_torch import DTYPES, assert_same, run  # noqa: E402


def manipulating_tensors(torch: types.ModuleType) -> dict[str, Any]:
    """Chapter 12's tensor basics: creating, casting, transposing, reshaping, the math
    functions (``torch.linalg.norm``), chunk, split, cat and stack."""
    float_ = torch.get_default_dtype()
    out: dict[str, Any] = {}
    t_a, t_b = torch.tensor([1, 2, 3]), torch.from_numpy(np.array([4, 5, 6], dtype=np.int32))
    out["create"] = [t_a, t_b, torch.is_tensor(t_a), t_a.to(torch.int64)]
    t = torch.rand(3, 5)
    out["transpose"] = [
        tuple(torch.transpose(t, 0, 1).shape),
        tuple(torch.zeros(30).reshape(5, 6).shape),
    ]
    out["squeeze"] = tuple(torch.squeeze(torch.zeros(1, 2, 1, 4, 1), 2).shape)
    torch.manual_seed(1)
    t1 = 2 * torch.rand(5, 2, dtype=float_) - 1
    t2 = torch.normal(mean=0, std=1, size=(5, 2))
    out["math"] = [
        t1,
        t2,
        torch.multiply(t1, t2),
        torch.mean(t1, axis=0),
        torch.matmul(t1, torch.transpose(t2, 0, 1)),
        torch.matmul(torch.transpose(t1, 0, 1), t2),
        torch.linalg.norm(t1, ord=2, dim=1),
    ]
    torch.manual_seed(1)
    t = torch.rand(6)
    out["chunk"] = [t, *torch.chunk(t, 3)]
    out["split"] = [*torch.split(t[:5], split_size_or_sections=[3, 2])]
    out["cat"] = [torch.cat([torch.ones(3), torch.zeros(2)], axis=0)]
    out["stack"] = [torch.stack([torch.ones(3), torch.zeros(3)], axis=1), torch.full((3,), 4)]
    return out


@pytest.mark.parametrize("dtype", DTYPES)
def test_manipulating_tensors(dtype):
    assert_same(*run(manipulating_tensors, dtype), dtype)


def chapter12(torch: types.ModuleType) -> dict[str, Any]:
    """Linear regression by hand and with `nn`, a custom Dataset, the Iris MLP with the
    book's Softmax output under CrossEntropyLoss, saved and loaded."""
    nn, data = torch.nn, torch.utils.data
    float_ = torch.get_default_dtype()
    out: dict[str, Any] = {}
    X_train = np.arange(10, dtype="float32").reshape((10, 1))
    y_train = np.array([1.0, 1.3, 3.1, 2.0, 5.0, 6.3, 6.6, 7.4, 8.0, 9.0], dtype="float32")
    X_train_norm = (X_train - np.mean(X_train)) / np.std(X_train)
    X_train_norm = torch.from_numpy(X_train_norm).type(float_)
    y_train = torch.from_numpy(y_train).type(float_)
    train_ds = data.TensorDataset(X_train_norm, y_train)
    torch.manual_seed(1)
    train_dl = data.DataLoader(train_ds, 1, shuffle=True)
    torch.manual_seed(1)
    weight = torch.randn(1)
    weight.requires_grad_()
    bias = torch.zeros(1, requires_grad=True)

    def loss_fn(input, target):
        return (input - target).pow(2).mean()

    def model(xb):
        return xb @ weight + bias

    learning_rate, lines = 0.001, []
    for epoch in range(6):
        for x_batch, y_batch in train_dl:
            loss = loss_fn(model(x_batch), y_batch)
            loss.backward()
            with torch.no_grad():
                weight -= weight.grad * learning_rate
                bias -= bias.grad * learning_rate
                weight.grad.zero_()
                bias.grad.zero_()
        if epoch % 5 == 0:
            lines.append([f"Epoch {epoch}  Loss {loss.item():.4f}", loss.item()])
    out["from scratch"] = [lines, weight.item(), bias.item()]
    model = nn.Linear(1, 1)
    loss_fn = nn.MSELoss(reduction="mean")
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    for _ in range(6):
        for x_batch, y_batch in train_dl:
            loss = loss_fn(model(x_batch)[:, 0], y_batch)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
    out["with nn"] = [loss.item(), model.weight.item(), model.bias.item()]

    class JointDataset(data.Dataset):
        def __init__(self, x, y):
            self.x = x
            self.y = y

        def __len__(self):
            return len(self.x)

        def __getitem__(self, idx):
            return self.x[idx], self.y[idx]

    torch.manual_seed(1)
    joint_dataset = JointDataset(torch.rand([4, 3], dtype=float_), torch.arange(4))
    torch.manual_seed(1)
    data_loader = data.DataLoader(dataset=joint_dataset, batch_size=2, shuffle=True)
    out["batches"] = [[i, *batch] for _ in range(2) for i, batch in enumerate(data_loader, 1)]
    t = torch.arange(6, dtype=float_)
    out["loader of a tensor"] = [
        list(data.DataLoader(t, batch_size=1)),
        list(data.DataLoader(t, 3)),
    ]

    class Model(nn.Module):
        def __init__(self, input_size, hidden_size, output_size):
            super().__init__()
            self.layer1 = nn.Linear(input_size, hidden_size)
            self.layer2 = nn.Linear(hidden_size, output_size)

        def forward(self, x):
            x = nn.Sigmoid()(self.layer1(x))
            return nn.Softmax(dim=1)(self.layer2(x))

    rng = np.random.RandomState(1)
    X = torch.from_numpy((rng.rand(60, 4) * 5 - 2.5).astype("float32")).type(float_)
    y = torch.from_numpy(np.repeat(np.arange(3), 20))
    torch.manual_seed(1)
    train_dl = data.DataLoader(data.TensorDataset(X, y), 2, shuffle=True)
    model = Model(X.shape[1], 16, 3)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    num_epochs = 3
    loss_hist = [0] * num_epochs
    accuracy_hist = [0] * num_epochs
    for epoch in range(num_epochs):
        for x_batch, y_batch in train_dl:
            pred = model(x_batch)
            loss = loss_fn(pred, y_batch.long())
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            loss_hist[epoch] += loss.item() * y_batch.size(0)
            is_correct = (torch.argmax(pred, dim=1) == y_batch).float()
            accuracy_hist[epoch] += is_correct.sum()
        loss_hist[epoch] /= len(train_dl.dataset)
        accuracy_hist[epoch] /= len(train_dl.dataset)
    out["iris"] = [loss_hist, accuracy_hist]
    path = os.path.join(tempfile.mkdtemp(), "iris_classifier.pt")
    torch.save(model.state_dict(), path)
    model_new = Model(X.shape[1], 16, 3)
    model_new.load_state_dict(torch.load(path))
    accuracy = (torch.argmax(model_new(X), dim=1) == y).float().mean()
    out["reloaded"] = f"Test Acc.: {accuracy:.4f}"
    return out


@pytest.mark.parametrize("dtype", DTYPES)
def test_chapter12(dtype):
    assert_same(*run(chapter12, dtype), dtype)


class NoisyLinearFactory:
    """The book's NoisyLinear layer for either library."""

    @staticmethod
    def make(torch: types.ModuleType) -> type:
        nn = torch.nn

        class NoisyLinear(nn.Module):
            def __init__(self, input_size, output_size, noise_stddev=0.1):
                super().__init__()
                w = torch.empty(input_size, output_size)  # the book's torch.Tensor(...)
                self.w = nn.Parameter(w)
                nn.init.xavier_uniform_(self.w)
                b = torch.empty(output_size).fill_(0)
                self.b = nn.Parameter(b)
                self.noise_stddev = noise_stddev

            def forward(self, x, training=False):
                if training:
                    noise = torch.normal(0.0, self.noise_stddev, (x.shape[0], x.shape[1]))
                    x_new = torch.add(x, noise)
                else:
                    x_new = x
                return torch.add(torch.mm(x_new, self.w), self.b)

        return NoisyLinear


def chapter13(torch: types.ModuleType) -> dict[str, Any]:
    """torch.autograd.grad, Xavier initialization, XOR with add_module and ModuleList,
    NoisyLinear, Auto MPG's features (bucketize, one_hot, cat)."""
    nn, data = torch.nn, torch.utils.data
    float_ = torch.get_default_dtype()
    out: dict[str, Any] = {}
    w = torch.tensor(1.0, requires_grad=True)
    b = torch.tensor(0.5, requires_grad=True)
    x, y = torch.tensor([1.4]), torch.tensor([2.1])
    loss = (y - torch.add(torch.mul(w, x), b)).pow(2).sum()
    out["grad"] = list(torch.autograd.grad(loss, [w, b]))
    torch.manual_seed(1)
    w = torch.empty(2, 3)
    nn.init.xavier_normal_(w)
    out["xavier"] = w
    torch.manual_seed(1)
    np.random.seed(1)
    x = np.random.uniform(low=-1, high=1, size=(200, 2))
    y = np.ones(len(x))
    y[x[:, 0] * x[:, 1] < 0] = 0
    n_train = 100
    x_train = torch.tensor(x[:n_train, :], dtype=float_)
    y_train = torch.tensor(y[:n_train], dtype=float_)
    x_valid = torch.tensor(x[n_train:, :], dtype=float_)
    y_valid = torch.tensor(y[n_train:], dtype=float_)
    torch.manual_seed(1)
    train_dl = data.DataLoader(data.TensorDataset(x_train, y_train), 2, shuffle=True)
    loss_fn = nn.BCELoss()

    def train(model, lr, num_epochs=2):
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        hist = []
        for _ in range(num_epochs):
            loss_train, accuracy_train = 0, 0
            for x_batch, y_batch in train_dl:
                pred = model(x_batch)[:, 0]
                loss = loss_fn(pred, y_batch)
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
                loss_train += loss.item()
                is_correct = ((pred >= 0.5).float() == y_batch).float()
                accuracy_train += is_correct.mean()
            pred = model(x_valid)[:, 0]
            is_correct = ((pred >= 0.5).float() == y_valid).float()
            hist.append(
                [
                    loss_train / 50,
                    accuracy_train / 50,
                    loss_fn(pred, y_valid).item(),
                    is_correct.mean(),
                ]
            )
        return hist

    out["xor linear"] = train(nn.Sequential(nn.Linear(2, 1), nn.Sigmoid()), 0.001)
    model = nn.Sequential()
    model.add_module("l1", nn.Linear(2, 4))
    model.add_module("a1", nn.ReLU())
    model.add_module("l2", nn.Linear(4, 1))
    model.add_module("a2", nn.Sigmoid())
    out["xor add_module"] = [repr(model), train(model, 0.015)]

    class MyModule(nn.Module):
        def __init__(self):
            super().__init__()
            all_layers = [nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1), nn.Sigmoid()]
            self.module_list = nn.ModuleList(all_layers)

        def forward(self, x):
            for f in self.module_list:
                x = f(x)
            return x

        def predict(self, x):
            x = torch.tensor(x, dtype=float_)
            pred = self.forward(x)[:, 0]
            return (pred >= 0.5).float()

    torch.manual_seed(1)
    model = MyModule()
    out["xor ModuleList"] = [repr(model), train(model, 0.015)]
    out["predict"] = model.predict(np.c_[np.linspace(-1, 1, 5), np.linspace(1, -1, 5)])
    NoisyLinear = NoisyLinearFactory.make(torch)
    torch.manual_seed(1)
    noisy_layer = NoisyLinear(4, 2)
    zeros = torch.zeros((1, 4))
    out["noisy"] = [noisy_layer(zeros, training=True), noisy_layer(zeros, training=False)]
    rng = np.random.RandomState(0)
    year, origin = rng.randint(70, 83, size=20), rng.randint(1, 4, size=20)
    boundaries = torch.tensor([73, 76, 79])
    v = torch.tensor(year)
    out["bucketize"] = [
        torch.bucketize(v, boundaries, right=True),
        torch.bucketize(v, boundaries),
        torch.bucketize(v.type(float_), boundaries, out_int32=True),
    ]
    total_origin = len(set(origin.tolist()))
    origin_encoded = nn.functional.one_hot(torch.from_numpy(origin) % total_origin)
    numeric = torch.tensor(rng.rand(20, 4), dtype=float_)
    x_train = torch.cat([numeric, origin_encoded], 1).type(float_)
    out["features"] = [origin_encoded, x_train]
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(x_train.shape[1], 8), nn.ReLU(), nn.Linear(8, 1))
    mpg = torch.tensor(rng.rand(20) * 40, dtype=float_)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.001)
    torch.manual_seed(1)
    for x_batch, y_batch in data.DataLoader(data.TensorDataset(x_train, mpg), 8, shuffle=True):
        loss = nn.MSELoss()(model(x_batch)[:, 0], y_batch)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    out["mpg"] = f"Loss {loss.item():.4f}"
    return out


@pytest.mark.parametrize("dtype", DTYPES)
def test_chapter13(dtype):
    assert_same(*run(chapter13, dtype), dtype)


def both(fn: Any) -> tuple[Any, Any]:
    return fn(autograd), fn(torch)


@pytest.mark.parametrize("right", [False, True])
def test_bucketize_at_and_between_the_boundaries(right):
    values = [[0.5, 1.0, 1.5], [3.0, 9.0, -2.0]]
    ours, theirs = both(
        lambda t: t.bucketize(t.tensor(values), t.tensor([1.0, 3.0, 5.0]), right=right)
    )
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert ours.dtype == theirs.numpy().dtype == np.int64
    for lib in (autograd, torch):
        with pytest.raises(RuntimeError, match="boundaries tensor must be 1 dimension"):
            lib.bucketize(lib.tensor([1.0]), lib.tensor([[1.0, 2.0]]))


def test_dataloader_takes_torchs_dataset_keyword():
    ds = autograd.utils.data.TensorDataset(autograd.arange(5.0), autograd.arange(5))
    loader = autograd.utils.data.DataLoader(dataset=ds, batch_size=2)
    assert [yb.tolist() for _, yb in loader] == [[0, 1], [2, 3], [4]]
    assert loader.dataset is ds
    with pytest.raises(TypeError, match="twice"):
        autograd.utils.data.DataLoader(ds, dataset=ds)
    with pytest.raises(TypeError, match="missing"):
        autograd.utils.data.DataLoader()


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"ord": 2, "dim": 1},
        {"ord": 1, "dim": 0, "keepdim": True},
        {"ord": float("inf"), "dim": 1},
        {"ord": float("-inf"), "dim": 0},
        {"ord": 3, "dim": 1},
        {"ord": 0, "dim": 1},
        {"ord": "fro"},
        {"ord": 1},
        {"ord": float("-inf")},
        {"dim": (0, 1)},
    ],
)
def test_linalg_norm_with_its_gradient(kwargs):
    x = np.random.default_rng(0).normal(size=(3, 4))
    x[0, 1] = 0.0
    ours, theirs = autograd.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    a, b = autograd.linalg.norm(ours, **kwargs), torch.linalg.norm(theirs, **kwargs)
    np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-12)
    assert a.shape == tuple(b.shape)
    if kwargs.get("ord") != 0:
        a.sum().backward()
        b.sum().backward()
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-10)
    for lib in (autograd, torch):
        with pytest.raises(RuntimeError, match=r"1-?[dD] or 2-?[dD]"):
            lib.linalg.norm(lib.zeros(2, 2, 2), ord=2)
    for ord in ("nuc", 2, -2):  # the matrix norms of singular values
        np.testing.assert_allclose(
            autograd.linalg.norm(autograd.tensor(x), ord=ord).numpy(),
            torch.linalg.norm(torch.tensor(x), ord=ord).numpy(),
            rtol=1e-12,
        )
