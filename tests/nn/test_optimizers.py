"""`nn.optimizers`: Keras's arguments (and Keras 2's), binding by `compile`, hand-checked steps."""

import math

import numpy as np
import pytest

import autograd
import nn
import optim
from autograd import Tensor
from nn import optimizers


def bound(opt, values=(1.0, -2.0)):
    w = Tensor(np.array(values, dtype=np.float64), requires_grad=True)
    opt.build([w])
    return w


def step_with(opt, w, grad):
    w.grad = Tensor(np.asarray(grad, dtype=np.float64))
    opt.step()


def test_seed_adam_call_with_keras2_arguments():
    opt = optimizers.Adam(
        lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=None, decay=0.0, amsgrad=False
    )
    config = opt.get_config()
    assert opt.learning_rate == 0.001 and config["epsilon"] == 1e-7
    assert config["decay"] == 0.0 and config["amsgrad"] is False
    assert optimizers.Adam().get_config() == {**config, "name": "adam"}


@pytest.mark.parametrize(
    ("name", "defaults"),
    [
        ("sgd", {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False}),
        ("rmsprop", {"learning_rate": 0.001, "rho": 0.9, "epsilon": 1e-7, "momentum": 0.0}),
        ("adam", {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}),
        ("adamw", {"learning_rate": 0.001, "weight_decay": 0.004}),
        ("adagrad", {"learning_rate": 0.001, "initial_accumulator_value": 0.1}),
        ("adadelta", {"learning_rate": 0.001, "rho": 0.95, "epsilon": 1e-7}),
        ("adamax", {"learning_rate": 0.001, "beta_2": 0.999}),
        ("nadam", {"learning_rate": 0.001, "schedule_decay": None}),
        ("lion", {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.99}),
    ],
)
def test_keras_defaults(name, defaults):
    config = optimizers.get(name).get_config()
    assert {k: config[k] for k in defaults} == defaults


def test_lr_alias_epsilon_none_and_unknown_arguments():
    assert optimizers.SGD(lr=0.3).learning_rate == 0.3
    assert optimizers.RMSprop(epsilon=None).get_config()["epsilon"] == 1e-7
    with pytest.raises(TypeError, match=r"betas.*beta_1, beta_2"):
        optimizers.Adam(betas=(0.9, 0.99))
    with pytest.raises(ValueError, match="only one of clipnorm, clipvalue and global_clipnorm"):
        optimizers.SGD(clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(ValueError, match="rho must be in"):
        optimizers.RMSprop(rho=1.5)
    with pytest.raises(ValueError, match="learning_rate must be >= 0"):
        optimizers.Adam(learning_rate=-1.0)
    with pytest.raises(ValueError, match="weight_decay must be a float"):
        optimizers.AdamW(weight_decay=None)
    with pytest.raises(ValueError, match="beta_1 must be in"):
        optimizers.Lion(beta_1=0.0)


def test_keras2_decay_divides_the_rate_by_one_plus_decay_times_iterations():
    opt = optimizers.SGD(lr=0.1, decay=0.5)
    w = bound(opt, [0.0])
    for t in range(4):
        before = w.data.copy()
        step_with(opt, w, [1.0])
        np.testing.assert_allclose(before - w.data, [0.1 / (1 + 0.5 * t)])
    assert opt.iterations == 4
    assert opt.learning_rate == 0.1  # the base rate is left as given, as Keras 2 did


def test_sgd_momentum_and_nesterov_by_hand():
    opt = optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True)
    w = bound(opt, [1.0])
    step_with(opt, w, [2.0])  # v = -0.2, p = 1 + 0.9 * -0.2 - 0.2
    np.testing.assert_allclose(w.data, [0.62])
    step_with(opt, w, [1.0])  # v = 0.9 * -0.2 - 0.1 = -0.28, p += 0.9 * -0.28 - 0.1
    np.testing.assert_allclose(w.data, [0.62 - 0.352])


def test_rmsprop_keeps_epsilon_under_the_root_by_hand():
    opt = optimizers.RMSprop(learning_rate=0.1, epsilon=0.01)
    w = bound(opt, [1.0])
    step_with(opt, w, [0.5])  # v = 0.1 * 0.25
    np.testing.assert_allclose(w.data, [1.0 - 0.1 * 0.5 / math.sqrt(0.025 + 0.01)])


def test_adam_epsilon_before_bias_correction_by_hand():
    opt = optimizers.Adam(learning_rate=0.1, epsilon=0.01)
    w = bound(opt, [1.0])
    step_with(opt, w, [0.5])  # m = 0.05, v = 0.00025
    alpha = 0.1 * math.sqrt(1 - 0.999) / (1 - 0.9)
    np.testing.assert_allclose(w.data, [1.0 - alpha * 0.05 / (math.sqrt(0.00025) + 0.01)])


def test_nadam_schedule_decay_is_keras2_momentum_schedule():
    """Two steps checked against Keras 2's formulas with schedule_decay=0.004."""
    lr, b1, b2, eps, sd = 0.01, 0.9, 0.999, 1e-7, 0.004
    opt = optimizers.Nadam(learning_rate=lr, schedule_decay=sd)
    w = bound(opt, [1.0])
    p, m, v, m_schedule = 1.0, 0.0, 0.0, 1.0
    for t, g in ((1, 0.5), (2, -0.3)):
        step_with(opt, w, [g])
        u_t = b1 * (1 - 0.5 * 0.96 ** (t * sd))
        u_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * sd))
        m_schedule_new = m_schedule * u_t
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_bar = (1 - u_t) * g / (1 - m_schedule_new) + u_next * m / (1 - m_schedule_new * u_next)
        p -= lr * m_bar / (math.sqrt(v / (1 - b2**t)) + eps)
        m_schedule = m_schedule_new
        np.testing.assert_allclose(w.data, [p], rtol=1e-12)


def test_step_before_build_and_binding_twice():
    opt = optimizers.Adam()
    with pytest.raises(RuntimeError, match="not bound to parameters"):
        opt.step()
    w = bound(opt)
    opt.build([w])  # the same parameters again: nothing changes
    with pytest.raises(ValueError, match="already bound to other parameters"):
        opt.build([Tensor(np.zeros(2), requires_grad=True)])


def test_learning_rate_setter_reaches_the_groups():
    opt = optimizers.RMSprop()
    opt.learning_rate = 0.5
    bound(opt)
    assert opt.param_groups[0]["lr"] == 0.5
    opt.lr = 0.25
    assert opt.param_groups[0]["lr"] == 0.25 and opt.learning_rate == 0.25


def test_state_dict_round_trip_keeps_iterations_and_nadam_product():
    opt = optimizers.Nadam(learning_rate=0.1)
    w = bound(opt)
    for g in ([1.0, 2.0], [0.5, -1.0]):
        step_with(opt, w, g)
    saved, saved_w = opt.state_dict(), w.data.copy()
    step_with(opt, w, [0.3, 0.3])
    expected = w.data.copy()

    again = optimizers.Nadam(learning_rate=0.1)
    w2 = bound(again, saved_w)
    again.load_state_dict(saved)
    assert again.iterations == 2 and again.u_product == opt.u_product / opt._momentum_cache(3)
    step_with(again, w2, [0.3, 0.3])
    np.testing.assert_allclose(w2.data, expected)


def test_compile_names_mean_keras_optimizers_with_keras_defaults():
    model = nn.Sequential(nn.Dense(2, input_dim=3))
    model.compile(loss="mse")
    opt = model.optimizer
    assert isinstance(opt, optimizers.RMSprop)
    assert (opt.learning_rate, opt.param_groups[0]["rho"], opt.param_groups[0]["epsilon"]) == (
        0.001,
        0.9,
        1e-7,
    )
    for name, cls in optimizers.OPTIMIZERS.items():
        model.compile(optimizer=name.upper(), loss="mse")
        assert type(model.optimizer) is cls
        assert {id(p) for p in model.optimizer.param_groups[0]["params"]} == {
            id(p) for p in model.parameters()
        }


def test_compile_options_objects_and_torch_style_optimizers():
    model = nn.Sequential(nn.Dense(2, input_dim=3))
    model.compile(optimizer="sgd", loss="mse", lr=0.5)
    assert model.optimizer.learning_rate == 0.5
    model.compile(optimizer="adam", loss="mse", learning_rate=0.01, amsgrad=True)
    assert model.optimizer.param_groups[0]["amsgrad"] is True
    with pytest.raises(TypeError, match=r"betas.*optimizer=optim\.Adam"):
        model.compile(optimizer="adam", loss="mse", betas=(0.9, 0.99))
    keras_adam = optimizers.Adam(learning_rate=0.02)
    model.compile(optimizer=keras_adam, loss="mse")
    assert model.optimizer is keras_adam and keras_adam.built
    model.compile(optimizer=optimizers.Nadam, loss="mse", learning_rate=0.2)
    assert isinstance(model.optimizer, optimizers.Nadam) and model.optimizer.learning_rate == 0.2
    torch_style = optim.RMSprop(model.parameters(), lr=0.1)
    model.compile(optimizer=torch_style, loss="mse")
    assert model.optimizer is torch_style
    model.compile(optimizer="momentum", loss="mse")  # a name Keras lacks: optim's
    assert isinstance(model.optimizer, optim.Momentum)
    with pytest.raises(ValueError, match=r"unknown optimizer 'adma'.*rmsprop"):
        model.compile(optimizer="adma", loss="mse")


def test_keras_optimizer_trains_with_fit_and_lr_scheduler():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype(np.float32)
    y = x @ np.array([[1.0], [-2.0], [0.5]], dtype=np.float32)
    autograd.manual_seed(0)
    model = nn.Sequential(nn.Dense(1, input_shape=(3,)))
    model.compile(optimizer=optimizers.Adam(learning_rate=0.1), loss="mse")
    schedule = nn.LearningRateScheduler(lambda epoch, lr: 0.1 if epoch < 15 else 0.01)
    history = model.fit(x, y, epochs=20, batch_size=16, verbose=0, seed=0, callbacks=[schedule])
    assert history.history["learning_rate"][-1] == 0.01 and model.optimizer.learning_rate == 0.01
    assert history.history["loss"][-1] < 0.01 * history.history["loss"][0]
    assert model.optimizer.iterations == 20 * 4
