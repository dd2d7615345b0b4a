"""PyTorch's "Spatial Transformer Networks" tutorial, run twice: with torch and with
``import autograd as torch``, seeded alike, in float64 on small random images: the
network (a localization net regressing theta, `F.affine_grid`, `F.grid_sample`, then a
classifier) trains a few SGD steps and must give the same losses, thetas, sampled
images and weights, so the gradients through grid_sample (to the image and the grid)
and affine_grid (to theta) are torch's."""

from __future__ import annotations

import types
from typing import Any

import numpy as np
import pytest

import autograd

torch = pytest.importorskip("torch")


def spatial_transformer(lib: types.ModuleType, align_corners: bool | None) -> dict[str, Any]:
    nn, F, optim = lib.nn, lib.nn.functional, lib.optim
    lib.manual_seed(0)
    lib.set_default_dtype(lib.float64)

    class Net(nn.Module):  # type: ignore[name-defined]
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
            self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
            self.conv2_drop = nn.Dropout2d()
            self.fc1 = nn.Linear(320, 50)
            self.fc2 = nn.Linear(50, 10)
            # Spatial transformer localization-network
            self.localization = nn.Sequential(
                nn.Conv2d(1, 8, kernel_size=7),
                nn.MaxPool2d(2, stride=2),
                nn.ReLU(True),
                nn.Conv2d(8, 10, kernel_size=5),
                nn.MaxPool2d(2, stride=2),
                nn.ReLU(True),
            )
            # Regressor for the 3 * 2 affine matrix
            self.fc_loc = nn.Sequential(
                nn.Linear(10 * 3 * 3, 32), nn.ReLU(True), nn.Linear(32, 3 * 2)
            )
            # Initialize the weights/bias with identity transformation (the tutorial
            # writes through `.data`, which here is the numpy array)
            with lib.no_grad():
                self.fc_loc[2].weight.zero_()
                self.fc_loc[2].bias.copy_(lib.tensor([1, 0, 0, 0, 1, 0], dtype=lib.float))

        def stn(self, x):
            xs = self.localization(x)
            xs = xs.view(-1, 10 * 3 * 3)
            theta = self.fc_loc(xs)
            theta = theta.view(-1, 2, 3)
            grid = F.affine_grid(theta, x.size(), align_corners=align_corners)
            x = F.grid_sample(x, grid, align_corners=align_corners)
            return x

        def forward(self, x):
            x = self.stn(x)
            x = F.relu(F.max_pool2d(self.conv1(x), 2))
            x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
            x = x.view(-1, 320)
            x = F.relu(self.fc1(x))
            x = F.dropout(x, training=self.training)
            x = self.fc2(x)
            return F.log_softmax(x, dim=1)

    out: dict[str, Any] = {}
    try:
        model = Net()
        rng = np.random.default_rng(1)
        images = lib.tensor(rng.normal(size=(6, 1, 28, 28)))
        labels = lib.tensor(rng.integers(0, 10, size=6))
        optimizer = optim.SGD(model.parameters(), lr=0.05)
        model.train()
        for step in range(4):
            optimizer.zero_grad()
            output = model(images)
            loss = F.nll_loss(output, labels)
            loss.backward()
            optimizer.step()
            out[f"loss{step}"] = loss.item()
        out["fc_loc.grad"] = np.array(model.fc_loc[2].weight.grad.numpy())
        with lib.no_grad():
            model.eval()
            theta = model.fc_loc(model.localization(images).view(-1, 90)).view(-1, 2, 3)
            out["theta"] = np.array(theta.numpy())
            out["transformed"] = np.array(model.stn(images).numpy())
        for name, value in model.state_dict().items():
            out[name] = np.array(value.numpy())
    finally:
        lib.set_default_dtype(lib.float32)
    return out


@pytest.mark.filterwarnings("ignore:Default grid_sample and affine_grid behavior")
@pytest.mark.parametrize("align_corners", [None, True])
def test_the_spatial_transformer_tutorial_trains_the_same(align_corners):
    ours = spatial_transformer(autograd, align_corners)
    theirs = spatial_transformer(torch, align_corners)
    assert ours.keys() == theirs.keys()
    assert theirs["theta"].std() > 1e-4  # the transform moved away from the identity
    for key, value in theirs.items():
        if isinstance(value, float):
            assert ours[key] == pytest.approx(value, rel=1e-10), key
        else:
            np.testing.assert_allclose(ours[key], value, rtol=1e-9, atol=1e-11, err_msg=key)
