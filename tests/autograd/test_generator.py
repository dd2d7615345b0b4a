"""autograd.Generator against torch.Generator: the same seed gives the same draws."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import autograd
from autograd import Generator, Tensor

torch = pytest.importorskip("torch")  # the comparisons need it (CI installs it)

SEED = 2147483647  # the seed of the makemore lessons


def _pair(seed: int = SEED) -> tuple[Generator, torch.Generator]:
    return Generator().manual_seed(seed), torch.Generator().manual_seed(seed)


def _close_float32(ours: np.ndarray, theirs: np.ndarray) -> None:
    """Float32 normals may differ by a few ulp (PyTorch's vectorized log/cos/sin)."""
    ulps = np.abs(ours - theirs) / np.spacing(np.abs(theirs).astype(np.float32))
    assert ulps.max() <= 4, ulps.max()
    assert (ours == theirs).mean() > 0.7


SHAPES = [(1,), (5,), (15,), (16,), (17,), (27, 10), (3, 7), (2, 3, 40), (0,)]


@pytest.mark.parametrize("shape", SHAPES)
def test_rand_and_randn_draw_what_torch_draws(shape):
    for dtype, tdtype in ((np.float64, torch.float64), (np.float32, torch.float32)):
        g, tg = _pair()
        for _ in range(3):  # consecutive calls: the stream and a pending normal carry over
            a = autograd.randn(shape, generator=g, dtype=dtype)
            b = torch.randn(shape, generator=tg, dtype=tdtype).numpy()
            assert a.shape == b.shape and a.dtype == dtype
            if a.size < 16:  # one at a time, in float64 as torch: identical
                np.testing.assert_array_equal(a.data, b)
            elif dtype == np.float64:  # blocks of 16: numpy's and libm's cos/sin, 1 ulp apart
                np.testing.assert_allclose(a.data, b, rtol=4e-16, atol=0)
            else:
                _close_float32(a.data, b)
            u = autograd.rand(*shape, generator=g, dtype=dtype)
            np.testing.assert_array_equal(u.data, torch.rand(*shape, generator=tg, dtype=tdtype))


def test_small_normals_keep_their_pair_across_calls_and_reseeding_drops_it():
    g, tg = _pair()
    for n in (1, 3, 1, 2, 5):
        np.testing.assert_array_equal(
            autograd.randn(n, generator=g, dtype=np.float64).data,
            torch.randn(n, generator=tg, dtype=torch.float64),
        )
    g.manual_seed(7)
    tg.manual_seed(7)
    np.testing.assert_array_equal(
        autograd.randn(1, generator=g, dtype=np.float64).data,
        torch.randn(1, generator=tg, dtype=torch.float64),
    )


@pytest.mark.parametrize(
    "args",
    [
        (0, 27, (1000,)),
        (27, (5, 4)),
        (-5, 5, (300,)),
        (3, 2**40, (200,)),
        (0, 1, (4,)),
        (-7, 2**28 - 8, (50,)),  # the last range drawn from one 32-bit word
        (-7, 2**28 - 7, (50,)),  # the first from two
    ],
)
def test_randint_draws_what_torch_draws(args):
    g, tg = _pair()
    for _ in range(2):
        ours = autograd.randint(*args, generator=g)
        theirs = torch.randint(*args, generator=tg)
        assert ours.dtype == np.int64 and not ours.requires_grad
        np.testing.assert_array_equal(ours.data, theirs.numpy())
    assert autograd.randint(0, 5, (3,), generator=g, dtype=np.int32).dtype == np.int32


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [((150,), {"size": (1,)}), ((), {"high": 10, "size": (4,)}), ((3,), {"high": 9, "size": (5,)})],
)
def test_randint_takes_high_and_size_by_keyword_as_torch(args, kwargs):
    """The Datasets tutorial's ``torch.randint(len(training_data), size=(1,)).item()``."""
    g, tg = _pair()
    ours = autograd.randint(*args, **kwargs, generator=g)
    theirs = torch.randint(*args, **kwargs, generator=tg)
    np.testing.assert_array_equal(ours.data, theirs.numpy())


@pytest.mark.parametrize("rows", [None, 4])
@pytest.mark.parametrize(
    ("num_samples", "replacement"), [(1, False), (1, True), (5, False), (20, True), (27, False)]
)
def test_multinomial_draws_what_torch_draws(rows, num_samples, replacement):
    shape = (27,) if rows is None else (rows, 27)
    for dtype in (np.float32, np.float64):
        p = np.random.default_rng(0).random(shape).astype(dtype)
        p[..., 3] = 0  # a category that is never drawn
        g, tg = _pair()
        for _ in range(3):
            ours = autograd.multinomial(Tensor(p), num_samples, replacement, generator=g)
            theirs = torch.multinomial(torch.tensor(p), num_samples, replacement, generator=tg)
            np.testing.assert_array_equal(ours.data, theirs.numpy())
            assert ours.dtype == np.int64
            assert num_samples == 27 or not (ours.data == 3).any()  # (all 27: 3 comes last)
    if not replacement:
        assert all(len(set(row)) == num_samples for row in ours.data.reshape(-1, num_samples))


def test_multinomial_follows_the_weights():
    g = Generator().manual_seed(0)
    p = np.array([0.1, 0.0, 0.6, 0.3])
    counts = np.bincount(autograd.multinomial(p, 20000, True, generator=g).data, minlength=4)
    np.testing.assert_allclose(counts / 20000, p, atol=0.015)
    first = autograd.multinomial(np.tile(p, (20000, 1)), 1, generator=g).data[:, 0]
    np.testing.assert_allclose(np.bincount(first, minlength=4) / 20000, p, atol=0.015)


def test_manual_seed_seeds_the_default_generator_as_torch():
    autograd.manual_seed(42)
    torch.manual_seed(42)
    np.testing.assert_array_equal(autograd.rand(4).data, torch.rand(4))
    np.testing.assert_array_equal(autograd.randint(0, 9, (6,)).data, torch.randint(0, 9, (6,)))
    probs = torch.tensor([0.2, 0.5, 0.3])
    assert autograd.multinomial(probs.numpy(), 1).item() == torch.multinomial(probs, 1).item()
    assert autograd.default_generator.initial_seed() == torch.initial_seed() == 42
    fresh = Generator()  # an unseeded torch.Generator() starts from the same default seed
    np.testing.assert_array_equal(
        autograd.rand(3, generator=fresh).data, torch.rand(3, generator=torch.Generator())
    )


def test_state_replays_the_stream():
    g = Generator().manual_seed(5)
    autograd.randn(3, generator=g)  # leaves a pending normal
    state = g.get_state()
    a = autograd.randn(40, generator=g).data, autograd.randn(1, generator=g).data
    g.manual_seed(99)
    assert g.set_state(state) is g and g.initial_seed() == 5
    b = autograd.randn(40, generator=g).data, autograd.randn(1, generator=g).data
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    with pytest.raises(ValueError, match="630 words"):
        g.set_state(state[:10])
    np.testing.assert_array_equal(
        g.get_state(), Generator().manual_seed(5).set_state(g.get_state()).get_state()
    )


def test_threads_sharing_a_generator_draw_whole_calls():
    g = Generator().manual_seed(3)
    out: list[np.ndarray] = []

    def draw() -> None:
        for _ in range(200):
            out.append(autograd.randint(0, 2**31, (64,), generator=g).data)

    threads = [threading.Thread(target=draw) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expected = torch.randint(0, 2**31, (400, 64), generator=torch.Generator().manual_seed(3))
    blocks = {tuple(row) for row in expected.numpy()}
    assert len(out) == 400 and all(tuple(block) in blocks for block in out)


def test_bad_arguments_name_the_problem():
    g = Generator()
    with pytest.raises(ValueError, match="range \\[low, high\\) is empty"):
        autograd.randint(5, 5, (2,), generator=g)
    with pytest.raises(TypeError, match="give high and size"):
        autograd.randint(5)
    with pytest.raises(TypeError, match="high must be an int"):
        autograd.randint(0, 2.5, (2,))
    with pytest.raises(TypeError, match=r"generator must be an autograd\.Generator"):
        autograd.randn(2, generator=np.random.default_rng(0))
    with pytest.raises(TypeError, match="dtype must be a float dtype"):
        autograd.rand(2, dtype=np.int64)
    with pytest.raises(ValueError, match="inf, nan or element < 0"):
        autograd.multinomial(np.array([0.5, -0.1]), 1)
    with pytest.raises(ValueError, match="sum to 0"):
        autograd.multinomial(np.zeros((2, 3)), 1)
    with pytest.raises(ValueError, match="cannot draw 4 samples without replacement from 3"):
        autograd.multinomial(np.ones(3), 4)
    with pytest.raises(ValueError, match="float weights"):
        autograd.multinomial(np.ones(3, np.int64), 1)
    with pytest.raises(TypeError, match="seed must be an int"):
        g.manual_seed(1.5)
    with pytest.raises(ValueError, match="device='cpu'"):
        Generator("cuda")


def test_normal_draws_what_torch_draws():
    m = np.linspace(-1, 1, 40).astype(np.float32)
    s = np.linspace(0.1, 2, 40).astype(np.float32)
    cases = [
        ((0.0, 1.0, (30, 2)), (0.0, 1.0, (30, 2))),
        ((3.0, 0.01, (5,)), (3.0, 0.01, (5,))),
        ((m, s), (torch.tensor(m), torch.tensor(s))),
        ((m, 0.5), (torch.tensor(m), 0.5)),
        ((2.0, s), (2.0, torch.tensor(s))),
        ((m[:5].astype(np.float64), 1.0), (torch.tensor(m[:5].astype(np.float64)), 1.0)),
    ]
    for ours_args, their_args in cases:
        g, tg = _pair(4)
        ours = autograd.normal(*ours_args, generator=g)
        theirs = torch.normal(*their_args, generator=tg).numpy()
        assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
        np.testing.assert_allclose(ours.data, theirs, rtol=1e-6, atol=3e-7)
    w = autograd.normal(0, 0.01, size=(2, 1), requires_grad=True)
    assert w.requires_grad and w.is_leaf and w.dtype == np.float32
    with pytest.raises(ValueError, match="give a size"):
        autograd.normal(0.0, 1.0)
    with pytest.raises(ValueError, match="std must be >= 0"):
        autograd.normal(0.0, -1.0, (2,))


def test_in_place_fills_as_torch():
    autograd.manual_seed(0)
    torch.manual_seed(0)
    ours = autograd.zeros(3, 5).uniform_(-1, 1)
    np.testing.assert_array_equal(ours.data, torch.zeros(3, 5).uniform_(-1, 1))
    g, tg = _pair(2)
    ours = Tensor(np.zeros(40)).normal_(0.5, 0.01, generator=g)
    np.testing.assert_array_equal(
        ours.data, torch.zeros(40, dtype=torch.float64).normal_(0.5, 0.01, generator=tg)
    )
    w = autograd.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        w.fill_(1.0)
    with autograd.no_grad():
        assert w.fill_(2.0) is w and w.uniform_(generator=g) is w
    assert w.requires_grad and w.is_leaf and w._version == 2
    with pytest.raises(TypeError, match="fills float tensors"):
        autograd.zeros(3, dtype=np.int64).normal_()


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("seed", [0, 7])
def test_bernoulli_draws_torchs_numbers(dtype, seed):
    probs = np.linspace(0.0, 1.0, 37).reshape(37, 1).repeat(3, axis=1).astype(dtype)
    autograd.manual_seed(seed)
    ours = autograd.bernoulli(autograd.tensor(probs))
    after = autograd.rand(2)
    torch.manual_seed(seed)
    theirs = torch.bernoulli(torch.tensor(probs))
    assert ours.dtype == theirs.numpy().dtype
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    np.testing.assert_array_equal(after.data, torch.rand(2).numpy())  # the same draws used
    g = autograd.Generator().manual_seed(seed)
    tg = torch.Generator().manual_seed(seed)
    np.testing.assert_array_equal(
        autograd.bernoulli(autograd.tensor(probs), generator=g).data,
        torch.bernoulli(torch.tensor(probs), generator=tg).numpy(),
    )


def test_bernoulli_refuses_what_it_cannot_draw_as_torch():
    with pytest.raises(NotImplementedError, match="full_like"):
        autograd.bernoulli(autograd.zeros(3), 0.5)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        autograd.bernoulli(autograd.tensor([0.5, 1.5]))
    with pytest.raises(TypeError, match="floats"):
        autograd.bernoulli(autograd.tensor([0, 1]))


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.multinomial(t.tensor([[0.5, -0.1]]), 1),
        lambda t: t.multinomial(t.tensor([[float("nan"), 0.5]]), 1),
        lambda t: t.multinomial(t.tensor([[0.0, 0.0]]), 1),
        lambda t: t.multinomial(t.tensor([[0.5, 0.5]]), 3),
        lambda t: t.multinomial(t.tensor([[[0.5, 0.5]]]), 1),
        lambda t: t.multinomial(t.tensor([[0.5, 0.5]]), 0),
        lambda t: t.randint(0, (3,)),
        lambda t: t.randint(5, 2, (3,)),
    ],
)
def test_bad_distributions_raise_torchs_runtime_error(call):
    """Before, a ValueError (still one too: OperandError is both)."""
    with pytest.raises(RuntimeError):
        call(torch)
    with pytest.raises(RuntimeError):
        call(autograd)


def test_randint_refuses_an_int_size_as_torch():
    """``randint(10, 3)`` is not ``randint(10, (3,))`` in torch: it raises (before,
    three draws)."""
    with pytest.raises(TypeError, match="must be tuple of ints, not int"):
        torch.randint(10, 3)
    with pytest.raises(TypeError, match=r"must be a tuple of ints, not int; write randint"):
        autograd.randint(10, 3)
    with pytest.raises(TypeError):
        torch.randint(0, 10, 3)
    with pytest.raises(TypeError):
        autograd.randint(0, 10, 3)
