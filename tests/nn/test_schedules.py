"""`nn.optimizers.schedules` against `keras.optimizers.schedules`: values, configs, errors."""

import math
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np
import pytest

from nn.optimizers import schedules

keras = pytest.importorskip("keras")  # the comparisons need it (CI installs it)
jax = pytest.importorskip("jax")

#: (class name, positional arguments, keyword arguments, steps that matter besides 0..120)
CASES = [
    ("ExponentialDecay", (0.1, 7, 0.5), {}, []),
    ("ExponentialDecay", (0.1, 7, 0.5), {"staircase": True}, [6, 7, 8, 13, 14]),
    ("ExponentialDecay", (0.01, 10000, 0.96), {}, [10000, 20000, 123456]),
    ("PiecewiseConstantDecay", ([5, 10, 20], [1.0, 0.5, 0.1, 0.01]), {}, [4, 5, 6, 20, 21]),
    ("PiecewiseConstantDecay", ([3], [0.3, 0.03]), {}, [2, 3, 4]),
    ("PolynomialDecay", (0.1, 10), {}, [9, 10, 11]),
    ("PolynomialDecay", (0.1, 10), {"end_learning_rate": 0.01, "power": 0.5}, [10, 50]),
    (
        "PolynomialDecay",
        (0.1, 10),
        {"end_learning_rate": 0.01, "power": 2.0, "cycle": True},
        [10, 11, 20, 21, 30],
    ),
    ("InverseTimeDecay", (0.1, 3, 0.5), {}, []),
    ("InverseTimeDecay", (0.1, 3, 0.5), {"staircase": True}, [2, 3, 4]),
    ("CosineDecay", (0.1, 20), {}, [20, 21]),
    ("CosineDecay", (0.1, 20), {"alpha": 0.1}, [10, 20, 40]),
    (
        "CosineDecay",
        (0.0, 20),
        {"warmup_target": 0.2, "warmup_steps": 5, "alpha": 0.1},
        [4, 5, 6, 25, 26],
    ),
    ("CosineDecay", (0.05, 20), {"warmup_target": 0.2, "warmup_steps": 0}, [0, 20]),
    ("CosineDecay", (0.3, 8), {"warmup_target": 0.1, "warmup_steps": 12}, [11, 12, 20]),
    ("CosineDecayRestarts", (0.1, 5), {}, [5, 15, 35, 75]),
    ("CosineDecayRestarts", (0.1, 4), {"t_mul": 1.0, "m_mul": 0.5, "alpha": 0.1}, [4, 8, 12]),
    ("CosineDecayRestarts", (0.1, 3), {"t_mul": 1.5, "m_mul": 0.9}, [3, 7, 8, 14, 24]),
    ("CosineDecayRestarts", (0.1, 2), {"t_mul": 3.0, "alpha": 0.2}, [2, 8, 26, 80]),
]


def case_id(case):
    name, args, kwargs, _ = case
    return f"{name}{args}" + "".join(f"-{k}={v}" for k, v in kwargs.items())


def both(case):
    name, args, kwargs, _ = case
    return getattr(schedules, name)(*args, **kwargs), getattr(keras.optimizers.schedules, name)(
        *args, **kwargs
    )


def keras_values(schedule, steps):
    """Keras's schedule at each step (int32 counts, as Keras's `iterations`), run
    eagerly on all the steps at once. CosineDecay's warmup branches on the step
    (`ops.cond`), which takes one scalar at a time, slowly unless compiled: it is
    compiled once. (Compiling is not used for all: XLA turns PolynomialDecay's
    ``1 - step / decay_steps`` at the end of the decay into a tiny negative number,
    and a power of 0.5 then gives nan, where eager Keras, and we, give the end rate.)"""
    steps = np.array(steps, dtype=np.int32)
    if getattr(schedule, "warmup_target", None) is None:
        return np.asarray(schedule(steps), dtype=np.float64)
    compiled = jax.jit(schedule)
    return np.array([float(compiled(step)) for step in steps])


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_values_match_keras_over_steps_and_boundaries(case):
    ours, theirs = both(case)
    steps = sorted({*range(121), *case[3]})
    expected = keras_values(theirs, steps)
    got = [ours(step) for step in steps]
    assert all(type(v) is float for v in got)
    # Keras computes in float32: its rounding is about 1e-8 for these rates of 0.1 to 1
    np.testing.assert_allclose(got, expected, rtol=2e-6, atol=3e-8)
    # a whole curve at once gives the same numbers as step by step
    np.testing.assert_array_equal(ours(np.array(steps)), got)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_config_and_serialize_match_keras_and_round_trip(case):
    ours, theirs = both(case)
    assert ours.get_config() == theirs.get_config()
    assert schedules.serialize(ours) == keras.optimizers.schedules.serialize(theirs)
    for rebuilt in (
        type(ours).from_config(ours.get_config()),
        schedules.deserialize(schedules.serialize(ours)),
        schedules.deserialize(keras.optimizers.schedules.serialize(theirs)),
    ):
        assert type(rebuilt) is type(ours) and rebuilt == ours
        assert [rebuilt(s) for s in range(0, 60, 7)] == [ours(s) for s in range(0, 60, 7)]


def test_keras_config_without_optional_entries_and_repr():
    s = schedules.deserialize(
        {
            "class_name": "PolynomialDecay",
            "config": {"initial_learning_rate": 0.1, "decay_steps": 10},
        }
    )
    assert s.get_config() == {
        "initial_learning_rate": 0.1,
        "decay_steps": 10,
        "end_learning_rate": 0.0001,
        "power": 1.0,
        "cycle": False,
        "name": "PolynomialDecay",
    }
    assert repr(schedules.InverseTimeDecay(0.1, 2, 0.5)) == (
        "InverseTimeDecay(initial_learning_rate=0.1, decay_steps=2, decay_rate=0.5, "
        "staircase=False, name='InverseTimeDecay')"
    )
    assert schedules.InverseTimeDecay(0.1, 2, 0.5) != schedules.InverseTimeDecay(0.1, 2, 0.6)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: schedules.ExponentialDecay(0.1, 0, 0.5), ValueError, "decay_steps=0"),
        (lambda: schedules.PolynomialDecay(0.1, -3), ValueError, "decay_steps=-3"),
        (lambda: schedules.InverseTimeDecay(0.1, 0.0, 0.5), ValueError, "decay_steps"),
        (lambda: schedules.CosineDecay(0.1, 0), ValueError, "decay_steps"),
        (lambda: schedules.CosineDecayRestarts(0.1, 0), ValueError, "first_decay_steps=0"),
        (lambda: schedules.ExponentialDecay(0.1, None, 0.5), TypeError, "decay_steps"),
        (
            lambda: schedules.PiecewiseConstantDecay([1, 2], [0.1, 0.01]),
            ValueError,
            "1 less than the length of values",
        ),
        (
            lambda: schedules.PiecewiseConstantDecay([5, 5], [0.1, 0.01, 0.001]),
            ValueError,
            "strictly increasing",
        ),
    ],
)
def test_bad_arguments_raise_naming_them(make, error, message):
    with pytest.raises(error, match=message):
        make()


@pytest.mark.parametrize(
    "make",
    [
        lambda: keras.optimizers.schedules.ExponentialDecay(0.1, 0, 0.5),
        lambda: keras.optimizers.schedules.CosineDecayRestarts(0.1, 0),
        lambda: keras.optimizers.schedules.PiecewiseConstantDecay([1, 2], [0.1, 0.01]),
    ],
)
def test_keras_raises_value_error_there_too(make):
    with pytest.raises(ValueError):
        make()


def test_base_class_serialize_and_deserialize_errors():
    base = schedules.LearningRateSchedule()
    with pytest.raises(NotImplementedError, match="must override `__call__"):
        base(1)
    with pytest.raises(NotImplementedError, match="get_config"):
        base.get_config()
    with pytest.raises(TypeError, match="expected a LearningRateSchedule"):
        schedules.serialize(lambda step: 0.1)
    with pytest.raises(ValueError, match=r"unknown learning rate schedule 'Nope'.*Exponential"):
        schedules.deserialize({"class_name": "Nope", "config": {}})
    with pytest.raises(TypeError, match="class_name"):
        schedules.deserialize("ExponentialDecay")


class Reciprocal(schedules.LearningRateSchedule):
    def __init__(self, rate):
        self.rate = rate

    def __call__(self, step):
        return self.rate / (step + 1)

    def get_config(self):
        return {"rate": self.rate}


def test_custom_schedule_serializes_with_its_name_and_loads_with_custom_objects():
    config = schedules.serialize(Reciprocal(0.3))
    assert config["class_name"] == config["registered_name"] == "Reciprocal"
    assert config["config"] == {"rate": 0.3}
    with pytest.raises(ValueError, match="custom_objects"):
        schedules.deserialize(config)
    rebuilt = schedules.deserialize(config, custom_objects={"Reciprocal": Reciprocal})
    assert rebuilt(2) == pytest.approx(0.1)
    assert schedules.deserialize(rebuilt) is rebuilt


@pytest.mark.parametrize(
    ("first_decay_steps", "t_mul", "restart"),
    # steps where a period starts but log(...) / log(t_mul) rounds to just below its index
    [(1, 3.0, 121), (16, 1.5, 211)],
)
def test_restart_boundaries_where_the_logarithm_rounds_down(first_decay_steps, t_mul, restart):
    fraction = restart / first_decay_steps
    assert math.floor(math.log(1 - fraction * (1 - t_mul)) / math.log(t_mul)) < round(
        math.log(1 - fraction * (1 - t_mul)) / math.log(t_mul)
    )
    ours = schedules.CosineDecayRestarts(1.0, first_decay_steps, t_mul=t_mul)
    theirs = keras.optimizers.schedules.CosineDecayRestarts(1.0, first_decay_steps, t_mul=t_mul)
    steps = [restart - 1, restart, restart + 1]
    np.testing.assert_allclose(
        [ours(s) for s in steps], keras_values(theirs, steps), rtol=2e-6, atol=3e-8
    )
    assert ours(restart) == 1.0  # the new period starts at the full rate
