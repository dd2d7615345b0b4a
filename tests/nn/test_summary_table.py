"""`summary()` prints Keras 3's table character for character: borders, column widths
from the terminal's width, wrapped cells, totals with sizes, the optimizer's variables."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from nn.summary import column_widths, readable_size, wrap

keras = pytest.importorskip("keras")
layers = keras.layers


def keras_text(model, **kwargs) -> str:
    printed: list[str] = []
    model.summary(print_fn=lambda text, line_break=False: printed.append(text), **kwargs)
    return "".join(printed).rstrip("\n")


def pair(build):
    """The same model in Keras and here (`build(lib, Dense)`), every layer named (Keras
    and nn number unnamed layers per session)."""
    return build(keras, layers.Dense), build(nn, nn.Dense)


def dense_stack(lib, Dense):
    return lib.Sequential(
        [
            lib.Input((784,)),
            Dense(512, activation="relu", name="hidden"),
            Dense(10, activation="softmax", name="out"),
        ],
        name="stack",
    )


def with_batchnorm(lib, Dense):
    return lib.Sequential(
        [
            lib.Input((20,)),
            Dense(8, name="d"),
            lib.layers.BatchNormalization(name="batch_normalization"),
            Dense(1, name="out"),
        ],
        name="bn",
    )


def long_name(lib, Dense):
    name = "a_really_long_layer_name_that_will_not_fit_anywhere"
    return lib.Sequential([lib.Input((3,)), Dense(2, name=name)], name="long")


def unbuilt(lib, Dense):
    return lib.Sequential([Dense(64, name="first"), Dense(10, name="second")], name="lazy")


def wide_and_deep(lib, Dense):
    wide, deep = lib.Input((8,), name="wide"), lib.Input((6,), name="deep")
    hidden = Dense(30, activation="relu", name="hidden")(deep)
    both = lib.layers.Concatenate(name="concatenate")([wide, hidden])
    return lib.Model([wide, deep], Dense(1, name="out")(both), name="wide_deep")


@pytest.mark.parametrize("build", [dense_stack, with_batchnorm, long_name, unbuilt, wide_and_deep])
def test_the_table_is_keras_3s(build, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")  # the width of a terminal, or of none
    theirs, ours = pair(build)
    assert ours.summary(print_fn=None) == keras_text(theirs)


@pytest.mark.parametrize("columns", ["100", "200"])
def test_the_table_follows_the_terminals_width_and_line_length(columns, monkeypatch):
    """A terminal wider than 92 columns gets Keras's full 88 (or 108) characters."""
    monkeypatch.setenv("COLUMNS", columns)
    for build in (with_batchnorm, wide_and_deep):
        theirs, ours = pair(build)
        assert ours.summary(print_fn=None) == keras_text(theirs)
        assert ours.summary(print_fn=None, line_length=70) == keras_text(theirs, line_length=70)
    theirs, ours = pair(dense_stack)
    spread = {"line_length": 100, "positions": [0.5, 0.75, 1.0]}
    assert ours.summary(print_fn=None, **spread) == keras_text(theirs, **spread)


@pytest.mark.parametrize(
    "optimizer",
    ["sgd", "rmsprop", "adam", "adamw", "nadam", "adamax", "adagrad", "adadelta", "ftrl", "lion"],
)
def test_after_fit_the_totals_count_the_optimizers_variables(optimizer, monkeypatch):
    """Keras adds "Optimizer params": the step counter, the learning rate and each
    slot (momenta, velocities, ...), and counts them in the total."""
    monkeypatch.setenv("COLUMNS", "80")
    theirs, ours = pair(with_batchnorm)
    x, y = np.ones((8, 20), np.float32), np.zeros((8, 1), np.float32)
    for model in (theirs, ours):
        model.compile(optimizer=optimizer, loss="mse")
        before = model.summary(print_fn=None) if model is ours else keras_text(model)
        assert "Optimizer params" not in before  # no variables before the first step
        model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    assert "Optimizer params" in ours.summary(print_fn=None)
    assert ours.summary(print_fn=None) == keras_text(theirs)


def test_a_schedule_is_not_a_variable(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    theirs, ours = pair(dense_stack)
    x, y = np.ones((4, 784), np.float32), np.zeros(4, np.int64)
    for lib, model in ((keras, theirs), (nn, ours)):
        decay = lib.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9)
        model.compile(
            optimizer=lib.optimizers.SGD(decay, momentum=0.9),
            loss="sparse_categorical_crossentropy",
        )
        model.fit(x, y, verbose=0)
    assert ours.summary(print_fn=None) == keras_text(theirs)


def test_wrap_breaks_at_spaces_and_cuts_a_word_too_long():
    assert wrap("batch_normalization (BatchNormalization)", 31) == [
        "batch_normalization",
        "(BatchNormalization)",
    ]
    assert wrap("wide[0][0], dense_4[0][0]", 17) == ["wide[0][0],", "dense_4[0][0]"]
    assert wrap("abcdefghij", 4) == ["abc…"]
    assert wrap("ab abcdefghij cd", 4) == ["ab", "abc…", "cd"]
    assert wrap("", 5) == [""]


def test_layout_and_sizes_as_keras():
    assert column_widths(3, 76, None) == [33, 24, 15]  # 80 columns: rich gives these
    assert column_widths(4, 76, None) == [21, 19, 12, 19]
    assert column_widths(3, 88, None) == [38, 29, 17]
    with pytest.raises(ValueError, match="Insufficient console width"):
        column_widths(3, 10, None)
    assert readable_size(996) == "996.00 B"
    assert readable_size(1024) == "1.00 KB"
    assert readable_size(1_636_392) == "1.56 MB"
