"""`nn.optimizers` driven by a schedule or a callable, against Keras 3: the rate of each
step, `learning_rate`, configs, `model.save` / `nn.load_model` and the callbacks."""

import os
import warnings

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np
import pytest
from keras_cases import trajectory_keras, trajectory_ours

import nn
from nn.optimizers import schedules

keras = pytest.importorskip("keras")  # the comparisons need it (CI installs it)

#: (optimizer, its options, schedule name, the schedule's arguments)
CASES = [
    ("SGD", {"momentum": 0.9}, "ExponentialDecay", ((0.05, 4, 0.5), {})),
    ("SGD", {"nesterov": True, "momentum": 0.5}, "PolynomialDecay", ((0.1, 12), {"power": 2.0})),
    ("Adam", {}, "PiecewiseConstantDecay", (([5, 12], [0.1, 0.03, 0.01]), {})),
    ("Adam", {"amsgrad": True}, "InverseTimeDecay", ((0.05, 3, 0.5), {"staircase": True})),
    ("AdamW", {"weight_decay": 0.1}, "CosineDecay", ((0.05, 15), {"alpha": 0.1})),
    ("RMSprop", {"momentum": 0.5}, "CosineDecayRestarts", ((0.01, 4), {"m_mul": 0.7})),
    ("Nadam", {}, "ExponentialDecay", ((0.05, 5, 0.3), {"staircase": True})),
    ("Adafactor", {}, "PolynomialDecay", ((0.5, 10), {"end_learning_rate": 0.05})),
    (
        "Lion",
        {"weight_decay": 0.2},
        "CosineDecay",
        ((0.0, 10), {"warmup_target": 0.02, "warmup_steps": 5}),
    ),
    ("Ftrl", {"learning_rate_power": -0.5}, "InverseTimeDecay", ((0.3, 2, 1.0), {})),
    ("Adagrad", {}, "PiecewiseConstantDecay", (([3], [0.2, 0.05]), {})),
]


def case_id(case):
    return f"{case[0]}-{case[2]}"


def schedule_pair(name, arguments):
    args, kwargs = arguments
    return (
        getattr(schedules, name)(*args, **kwargs),
        getattr(keras.optimizers.schedules, name)(*args, **kwargs),
    )


def assert_same_trajectory(ours, theirs):
    for step, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        for p, q in zip(a, b, strict=True):
            np.testing.assert_allclose(p, q, rtol=1e-4, atol=3e-5, err_msg=f"step {step + 1}")


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_scheduled_trajectory_matches_keras(case):
    name, options, schedule, arguments = case
    ours, theirs = schedule_pair(schedule, arguments)
    steps = 20
    assert_same_trajectory(
        trajectory_ours(name, {**options, "learning_rate": ours}, steps),
        trajectory_keras(name, {**options, "learning_rate": theirs}, steps),
    )


def test_schedule_is_taken_at_the_step_count_before_each_update():
    w = nn.Parameter(np.array([0.0]))
    seen = []

    class Recorder(schedules.LearningRateSchedule):
        def __call__(self, step):
            seen.append(step)
            return 0.1 * (step + 1)

    opt = nn.optimizers.SGD(learning_rate=Recorder())
    opt.build([w])
    for _ in range(3):
        w.grad = nn.Parameter(np.array([1.0]))
        opt.step()
    assert seen == [0, 1, 2] and opt.iterations == 3
    np.testing.assert_allclose(w.data, [-(0.1 + 0.2 + 0.3)])
    assert opt.learning_rate == pytest.approx(0.4)  # the next step's rate, as Keras


def bound_pair(name="SGD", **options):
    """One parameter in each library and its optimizer; an option given as a pair is
    (ours, Keras's)."""
    mine = {k: v[0] if isinstance(v, tuple) else v for k, v in options.items()}
    keras_options = {k: v[1] if isinstance(v, tuple) else v for k, v in options.items()}
    w = nn.Parameter(np.ones(2, dtype=np.float32))
    ours = getattr(nn.optimizers, name)(**mine)
    ours.build([w])
    v = keras.Variable(np.ones(2, dtype=np.float32))
    return (ours, w), (getattr(keras.optimizers, name)(**keras_options), v)


def step_both(pair, grad=(1.0, -0.5)):
    (ours, w), (theirs, v) = pair
    g = np.array(grad, dtype=np.float32)
    w.grad = nn.Parameter(g.copy())
    ours.step()
    theirs.apply_gradients([(g, v)])
    np.testing.assert_allclose(w.data, v.numpy(), rtol=1e-5, atol=1e-7)


def test_learning_rate_reads_as_keras_and_cannot_be_set_to_a_number():
    pair = bound_pair(learning_rate=schedule_pair("ExponentialDecay", ((0.1, 2, 0.5), {})))
    (ours, _), (theirs, _) = pair
    for _ in range(4):
        assert ours.learning_rate == pytest.approx(float(theirs.learning_rate), rel=1e-6)
        step_both(pair)
    assert ours.iterations == int(theirs.iterations) == 4
    assert ours.learning_rate == pytest.approx(0.1 * 0.5**2)
    with pytest.raises(TypeError, match="not settable"):
        theirs.learning_rate = 0.1
    with pytest.raises(TypeError, match="not settable"):
        ours.learning_rate = 0.1
    with pytest.raises(TypeError, match="not settable"):
        ours.lr = 0.1


def test_a_schedule_can_replace_a_number_as_in_keras():
    pair = bound_pair(learning_rate=0.1, momentum=0.9)
    (ours, _), (theirs, _) = pair
    step_both(pair)
    step_both(pair)
    new = schedule_pair("InverseTimeDecay", ((0.05, 1, 1.0), {}))
    ours.learning_rate, theirs.learning_rate = new
    assert ours.param_groups[0]["lr"] is new[0]
    for _ in range(3):  # the schedule starts from the iterations already made (2)
        step_both(pair)
    assert ours.learning_rate == pytest.approx(0.05 / (1 + 5))


def test_callable_learning_rate_is_called_without_arguments_as_in_keras():
    current = {"lr": 0.1}

    def rate():
        return current["lr"]

    pair = bound_pair(learning_rate=rate, momentum=0.5)
    (ours, _), (theirs, _) = pair
    step_both(pair)
    current["lr"] = 0.02
    assert ours.learning_rate == 0.02 == pytest.approx(float(theirs.learning_rate))
    step_both(pair)
    step_both(pair)
    expected = {"module": "builtins", "class_name": "function", "config": "rate"}
    assert {k: ours.get_config()["learning_rate"][k] for k in expected} == expected
    assert ours.get_config()["learning_rate"] == theirs.get_config()["learning_rate"]
    with pytest.raises(ValueError, match="function 'rate'"):
        nn.optimizers.SGD.from_config(ours.get_config())
    with pytest.raises(TypeError, match="not settable"):
        ours.learning_rate = 0.5


def test_decay_is_ignored_with_a_schedule_as_keras3_ignores_it():
    ours_schedule, keras_schedule = schedule_pair("ExponentialDecay", ((0.1, 2, 0.5), {}))
    with pytest.warns(UserWarning, match="decay=0.5 is ignored"):
        ours = nn.optimizers.SGD(learning_rate=ours_schedule, decay=0.5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        keras.optimizers.SGD(learning_rate=keras_schedule, decay=0.5)
    assert any("decay" in str(w.message) for w in caught)
    assert ours.get_config()["decay"] == 0.0
    assert_same_trajectory(
        trajectory_ours("SGD", {"learning_rate": ours_schedule, "decay": 0.5}, 8),
        trajectory_keras("SGD", {"learning_rate": keras_schedule}, 8),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning without decay
        nn.optimizers.SGD(learning_rate=ours_schedule, decay=0.0)


@pytest.mark.parametrize("name", ["SGD", "Adam", "Adafactor", "Ftrl"])
def test_config_holds_the_schedule_as_keras_and_from_config_rebuilds_it(name):
    ours_schedule, keras_schedule = schedule_pair("CosineDecay", ((0.1, 30), {"alpha": 0.2}))
    ours = getattr(nn.optimizers, name)(learning_rate=ours_schedule)
    theirs = getattr(keras.optimizers, name)(learning_rate=keras_schedule)
    config = ours.get_config()
    assert config["learning_rate"] == theirs.get_config()["learning_rate"]
    rebuilt = type(ours).from_config(config)
    assert rebuilt.get_config() == config and rebuilt._base_rate() == ours_schedule
    from_keras = type(ours).from_config({"learning_rate": theirs.get_config()["learning_rate"]})
    assert isinstance(from_keras._base_rate(), schedules.CosineDecay)
    assert type(ours).from_config(type(ours)(learning_rate=0.3).get_config()).learning_rate == 0.3


def data(n=48, features=4, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype(np.float32)
    y = (x @ rng.normal(size=(features, classes))).argmax(axis=1)
    return x, y


@pytest.mark.parametrize(
    ("name", "options", "schedule", "arguments"),
    [
        ("SGD", {"momentum": 0.9}, "ExponentialDecay", ((0.1, 3, 0.7), {"staircase": True})),
        ("Adam", {}, "PiecewiseConstantDecay", (([4, 8], [0.05, 0.01, 0.002]), {})),
    ],
)
def test_fit_with_a_schedule_follows_keras(name, options, schedule, arguments):
    x, y = data()
    keras.utils.set_random_seed(0)
    theirs = keras.Sequential(
        [
            keras.Input(shape=(4,)),
            keras.layers.Dense(6, activation="tanh"),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model = nn.Sequential(
        [nn.Dense(6, activation="tanh", input_shape=(4,)), nn.Dense(3, activation="softmax")]
    )
    model.set_weights(theirs.get_weights())
    ours_schedule, keras_schedule = schedule_pair(schedule, arguments)
    theirs.compile(
        optimizer=getattr(keras.optimizers, name)(learning_rate=keras_schedule, **options),
        loss="sparse_categorical_crossentropy",
    )
    model.compile(
        optimizer=getattr(nn.optimizers, name)(learning_rate=ours_schedule, **options),
        loss="sparse_categorical_crossentropy",
    )
    k_hist = theirs.fit(x, y, epochs=4, batch_size=16, shuffle=False, verbose=0)
    o_hist = model.fit(x, y, epochs=4, batch_size=16, shuffle=False, verbose=0)
    assert model.optimizer.iterations == int(theirs.optimizer.iterations) == 12
    for a, b in zip(model.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=2e-5)
    np.testing.assert_allclose(o_hist.history["loss"], k_hist.history["loss"], rtol=1e-4)


def small_model():
    model = nn.Sequential(
        [nn.Dense(5, activation="relu", input_shape=(4,)), nn.Dense(3, activation="softmax")]
    )
    return model


@pytest.mark.parametrize(
    "optimizer",
    [
        lambda: nn.optimizers.SGD(
            learning_rate=schedules.ExponentialDecay(0.1, 2, 0.8), momentum=0.9
        ),
        lambda: nn.optimizers.Adam(
            learning_rate=schedules.CosineDecay(0.0, 10, warmup_target=0.05, warmup_steps=4)
        ),
        lambda: nn.optimizers.Adafactor(
            learning_rate=schedules.PiecewiseConstantDecay([5], [0.2, 0.05])
        ),
    ],
)
def test_save_and_load_keep_the_schedule_and_continue_identically(tmp_path, optimizer):
    x, y = data()
    model = small_model()
    model.compile(optimizer=optimizer(), loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = nn.load_model(path)
    assert type(loaded.optimizer) is type(model.optimizer)
    assert loaded.optimizer.iterations == model.optimizer.iterations == 6
    assert loaded.optimizer._base_rate() == model.optimizer._base_rate()
    assert loaded.optimizer.learning_rate == model.optimizer.learning_rate
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    for m in (model, loaded):
        m.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    assert loaded.optimizer.iterations == 12
    for a, b in zip(loaded.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_function_or_own_schedule_cannot_be_rebuilt_so_the_model_loads_uncompiled(tmp_path):
    class Halving(schedules.LearningRateSchedule):
        def __call__(self, step):
            return 0.1 / 2 ** (step // 3)

        def get_config(self):
            return {}

    x, y = data()
    for rate in (Halving(), lambda: 0.05):
        model = small_model()
        model.compile(optimizer=nn.optimizers.SGD(learning_rate=rate), loss="mse")
        model.fit(x, nn.utils.to_categorical(y), epochs=1, verbose=0)
        model.save(tmp_path / "m.npz")
        loaded = nn.load_model(tmp_path / "m.npz")
        assert loaded.optimizer is None
        for a, b in zip(loaded.get_weights(), model.get_weights(), strict=True):
            np.testing.assert_array_equal(a, b)


def test_learning_rate_scheduler_refuses_a_schedule_driven_optimizer_as_keras():
    x, y = data()
    callback = nn.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5)
    model = small_model()
    model.compile(
        optimizer=nn.optimizers.SGD(learning_rate=schedules.ExponentialDecay(0.1, 2, 0.5)),
        loss="sparse_categorical_crossentropy",
    )
    with pytest.raises(TypeError, match=r"LearningRateScheduler.*schedule.*not settable"):
        model.fit(x, y, epochs=2, verbose=0, callbacks=[callback])
    assert model.optimizer.iterations == 0

    theirs = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3)])
    theirs.compile(
        optimizer=keras.optimizers.SGD(
            learning_rate=keras.optimizers.schedules.ExponentialDecay(0.1, 2, 0.5)
        ),
        loss="mse",
    )
    with pytest.raises(TypeError, match="not settable"):
        theirs.fit(
            x,
            np.zeros((len(x), 3), np.float32),
            epochs=1,
            verbose=0,
            callbacks=[keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5)],
        )


def test_learning_rate_argument_errors():
    with pytest.raises(TypeError, match="learning_rate must be a number"):
        nn.optimizers.SGD(learning_rate="0.1")
    with pytest.raises(ValueError, match="learning_rate must be >= 0"):
        nn.optimizers.Adam(learning_rate=-0.1)
    opt = nn.optimizers.SGD(learning_rate=0.1)
    with pytest.raises(ValueError, match="learning_rate must be >= 0"):
        opt.learning_rate = -1.0
