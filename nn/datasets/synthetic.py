"""Small generated datasets for lessons: logic gates, spirals, moons, circles, blobs, sine.

Each generator is seeded (the same call gives the same arrays) and returns `(X, y)`
with `X` float32 of shape (n_samples, n_features) and `y` int64 class labels of shape
(n_samples,), except `sine`, a regression set with float32 targets.
"""

from __future__ import annotations

import numpy as np

_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)

#: Truth tables over the inputs (0,0), (0,1), (1,0), (1,1).
LOGIC_GATES: dict[str, tuple[int, int, int, int]] = {
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "nand": (1, 1, 1, 0),
    "nor": (1, 0, 0, 0),
    "xor": (0, 1, 1, 0),
    "xnor": (1, 0, 0, 1),
}


def logic_gate(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The truth table of a two-input logic gate.

    Args:
        name: "and", "or", "nand", "nor", "xor" or "xnor" (any case).

    Returns:
        `X` float32 of shape (4, 2), the inputs (0,0), (0,1), (1,0), (1,1), and `y`
        int64 of shape (4,), the gate's output for each.

    Raises:
        ValueError: for an unknown gate name.

    Example:
        >>> X, y = logic_gate("xor")
        >>> y.tolist()
        [0, 1, 1, 0]
    """
    key = name.lower() if isinstance(name, str) else name
    if key not in LOGIC_GATES:
        raise ValueError(f"unknown logic gate {name!r}; valid names: {', '.join(LOGIC_GATES)}")
    return _INPUTS.copy(), np.array(LOGIC_GATES[key], dtype=np.int64)


def _check_positive(**values: int) -> None:
    for name, value in values.items():
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")


def _finish(
    X: np.ndarray, y: np.ndarray, shuffle: bool, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """float32 inputs and int64 labels, in a random order when asked."""
    if shuffle:
        order = rng.permutation(len(X))
        X, y = X[order], y[order]
    return X.astype(np.float32), y.astype(np.int64)


def spiral(
    n_per_class: int = 100,
    n_classes: int = 3,
    noise: float = 0.2,
    seed: int | None = 0,
    shuffle: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class (the CS231n spiral).

    Class k has radii r = linspace(0, 1, n) and angles
    t = linspace(4k, 4(k + 1), n) + noise * N(0, 1), and points r * (sin t, cos t).
    Not linearly separable: a linear model stays near 1 / n_classes accuracy.

    Args:
        n_per_class: points per arm.
        n_classes: number of arms (classes).
        noise: standard deviation of the angle noise.
        seed: seed of the noise and of the shuffle.
        shuffle: mix the classes (otherwise class 0 comes first, then 1, ...).

    Returns:
        `X` (n_per_class * n_classes, 2) float32, `y` int64 labels in [0, n_classes).
    """
    _check_positive(n_per_class=n_per_class, n_classes=n_classes)
    rng = np.random.default_rng(seed)
    r = np.tile(np.linspace(0.0, 1.0, n_per_class), n_classes)
    k = np.repeat(np.arange(n_classes), n_per_class)
    frac = np.tile(np.linspace(0.0, 1.0, n_per_class), n_classes)
    t = 4.0 * (k + frac) + noise * rng.standard_normal(len(k))
    X = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)
    return _finish(X, k, shuffle, rng)


def moons(
    n_samples: int = 100, noise: float = 0.1, seed: int | None = 0, shuffle: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (as scikit-learn's `make_moons`).

    Class 0: (cos t, sin t); class 1: (1 - cos t, 0.5 - sin t), t in [0, pi], plus
    Gaussian noise of standard deviation `noise` on each coordinate.

    Returns:
        `X` (n_samples, 2) float32, `y` int64 labels in {0, 1}.
    """
    _check_positive(n_samples=n_samples)
    rng = np.random.default_rng(seed)
    n_out = n_samples // 2
    t_out = np.linspace(0.0, np.pi, n_out)
    t_in = np.linspace(0.0, np.pi, n_samples - n_out)
    outer = np.stack([np.cos(t_out), np.sin(t_out)], axis=1)
    inner = np.stack([1.0 - np.cos(t_in), 0.5 - np.sin(t_in)], axis=1)
    X = np.concatenate([outer, inner]) + noise * rng.standard_normal((n_samples, 2))
    y = np.repeat([0, 1], [n_out, n_samples - n_out])
    return _finish(X, y, shuffle, rng)


def circles(
    n_samples: int = 100,
    noise: float = 0.05,
    factor: float = 0.5,
    seed: int | None = 0,
    shuffle: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """A small circle inside a large one (as scikit-learn's `make_circles`).

    Class 0 lies on the unit circle, class 1 on the circle of radius `factor`, plus
    Gaussian noise of standard deviation `noise`.

    Returns:
        `X` (n_samples, 2) float32, `y` int64 labels in {0, 1}.
    """
    _check_positive(n_samples=n_samples)
    if not 0.0 < factor < 1.0:
        raise ValueError(f"factor must be in (0, 1), got {factor}")
    rng = np.random.default_rng(seed)
    n_out = n_samples // 2
    t_out = np.linspace(0.0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0.0, 2 * np.pi, n_samples - n_out, endpoint=False)
    outer = np.stack([np.cos(t_out), np.sin(t_out)], axis=1)
    inner = factor * np.stack([np.cos(t_in), np.sin(t_in)], axis=1)
    X = np.concatenate([outer, inner]) + noise * rng.standard_normal((n_samples, 2))
    y = np.repeat([0, 1], [n_out, n_samples - n_out])
    return _finish(X, y, shuffle, rng)


def blobs(
    n_samples: int = 100,
    centers: int | np.ndarray = 3,
    n_features: int = 2,
    cluster_std: float = 1.0,
    seed: int | None = 0,
    shuffle: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clusters (as scikit-learn's `make_blobs`).

    With an int `centers`, the centers are drawn uniformly in [-10, 10]^n_features;
    an array of shape (n_centers, n_features) gives them. Samples are spread as
    evenly as possible over the clusters.

    Returns:
        `X` (n_samples, n_features) float32, `y` int64 cluster labels.
    """
    _check_positive(n_samples=n_samples, n_features=n_features)
    rng = np.random.default_rng(seed)
    if isinstance(centers, (int, np.integer)):
        _check_positive(centers=centers)
        means = rng.uniform(-10.0, 10.0, size=(int(centers), n_features))
    else:
        means = np.asarray(centers, dtype=np.float64)
        if means.ndim != 2:
            raise ValueError(
                f"centers must be an int or an array (n_centers, n_features), got {means.shape}"
            )
        n_features = means.shape[1]
    y = np.arange(n_samples) % len(means)
    X = means[y] + cluster_std * rng.standard_normal((n_samples, n_features))
    return _finish(X, y, shuffle, rng)


def sine(
    n_samples: int = 100, noise: float = 0.1, seed: int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A 1-d regression set: x uniform in [-pi, pi], y = sin(x) + noise * N(0, 1).

    Returns:
        `x` (n_samples, 1) float32 and `y` (n_samples, 1) float32 (columns, ready
        for a model with one input and one output).
    """
    _check_positive(n_samples=n_samples)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-np.pi, np.pi, size=(n_samples, 1))
    y = np.sin(x) + noise * rng.standard_normal((n_samples, 1))
    return x.astype(np.float32), y.astype(np.float32)
