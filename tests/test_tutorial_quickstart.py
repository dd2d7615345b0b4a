"""PyTorch's "Learn the Basics" (quickstart, Datasets & DataLoaders, Transforms, Build
the Neural Network, Optimization, Save and Load) as the tutorials write it, run with
torch and with ``import autograd as torch`` (its `nn`, `optim` and `utils.data` are
gradwork's), seeded alike, in float64, on a small synthetic image set instead of
FashionMNIST. The printed lines, the losses and the predictions must agree.

Left out: `torch.save(model)` of a whole module (gradwork saves no pickles, by design;
the state_dict route is the one run here) and the torchvision data sets.
"""

from __future__ import annotations

import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import autograd

torch = pytest.importorskip("torch")

CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
           "Sneaker", "Bag", "Ankle boot"]  # fmt: skip


def image_set(lib: types.ModuleType, n: int, seed: int, target_transform: Any = None) -> Any:
    """A custom `Dataset` as the tutorial writes one: uint8 28x28 images made float in
    [0, 1] with a channel axis (what `ToTensor()` does), int labels, optional transforms."""

    class CustomImageDataset(lib.utils.data.Dataset):
        def __init__(self, transform=None, target_transform=None):
            rng = np.random.default_rng(seed)
            self.img_labels = rng.integers(0, 10, n)
            self.images = rng.integers(0, 256, (n, 28, 28)).astype(np.uint8)
            self.transform = transform
            self.target_transform = target_transform

        def __len__(self):
            return len(self.img_labels)

        def __getitem__(self, idx):
            image = self.images[idx]
            label = int(self.img_labels[idx])
            if self.transform:
                image = self.transform(image)
            if self.target_transform:
                label = self.target_transform(label)
            return image, label

    def to_tensor(img: np.ndarray) -> Any:
        return lib.tensor(img / 255.0, dtype=lib.float64).unsqueeze(0)

    return CustomImageDataset(transform=to_tensor, target_transform=target_transform)


def quickstart(lib: types.ModuleType, folder: Path) -> list[Any]:
    nn, DataLoader = lib.nn, lib.utils.data.DataLoader
    printed: list[Any] = []
    training_data, test_data = image_set(lib, 200, 0), image_set(lib, 70, 1)
    lib.manual_seed(0)
    for _ in range(3):
        sample_idx = lib.randint(len(training_data), size=(1,)).item()
        img, label = training_data[sample_idx]
        printed += [sample_idx, img.squeeze(), label]
    batch_size = 64
    train_dataloader = DataLoader(training_data, batch_size=batch_size)
    test_dataloader = DataLoader(test_data, batch_size=batch_size)
    for X, y in test_dataloader:
        printed += [tuple(X.shape), tuple(y.shape), str(y.dtype).split(".")[-1]]
        break

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(28 * 28, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 10)
            )

        def forward(self, x):
            x = self.flatten(x)
            logits = self.linear_relu_stack(x)
            return logits

    lib.manual_seed(0)
    model = NeuralNetwork().double()
    logits = model(lib.rand(1, 28, 28, dtype=lib.float64))
    pred_probab = nn.Softmax(dim=1)(logits)
    printed += [pred_probab, pred_probab.argmax(1)]
    for name, param in model.named_parameters():
        printed += [f"Layer: {name} | Size: {tuple(param.size())}", param[:2]]
    loss_fn = nn.CrossEntropyLoss()
    optimizer = lib.optim.SGD(model.parameters(), lr=1e-1)

    def train_loop(dataloader, model, loss_fn, optimizer):
        size = len(dataloader.dataset)
        model.train()
        for batch, (X, y) in enumerate(dataloader):
            pred = model(X)
            loss = loss_fn(pred, y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            loss, current = loss.item(), batch * batch_size + len(X)
            printed.append(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")

    def test_loop(dataloader, model, loss_fn):
        model.eval()
        size = len(dataloader.dataset)
        num_batches = len(dataloader)
        test_loss, correct = 0, 0
        with lib.no_grad():
            for X, y in dataloader:
                pred = model(X)
                test_loss += loss_fn(pred, y).item()
                correct += (pred.argmax(1) == y).type(lib.float).sum().item()
        test_loss /= num_batches
        correct /= size
        printed.append((correct, test_loss))

    for _ in range(2):
        train_loop(train_dataloader, model, loss_fn, optimizer)
        test_loop(test_dataloader, model, loss_fn)
    lib.save(model.state_dict(), folder / "model.pth")
    model = NeuralNetwork().double()
    model.load_state_dict(lib.load(folder / "model.pth", weights_only=True))
    model.eval()
    x, y = test_data[0][0], test_data[0][1]
    with lib.no_grad():
        pred = model(x)
        predicted, actual = CLASSES[pred[0].argmax(0)], CLASSES[y]
    printed += [pred, f'Predicted: "{predicted}", Actual: "{actual}"']
    one_hot = image_set(
        lib,
        5,
        2,
        target_transform=lambda y: lib.zeros(10, dtype=lib.float).scatter_(
            0, lib.tensor(y), value=1
        ),
    )
    printed += [one_hot[0][1], next(iter(DataLoader(one_hot, batch_size=4)))[1]]
    return printed


def plain(v: Any) -> Any:
    return np.array(v.detach().numpy()) if hasattr(v, "detach") else v


def test_learn_the_basics_gives_the_same_numbers(tmp_path):
    (tmp_path / "ours").mkdir()
    (tmp_path / "theirs").mkdir()
    ours = [plain(v) for v in quickstart(autograd, tmp_path / "ours")]
    theirs = [plain(v) for v in quickstart(torch, tmp_path / "theirs")]
    assert len(ours) == len(theirs)
    for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        if isinstance(b, np.ndarray):
            assert a.dtype == b.dtype, i
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=str(i))
        elif isinstance(b, tuple) and isinstance(b[-1], float):
            assert a == pytest.approx(b, rel=1e-10), i
        else:
            assert a == b, i
