"""`conv_forms.conv_transpose_padded` (Keras's uneven crops of a transposed
convolution): values against torch's full `conv_transpose2d` cut and zero-extended to
the same window, and gradcheck of input, weight and bias."""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Tensor, gradcheck
from autograd.ops import conv_forms as C

torch = pytest.importorskip("torch")

CASES = [  # stride, dilation, starts, size (full output: (n - 1) s + d (k - 1) + 1)
    ((2, 2), (1, 1), (0, 0), (6, 8)),  # "same" at stride 2: the first 2n of 2n + 1
    ((2, 3), (1, 1), (1, 0), (8, 12)),  # past the full output's end: zeros
    ((1, 1), (2, 1), (2, 1), (3, 4)),
]


@pytest.mark.parametrize("stride, dilation, starts, size", CASES)
def test_values_are_the_full_output_cut_to_the_window(stride, dilation, starts, size):
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(2, 3, 3, 4)), rng.normal(size=(3, 2, 3, 2)), rng.normal(size=2)
    got = C.conv_transpose_padded(Tensor(x), Tensor(w), Tensor(b), stride, starts, dilation, size)
    full = torch.nn.functional.conv_transpose2d(
        torch.tensor(x), torch.tensor(w), None, stride, dilation=dilation
    ).numpy()
    window = np.zeros((2, 2, size[0] + starts[0], size[1] + starts[1]))
    h, v = min(full.shape[2], window.shape[2]), min(full.shape[3], window.shape[3])
    window[:, :, :h, :v] = full[:, :, :h, :v]
    expected = window[:, :, starts[0] :, starts[1] :] + b.reshape(1, -1, 1, 1)
    np.testing.assert_allclose(got.data, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("stride, dilation, starts, size", CASES)
def test_gradcheck(stride, dilation, starts, size):
    rng = np.random.default_rng(1)
    x = Tensor(rng.normal(size=(1, 2, 3, 2)), requires_grad=True)
    w = Tensor(rng.normal(size=(2, 2, 2, 3)), requires_grad=True)
    b = Tensor(rng.normal(size=2), requires_grad=True)
    assert gradcheck(
        lambda x, w, b: C.conv_transpose_padded(x, w, b, stride, starts, dilation, size),
        (x, w, b),
    )
