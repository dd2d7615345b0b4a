import gzip
import hashlib
import os
import struct
from pathlib import Path

import numpy as np
import pytest

from nn import datasets
from nn.datasets import IDXError, load_mnist, parse_idx
from nn.datasets import mnist as mnist_mod

NAMES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"]
NAMES += ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]


@pytest.mark.parametrize(
    "name, outputs",
    [
        ("and", [0, 0, 0, 1]),
        ("or", [0, 1, 1, 1]),
        ("nand", [1, 1, 1, 0]),
        ("nor", [1, 0, 0, 0]),
        ("XOR", [0, 1, 1, 0]),
        ("xnor", [1, 0, 0, 1]),
    ],
)
def test_logic_gate_truth_tables(name, outputs):
    X, y = datasets.logic_gate(name)
    assert X.dtype == np.float32 and X.shape == (4, 2)
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert y.shape == (4,) and y.tolist() == outputs


def test_logic_gate_unknown_name():
    with pytest.raises(ValueError, match=r"unknown logic gate 'nor2'.*xor"):
        datasets.logic_gate("nor2")


@pytest.mark.parametrize(
    "make, n, classes",
    [
        (lambda s: datasets.spiral(50, 3, seed=s), 150, 3),
        (lambda s: datasets.spiral(20, 5, seed=s), 100, 5),
        (lambda s: datasets.moons(101, seed=s), 101, 2),
        (lambda s: datasets.circles(80, seed=s), 80, 2),
        (lambda s: datasets.blobs(90, centers=4, n_features=3, seed=s), 90, 4),
    ],
)
def test_classification_sets_are_seeded_float32_int64(make, n, classes):
    X, y = make(0)
    assert X.dtype == np.float32 and y.dtype == np.int64
    assert len(X) == len(y) == n
    assert sorted(set(y.tolist())) == list(range(classes))
    X2, y2 = make(0)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = make(1)
    assert not np.array_equal(X, X3)


def test_spiral_geometry_radius_grows_along_each_arm():
    X, y = datasets.spiral(100, 3, noise=0.0, shuffle=False)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[:100], np.linspace(0, 1, 100), atol=1e-6)
    assert y[:100].tolist() == [0] * 100 and y[-1] == 2
    # class k's angles run over [4k, 4k + 4]: the last point of arm 0 is at t = 4
    np.testing.assert_allclose(X[99], [np.sin(4.0), np.cos(4.0)], atol=1e-6)


def test_circles_radii_and_moons_classes_balanced():
    X, y = datasets.circles(200, noise=0.0, factor=0.3)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0, atol=1e-6)
    np.testing.assert_allclose(r[y == 1], 0.3, atol=1e-6)
    _, ym = datasets.moons(100)
    assert np.bincount(ym).tolist() == [50, 50]


def test_blobs_with_given_centers():
    centers = np.array([[0.0, 0.0], [100.0, 100.0]])
    X, y = datasets.blobs(40, centers=centers, cluster_std=0.1)
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [100, 100], atol=0.2)
    assert np.abs(X[y == 0]).max() < 1.0


def test_sine_regression_set():
    x, y = datasets.sine(500, noise=0.0)
    assert x.shape == y.shape == (500, 1) and x.dtype == y.dtype == np.float32
    assert x.min() >= -np.pi and x.max() <= np.pi
    np.testing.assert_allclose(y, np.sin(x), atol=1e-6)


def test_generators_reject_bad_sizes():
    with pytest.raises(ValueError, match="n_per_class"):
        datasets.spiral(0)
    with pytest.raises(ValueError, match="factor"):
        datasets.circles(factor=1.5)


def idx_bytes(array, type_code=0x08):
    header = struct.pack(">BBBB", 0, 0, type_code, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def small_set(n_train=6, n_test=4, seed=0):
    rng = np.random.default_rng(seed)
    return {
        NAMES[0]: rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        NAMES[1]: rng.integers(0, 10, n_train, dtype=np.uint8),
        NAMES[2]: rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        NAMES[3]: rng.integers(0, 10, n_test, dtype=np.uint8),
    }


@pytest.fixture(autouse=True)
def digests(monkeypatch):
    """Published digests that `write_set` extends with those of the small test files
    (restored after each test)."""
    for table in (mnist_mod.MD5, mnist_mod.RAW_MD5):
        for kind in list(table):
            monkeypatch.setitem(table, kind, dict(table[kind]))


def write_set(folder, arrays, gz=True):
    """Write IDX files and register their digests as if they were the published ones."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in arrays.items():
        data = idx_bytes(array)
        if gz:
            data = gzip.compress(data)
            (folder / (name + ".gz")).write_bytes(data)
        else:
            (folder / name).write_bytes(data)
        table = mnist_mod.MD5 if gz else mnist_mod.RAW_MD5
        for kind in table:
            table[kind][name + (".gz" if gz else "")] = hashlib.md5(data).hexdigest()


@pytest.fixture
def no_env(monkeypatch, tmp_path):
    monkeypatch.delenv("GRADWORK_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def check_loaded(result, arrays):
    (x_train, y_train), (x_test, y_test) = result
    for got, name in zip([x_train, y_train, x_test, y_test], NAMES):
        assert got.dtype == np.uint8
        np.testing.assert_array_equal(got, arrays[name])
    x_train[0, 0, 0] = 1  # writable, like Keras' arrays


@pytest.mark.parametrize("gz", [True, False])
def test_load_mnist_from_path_gzip_and_raw(tmp_path, no_env, gz):
    arrays = small_set()
    write_set(tmp_path / "d", arrays, gz=gz)
    check_loaded(load_mnist(path=tmp_path / "d"), arrays)


def test_parse_idx_other_types_and_byte_order():
    a = np.arange(6, dtype=np.int32).reshape(2, 3) - 3
    np.testing.assert_array_equal(parse_idx(idx_bytes(a, 0x0C)), a)
    f = np.linspace(-1, 1, 4).astype(np.float32)
    got = parse_idx(idx_bytes(f, 0x0D))
    assert got.dtype == np.float32 and got.dtype.isnative
    np.testing.assert_array_equal(got, f)


def test_env_subfolder_then_env_root_then_cache(tmp_path, monkeypatch, no_env):
    monkeypatch.setenv("GRADWORK_DATA", str(tmp_path / "data"))
    cached = small_set(seed=1)
    write_set(tmp_path / "cache" / "gradwork" / "mnist", cached)
    check_loaded(load_mnist(), cached)
    in_root = small_set(seed=2)
    write_set(tmp_path / "data", in_root)
    check_loaded(load_mnist(), in_root)
    in_sub = small_set(seed=3)
    write_set(tmp_path / "data" / "mnist", in_sub)
    check_loaded(load_mnist("digits"), in_sub)
    fashion = small_set(seed=4)
    write_set(tmp_path / "data" / "fashion-mnist", fashion)
    check_loaded(load_mnist("fashion"), fashion)


def test_not_found_message_says_where_and_how(tmp_path, monkeypatch, no_env):
    monkeypatch.setenv("GRADWORK_DATA", str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError) as info:
        load_mnist()
    message = str(info.value)
    for part in ["GRADWORK_DATA", "path=", "download=True", "train-images-idx3-ubyte"]:
        assert part in message
    assert str(tmp_path / "nowhere" / "mnist") in message
    assert str(tmp_path / "cache" / "gradwork" / "mnist") in message


def test_one_missing_file_is_not_found(tmp_path, no_env):
    write_set(tmp_path / "d", small_set())
    os.remove(tmp_path / "d" / (NAMES[3] + ".gz"))
    with pytest.raises(FileNotFoundError):
        load_mnist(path=tmp_path / "d")


def test_unknown_kind():
    with pytest.raises(ValueError, match="'digits' or 'fashion'"):
        load_mnist("cifar")


def corrupt(folder, name, transform, gz=True):
    path = folder / (name + (".gz" if gz else ""))
    path.write_bytes(transform(path.read_bytes()))


@pytest.mark.parametrize(
    "name, gz, transform, message",
    [
        (NAMES[0], False, lambda b: b"\x08\x03" + b[2:], "bad magic number"),
        (NAMES[0], False, lambda b: b[:-10], "truncated or corrupt"),
        (NAMES[0], False, lambda b: b + b"\0", "truncated or corrupt"),
        (NAMES[0], False, lambda b: b[:2], "too short"),
        (NAMES[0], False, lambda b: b[:10], "truncated header"),
        (NAMES[1], False, lambda b: b[:3] + b"\x02" + b[4:], "1 dimension.*got 2"),
        (NAMES[2], True, lambda b: b[: len(b) // 2], "not a valid gzip"),
        (NAMES[2], True, lambda b: b"junk" + b, "not a valid gzip"),
        (NAMES[3], True, lambda b: b[:20] + bytes([b[20] ^ 0xFF]) + b[21:], "gzip"),
    ],
)
def test_corrupt_files_raise_clear_errors(tmp_path, no_env, name, gz, transform, message):
    write_set(tmp_path / "d", small_set(), gz=gz)
    corrupt(tmp_path / "d", name, transform, gz)
    with pytest.raises(IDXError, match=message):
        load_mnist(path=tmp_path / "d")


def test_label_and_image_counts_must_match(tmp_path, no_env):
    arrays = small_set()
    arrays[NAMES[3]] = arrays[NAMES[3]][:3]
    write_set(tmp_path / "d", arrays)
    with pytest.raises(IDXError, match=r"4 images but .* 3 labels"):
        load_mnist(path=tmp_path / "d")


def serve(tmp_path, monkeypatch, arrays, bad=()):
    """Put .gz files in a folder, point the mirrors at it (file://) and register their MD5."""
    server = tmp_path / "server"
    write_set(server, arrays)
    md5 = {}
    for name in NAMES:
        data = (server / (name + ".gz")).read_bytes()
        md5[name + ".gz"] = hashlib.md5(data).hexdigest()
        if name in bad:
            (server / (name + ".gz")).write_bytes(data[:-5])
    monkeypatch.setitem(mnist_mod.MD5, "digits", md5)
    monkeypatch.setitem(mnist_mod.MIRRORS, "digits", [server.as_uri() + "/"])
    return server


def test_download_into_cache_verifies_and_is_then_found(tmp_path, monkeypatch, no_env):
    arrays = small_set()
    server = serve(tmp_path, monkeypatch, arrays)
    with pytest.raises(FileNotFoundError):
        load_mnist()
    check_loaded(load_mnist(download=True), arrays)
    cache = tmp_path / "cache" / "gradwork" / "mnist"
    assert sorted(p.name for p in cache.iterdir()) == sorted(n + ".gz" for n in NAMES)
    for p in server.iterdir():
        p.unlink()
    check_loaded(load_mnist(), arrays)  # now read from the cache, no download


def test_download_with_wrong_md5_leaves_nothing(tmp_path, monkeypatch, no_env):
    serve(tmp_path, monkeypatch, small_set(), bad=[NAMES[2]])
    with pytest.raises(OSError, match="MD5"):
        load_mnist(download=True)
    cache = tmp_path / "cache" / "gradwork" / "mnist"
    assert NAMES[2] + ".gz" not in [p.name for p in cache.iterdir()]
    assert not list(cache.glob("*.part"))


def test_download_tries_next_mirror_and_respects_path(tmp_path, monkeypatch, no_env):
    arrays = small_set()
    server = serve(tmp_path, monkeypatch, arrays)
    mirrors = [(tmp_path / "missing").as_uri() + "/", server.as_uri() + "/"]
    monkeypatch.setitem(mnist_mod.MIRRORS, "digits", mirrors)
    calls = []
    real = mnist_mod.urlretrieve
    monkeypatch.setattr(mnist_mod, "urlretrieve", lambda u, d: (calls.append(u), real(u, d)))
    check_loaded(load_mnist(path=tmp_path / "mine", download=True), arrays)
    assert len(calls) == 8 and calls[0].startswith(mirrors[0])
    assert len(list((tmp_path / "mine").glob("*.gz"))) == 4


def test_download_only_fetches_missing_files(tmp_path, monkeypatch, no_env):
    arrays = small_set()
    serve(tmp_path, monkeypatch, arrays)
    target = tmp_path / "mine"
    write_set(target, {NAMES[0]: arrays[NAMES[0]]})
    fetched = []
    real = mnist_mod.urlretrieve
    monkeypatch.setattr(mnist_mod, "urlretrieve", lambda u, d: (fetched.append(u), real(u, d)))
    load_mnist(path=target, download=True)
    assert sorted(Path(u).name for u in fetched) == sorted(n + ".gz" for n in NAMES[1:])


REAL = os.environ.get("GRADWORK_DATA")


@pytest.mark.skipif(
    not REAL or not (Path(REAL) / "mnist" / (NAMES[0] + ".gz")).exists(),
    reason="real MNIST not available (set GRADWORK_DATA)",
)
def test_real_mnist_shapes_and_label_counts():
    (x_train, y_train), (x_test, y_test) = load_mnist()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    counts = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(y_train).tolist() == counts
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert x_train.max() == 255 and x_train.min() == 0


@pytest.mark.parametrize("gz", [True, False])
def test_a_local_file_with_another_md5_is_refused(tmp_path, no_env, gz):
    arrays = small_set()
    write_set(tmp_path / "d", arrays, gz=gz)
    labels = arrays[NAMES[1]].copy()
    labels[0] = 7 if labels[0] != 7 else 3  # a plausible label, changed in place
    data = idx_bytes(labels)
    name = NAMES[1] + (".gz" if gz else "")
    (tmp_path / "d" / name).write_bytes(gzip.compress(data) if gz else data)
    with pytest.raises(IDXError, match=r"MD5 .* expected"):
        load_mnist(path=tmp_path / "d")
    (_, y_train), _ = load_mnist(path=tmp_path / "d", verify=False)
    assert y_train[0] == labels[0]


def test_a_label_outside_0_to_9_is_refused_even_unverified(tmp_path, no_env):
    arrays = small_set()
    arrays[NAMES[1]][2] = 200
    write_set(tmp_path / "d", arrays)
    with pytest.raises(IDXError, match="label 200"):
        load_mnist(path=tmp_path / "d", verify=False)


def test_the_published_raw_digests_match_the_gz_files():
    for kind, table in mnist_mod.RAW_MD5.items():
        assert sorted(table) == sorted(name[: -len(".gz")] for name in mnist_mod.MD5[kind])
    if not REAL or not (Path(REAL) / "mnist" / (NAMES[1] + ".gz")).exists():
        pytest.skip("real MNIST not available (set GRADWORK_DATA)")
    for kind, folder in mnist_mod.FOLDERS.items():
        for name in NAMES:
            raw = gzip.decompress((Path(REAL) / folder / (name + ".gz")).read_bytes())
            assert hashlib.md5(raw).hexdigest() == mnist_mod.RAW_MD5[kind][name]
