import weakref

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn.data import DataLoader, train_test_split


def make(n=10):
    x = np.arange(2 * n, dtype=np.float32).reshape(n, 2)
    return x, np.arange(n)


def test_batches_in_order_with_last_partial():
    x, y = make(10)
    batches = list(DataLoader(x, y, batch_size=4))
    assert [len(yb) for _, yb in batches] == [4, 4, 2]
    assert np.concatenate([yb for _, yb in batches]).tolist() == list(range(10))
    np.testing.assert_array_equal(batches[1][0].data, x[4:8])


def test_float_batches_are_tensors_and_int_labels_stay_arrays():
    x, y = make(6)
    xb, yb = next(iter(DataLoader(x, y, batch_size=3)))
    assert isinstance(xb, Tensor) and xb.dtype == np.float32 and not xb.requires_grad
    assert type(yb) is np.ndarray and yb.dtype.kind == "i"
    _, yf = next(iter(DataLoader(x, y.astype(np.float64)[:, None], batch_size=3)))
    assert isinstance(yf, Tensor) and yf.shape == (3, 1)


def test_len_and_drop_last():
    x, y = make(10)
    assert len(DataLoader(x, y, batch_size=4)) == 3
    loader = DataLoader(x, y, batch_size=4, drop_last=True)
    assert len(loader) == 2
    assert [len(yb) for _, yb in loader] == [4, 4]
    assert len(DataLoader(x, y, batch_size=5, drop_last=True)) == 2


def test_without_targets_yields_inputs_only():
    x, _ = make(5)
    batches = list(DataLoader(x, batch_size=2))
    assert all(isinstance(b, Tensor) for b in batches)
    assert [b.shape[0] for b in batches] == [2, 2, 1]


def test_shuffle_is_a_permutation_that_changes_each_epoch_and_is_seeded():
    x, y = make(50)
    loader = DataLoader(x, y, batch_size=8, shuffle=True, seed=3)
    epoch1 = np.concatenate([yb for _, yb in loader])
    epoch2 = np.concatenate([yb for _, yb in loader])
    assert sorted(epoch1.tolist()) == list(range(50))
    assert not np.array_equal(epoch1, epoch2)
    assert not np.array_equal(epoch1, np.arange(50))
    again = DataLoader(x, y, batch_size=8, shuffle=True, seed=3)
    np.testing.assert_array_equal(np.concatenate([yb for _, yb in again]), epoch1)
    for xb, yb in DataLoader(x, y, batch_size=8, shuffle=True, seed=1):
        np.testing.assert_array_equal(xb.data, x[yb])  # rows stay paired with labels


def test_accepts_tensors_and_lists():
    xb, yb = next(iter(DataLoader(Tensor([[1.0, 2.0], [3.0, 4.0]]), [0, 1], batch_size=2)))
    assert xb.shape == (2, 2) and yb.tolist() == [0, 1]


def test_mismatched_lengths_and_bad_batch_size_raise():
    x, y = make(10)
    with pytest.raises(ValueError, match="same number of samples"):
        DataLoader(x, y[:9])
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(x, y, batch_size=0)
    with pytest.raises(ValueError, match="batch axis"):
        DataLoader(np.float32(3.0))


def test_train_test_split_fraction_and_count():
    x, y = make(10)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.25, seed=0)
    assert (len(x_tr), len(x_te)) == (7, 3)  # ceil(0.25 * 10) = 3, as scikit-learn
    assert sorted(np.concatenate([y_tr, y_te]).tolist()) == list(range(10))
    np.testing.assert_array_equal(x_te, x[y_te])
    _, x_te4, _, _ = train_test_split(x, y, test_size=4, seed=0)
    assert len(x_te4) == 4


def test_train_test_split_seeded_unshuffled_and_without_y():
    x, y = make(10)
    a = train_test_split(x, y, 0.3, seed=5)
    b = train_test_split(x, y, 0.3, seed=5)
    np.testing.assert_array_equal(a[3], b[3])
    _, _, _, y_te = train_test_split(x, y, 0.3, shuffle=False)
    assert y_te.tolist() == [7, 8, 9]
    x_tr, x_te = train_test_split(x, test_size=2, seed=0)
    assert x_tr.shape == (8, 2) and x_te.shape == (2, 2)


@pytest.mark.parametrize("bad", [0, 10, 1.0, 0.0, -0.5, True])
def test_train_test_split_rejects_sizes_leaving_a_part_empty(bad):
    x, y = make(10)
    with pytest.raises((ValueError, TypeError), match="test_size"):
        train_test_split(x, y, test_size=bad)


def test_train_test_split_mismatched_lengths():
    x, y = make(10)
    with pytest.raises(ValueError, match="same number of samples"):
        train_test_split(x, y[:3])


def test_as_inputs_and_as_targets_dtypes():
    from nn.data import as_inputs, as_targets

    assert as_inputs(np.zeros((2, 3), dtype=np.uint8)).dtype == np.float32
    assert as_inputs(np.zeros((2, 3), dtype=np.float64)).dtype == np.float32
    x = np.zeros((2, 3), dtype=np.float32)
    assert as_inputs(x) is x  # no copy when nothing changes
    assert as_targets(np.array([1, 2])).dtype.kind == "i"
    assert as_targets(np.array([1.5, 2.0])).dtype == np.float32


def test_split_validation_keeps_order_and_takes_the_end():
    from nn.data import split_validation

    x, y = make(10)
    _, y_tr, (x_val, y_val) = split_validation(x, y, 0.25)
    # floor(10 * 0.75) = 7 samples to train on, the last 3 to validate
    assert y_tr.tolist() == list(range(7)) and y_val.tolist() == [7, 8, 9]
    np.testing.assert_array_equal(x_val, x[7:])


@pytest.mark.parametrize("shuffle", [False, True])
def test_loader_keeps_no_reference_to_the_batch_it_handed_out(shuffle):
    # A training loop frees a batch as soon as it lets go of it (peak memory).
    x = np.arange(24, dtype=np.float32).reshape(12, 2)
    batches = iter(DataLoader(x, np.arange(12), batch_size=4, shuffle=shuffle, seed=0))
    xb, yb = next(batches)
    probe = weakref.ref(xb)
    del xb, yb
    assert probe() is None


def test_fit_frees_each_batch_before_the_optimizer_step(monkeypatch):
    # fit lets go of a batch once the forward has used it: backward frees the graph's
    # reference, so the batch is gone while the optimizer updates (peak memory).
    alive: list[weakref.ref] = []
    make = DataLoader._batch

    def tracked(self, start, order):
        batch = make(self, start, order)
        alive.append(weakref.ref(batch[0]))
        return batch

    monkeypatch.setattr(DataLoader, "_batch", tracked)
    seen: list[int] = []

    class Spy(nn.optimizers.SGD):
        def step(self, closure=None):
            seen.append(sum(r() is not None for r in alive))
            return super().step(closure)

    model = nn.Sequential(
        nn.Dense(8, activation="relu", input_dim=784), nn.Dense(3, activation="softmax")
    )
    model.compile(Spy(learning_rate=0.01), "sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    # Batches of 100 KB: a graph too large to keep, which backward frees as it passes.
    x = rng.random((128, 784), dtype=np.float32)
    model.fit(x, rng.integers(0, 3, 128), batch_size=32, epochs=1, verbose=0)
    assert seen == [0, 0, 0, 0]


def test_loader_dataset_counts_the_samples_as_pytorch_tutorials_read_it():
    x, y = np.arange(20, dtype=np.float32).reshape(10, 2), np.arange(10)
    loader = DataLoader(x, y, batch_size=4, drop_last=True)
    size = len(loader.dataset)  # the tutorials' progress line: [current/size]
    assert size == 10 and len(loader) == 2
    xi, yi = loader.dataset[3]
    np.testing.assert_array_equal(xi, x[3])
    assert yi == 3
    assert len(DataLoader(x).dataset) == 10
    np.testing.assert_array_equal(DataLoader(x).dataset[-1], x[-1])
    samples = [(row, label) for row, label in zip(x, y)]
    assert DataLoader(samples, batch_size=3).dataset is samples


def test_tensor_dataset_batches_as_torch_does():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).normal(size=(10, 3)).astype(np.float32)
    y = np.arange(10) % 3
    ours = nn.TensorDataset(Tensor(x), y)
    theirs = torch.utils.data.TensorDataset(torch.tensor(x), torch.tensor(y))
    assert len(ours) == len(theirs)
    np.testing.assert_array_equal(ours[4][0].data, theirs[4][0].numpy())
    assert ours[4][1] == theirs[4][1].item()
    loader = nn.DataLoader(ours, batch_size=4)
    batches = [(xb.data.tolist(), yb.tolist()) for xb, yb in loader]
    expected = [
        (xb.numpy().tolist(), yb.tolist())
        for xb, yb in torch.utils.data.DataLoader(theirs, batch_size=4)
    ]
    assert batches == expected
    assert loader.dataset is ours and len(loader) == 3
    # the same batches as the per-sample path (collate) would give
    samples = nn.DataLoader(list(zip(x, y)), batch_size=4)
    collated = [(xb.data.tolist(), yb.tolist()) for xb, yb in samples]
    assert batches == collated


def test_tensor_dataset_refuses_tensors_of_different_lengths():
    with pytest.raises(ValueError, match=r"same length, got \[3, 2\]"):
        nn.TensorDataset(np.zeros(3), np.zeros(2))


@pytest.mark.parametrize("lengths", [[0.8, 0.2], [0.33, 0.33, 0.34], [3, 7], [0.5, 0.5]])
def test_random_split_sizes_match_torch(lengths):
    torch = pytest.importorskip("torch")
    ours = nn.random_split(range(10), lengths, generator=np.random.default_rng(0))
    theirs = torch.utils.data.random_split(range(10), lengths)
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    assert sorted(i for s in ours for i in s) == list(range(10))  # a partition


def test_random_split_refuses_lengths_that_do_not_add_up():
    with pytest.raises(ValueError, match=r"lengths \[3, 3\] must be counts adding up to .* 10"):
        nn.random_split(range(10), [3, 3])


def test_a_dataset_subclass_is_batched():
    class Squares(nn.Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return np.array([i, i * i], np.float32), i % 2

    batches = list(nn.DataLoader(Squares(), batch_size=2))
    assert [yb.tolist() for _, yb in batches] == [[0, 1], [0, 1], [0]]
    assert batches[1][0].data.tolist() == [[2.0, 4.0], [3.0, 9.0]]
    with pytest.raises(NotImplementedError, match="must define __getitem__"):
        nn.Dataset()[0]


def test_randperm_draws_torchs_permutations():
    torch = pytest.importorskip("torch")
    import autograd

    for n in (0, 1, 2, 7, 100, 6000):
        for seed in (0, 5, 2**40 + 3):
            ours = autograd.Generator().manual_seed(seed)
            theirs = torch.Generator().manual_seed(seed)
            perm = autograd.randperm(n, generator=ours)
            assert (
                perm.dtype == np.int64
                and perm.tolist() == torch.randperm(n, generator=theirs).tolist()
            )
            # the stream goes on where torch's does
            assert (
                autograd.rand(4, generator=ours).tolist()
                == torch.rand(4, generator=theirs).tolist()
            )
    autograd.manual_seed(11)
    torch.manual_seed(11)
    assert autograd.randperm(9).tolist() == torch.randperm(9).tolist()
    assert autograd.randperm(3, dtype=np.int32).dtype == np.int32
    with pytest.raises(ValueError, match=r"randperm: n must be a non-negative int, got -1"):
        autograd.randperm(-1)


@pytest.mark.parametrize(
    "how", ["shuffled", "in order", "own generator", "own generator, whole batches", "drop_last"]
)
def test_a_torch_style_loader_yields_torchs_batches_and_draws_what_torch_draws(how):
    torch = pytest.importorskip("torch")
    import autograd

    x = np.arange(23 * 2, dtype=np.float32).reshape(23, 2)
    y = np.arange(23)
    seen = []
    for lib in (autograd, torch):
        lib.manual_seed(7)
        options = {"batch_size": 5, "shuffle": how != "in order", "drop_last": how == "drop_last"}
        if how == "own generator, whole batches":
            options["batch_size"] = 23
        if how.startswith("own generator"):
            options["generator"] = lib.Generator().manual_seed(3)
        if lib is torch:
            dataset = torch.utils.data.TensorDataset(torch.tensor(x), torch.tensor(y))
            loader = torch.utils.data.DataLoader(dataset, **options)
        else:
            loader = nn.DataLoader(nn.TensorDataset(x, y), **options)
        epochs = [[np.asarray(yb).tolist() for _, yb in loader] for _ in range(3)]
        seen.append((epochs, lib.rand(3).tolist()))  # what the passes left of the stream
    assert seen[0] == seen[1]


def test_random_split_draws_torchs_split():
    torch = pytest.importorskip("torch")
    import autograd

    for generator in (None, 4):
        ours_gen = None if generator is None else autograd.Generator().manual_seed(generator)
        theirs_gen = (
            torch.default_generator
            if generator is None
            else torch.Generator().manual_seed(generator)
        )
        autograd.manual_seed(2)
        torch.manual_seed(2)
        ours = nn.random_split(range(17), [0.5, 0.3, 0.2], generator=ours_gen)
        theirs = torch.utils.data.random_split(range(17), [0.5, 0.3, 0.2], generator=theirs_gen)
        assert [list(s) for s in ours] == [list(s) for s in theirs]


def test_loader_takes_pytorchs_positional_batch_size_collate_fn_and_workers():
    samples = [(np.full(2, i, np.float32), i) for i in range(7)]
    loader = nn.DataLoader(samples, 3, num_workers=2, pin_memory=True)
    assert [yb.tolist() for _, yb in loader] == [[0, 1, 2], [3, 4, 5], [6]]
    sums = nn.DataLoader(samples, batch_size=4, collate_fn=lambda batch: sum(i for _, i in batch))
    assert list(sums) == [6, 15]
    with pytest.raises(ValueError, match="num_workers must be a non-negative int, got -1"):
        nn.DataLoader(samples, 3, num_workers=-1)
    with pytest.raises(TypeError, match=r"generator must be an autograd\.Generator"):
        nn.DataLoader(samples, 3, generator=np.random.default_rng(0))
