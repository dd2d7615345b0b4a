"""One or two steps of each optimizer, worked out by hand from its docstring."""

import math

import numpy as np
import pytest

import optim
from autograd import Tensor

P0 = np.array([1.0, -2.0, 0.5])
G1 = np.array([0.5, 0.25, -4.0])
G2 = np.array([-0.1, 0.02, -1.0])


def run(cls, grads, p0=P0, **options):
    """p after one step per gradient in `grads`, and the optimizer."""
    p = Tensor(p0.copy(), requires_grad=True)
    opt = cls([p], **options)
    for g in grads:
        p.grad = Tensor(np.array(g, dtype=np.float64))
        opt.step()
    return p.data, opt


def close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-15)


def test_sgd_default_lr_is_keras_value():
    assert optim.SGD([Tensor(P0, requires_grad=True)]).defaults["lr"] == 1e-2


def test_sgd_plain_and_weight_decay_and_maximize():
    close(run(optim.SGD, [G1], lr=0.1)[0], P0 - 0.1 * G1)
    close(run(optim.SGD, [G1], lr=0.1, weight_decay=0.2)[0], P0 - 0.1 * (G1 + 0.2 * P0))
    close(run(optim.SGD, [G1], lr=0.1, maximize=True)[0], P0 + 0.1 * G1)


def test_sgd_momentum_two_steps():
    b1 = G1
    p1 = P0 - 0.1 * b1
    b2 = 0.9 * b1 + (1 - 0.25) * G2
    p, opt = run(optim.SGD, [G1, G2], lr=0.1, momentum=0.9, dampening=0.25)
    close(p, p1 - 0.1 * b2)
    close(next(iter(opt.state.values()))["momentum_buffer"], b2)


def test_sgd_nesterov_two_steps():
    b1 = G1
    p1 = P0 - 0.1 * (G1 + 0.9 * b1)
    b2 = 0.9 * b1 + G2
    p, _ = run(optim.SGD, [G1, G2], lr=0.1, momentum=0.9, nesterov=True)
    close(p, p1 - 0.1 * (G2 + 0.9 * b2))


def test_momentum_and_nag_are_sgd_with_momentum_09():
    p, opt = run(optim.Momentum, [G1, G2])
    close(p, P0 - 0.01 * G1 - 0.01 * (0.9 * G1 + G2))
    assert opt.defaults["momentum"] == 0.9 and not opt.defaults["nesterov"]
    p, opt = run(optim.NAG, [G1, G2])
    close(p, run(optim.SGD, [G1, G2], lr=0.01, momentum=0.9, nesterov=True)[0])
    assert opt.defaults["nesterov"]


def test_adagrad_two_steps_with_lr_decay_and_initial_accumulator():
    lr, decay, s0, eps, wd = 0.5, 0.1, 0.2, 1e-10, 0.0
    s1 = s0 + G1**2
    p1 = P0 - lr / (1 + 0 * decay) * G1 / (np.sqrt(s1) + eps)
    s2 = s1 + G2**2
    p2 = p1 - lr / (1 + 1 * decay) * G2 / (np.sqrt(s2) + eps)
    p, opt = run(
        optim.Adagrad,
        [G1, G2],
        lr=lr,
        lr_decay=decay,
        initial_accumulator_value=s0,
        weight_decay=wd,
    )
    close(p, p2)
    close(next(iter(opt.state.values()))["sum"], s2)


def test_adagrad_weight_decay_and_maximize():
    g = -G1 + 0.1 * P0
    expected = P0 - 0.01 * g / (np.sqrt(g**2) + 1e-10)
    close(run(optim.Adagrad, [G1], weight_decay=0.1, maximize=True)[0], expected)


def test_adadelta_two_steps():
    lr, rho, eps = 0.5, 0.9, 1e-6
    v1 = (1 - rho) * G1**2
    d1 = np.sqrt(0 + eps) / np.sqrt(v1 + eps) * G1
    u1 = (1 - rho) * d1**2
    p1 = P0 - lr * d1
    v2 = rho * v1 + (1 - rho) * G2**2
    d2 = np.sqrt(u1 + eps) / np.sqrt(v2 + eps) * G2
    p, _ = run(optim.Adadelta, [G1, G2], lr=lr, rho=rho)
    close(p, p1 - lr * d2)


def test_adadelta_default_lr_is_one():
    assert optim.Adadelta([Tensor(P0, requires_grad=True)]).defaults["lr"] == 1.0


def test_rmsprop_plain_centered_momentum():
    lr, eps = 0.01, 1e-8
    v1 = 0.01 * G1**2
    close(run(optim.RMSprop, [G1], lr=lr)[0], P0 - lr * G1 / (np.sqrt(v1) + eps))
    a1 = 0.01 * G1
    d1 = np.sqrt(v1 - a1**2) + eps
    close(run(optim.RMSprop, [G1], lr=lr, centered=True)[0], P0 - lr * G1 / d1)
    b1 = G1 / (np.sqrt(v1) + eps)
    v2 = 0.99 * v1 + 0.01 * G2**2
    b2 = 0.5 * b1 + G2 / (np.sqrt(v2) + eps)
    p, _ = run(optim.RMSprop, [G1, G2], lr=lr, momentum=0.5)
    close(p, P0 - lr * b1 - lr * b2)


def test_rmsprop_eps_is_outside_the_root():
    g = np.array([1e-6])
    p, _ = run(optim.RMSprop, [g], p0=np.array([0.0]), lr=1.0, eps=1e-3)
    close(p, -g / (np.sqrt(0.01 * g**2) + 1e-3))


def test_adam_first_step_moves_each_coordinate_by_lr():
    p, _ = run(optim.Adam, [G1], lr=0.1)
    close(p, P0 - 0.1 * G1 / (np.abs(G1) + 1e-8))


def test_adam_two_steps_with_weight_decay():
    lr, b1, b2, eps, wd = 0.1, 0.8, 0.99, 1e-3, 0.5
    g1 = G1 + wd * P0
    m1, v1 = (1 - b1) * g1, (1 - b2) * g1**2
    p1 = P0 - lr * (m1 / (1 - b1)) / (np.sqrt(v1 / (1 - b2)) + eps)
    g2 = G2 + wd * p1
    m2, v2 = b1 * m1 + (1 - b1) * g2, b2 * v1 + (1 - b2) * g2**2
    p2 = p1 - lr * (m2 / (1 - b1**2)) / (np.sqrt(v2 / (1 - b2**2)) + eps)
    p, _ = run(optim.Adam, [G1, G2], lr=lr, betas=(b1, b2), eps=eps, weight_decay=wd)
    close(p, p2)


def test_adam_amsgrad_uses_the_largest_second_moment():
    g2 = 0.01 * G1  # a much smaller gradient: v shrinks, v_max does not
    m1, v1 = 0.1 * G1, 0.001 * G1**2
    p1 = P0 - 0.1 * G1 / (np.abs(G1) + 1e-8)
    m2, v2 = 0.9 * m1 + 0.1 * g2, 0.999 * v1 + 0.001 * g2**2
    assert np.all(v2 < v1)
    v_hat = v1 / (1 - 0.999**2)
    p, opt = run(optim.Adam, [G1, g2], lr=0.1, amsgrad=True)
    close(p, p1 - 0.1 * (m2 / (1 - 0.9**2)) / (np.sqrt(v_hat) + 1e-8))
    close(next(iter(opt.state.values()))["max_exp_avg_sq"], v1)
    assert not np.allclose(p, run(optim.Adam, [G1, g2], lr=0.1)[0])


def test_adam_maximize_ascends():
    close(run(optim.Adam, [G1], lr=0.1, maximize=True)[0], P0 + 0.1 * G1 / (np.abs(G1) + 1e-8))


def test_adamw_decays_weights_not_gradients():
    lr, wd = 0.1, 0.5
    p1 = P0 * (1 - lr * wd)
    p, _ = run(optim.AdamW, [G1], lr=lr, weight_decay=wd)
    close(p, p1 - lr * G1 / (np.abs(G1) + 1e-8))
    assert optim.AdamW([Tensor(P0, requires_grad=True)]).defaults["weight_decay"] == 1e-2
    p, _ = run(optim.Adam, [G1], lr=lr, weight_decay=wd, decoupled_weight_decay=True)
    close(p, p1 - lr * G1 / (np.abs(G1) + 1e-8))


def test_adamax_two_steps():
    lr, eps = 0.002, 1e-8
    m1, u1 = 0.1 * G1, np.abs(G1) + eps
    p1 = P0 - lr / 0.1 * m1 / u1
    m2, u2 = 0.9 * m1 + 0.1 * G2, np.maximum(0.999 * u1, np.abs(G2) + eps)
    p, opt = run(optim.Adamax, [G1, G2])
    close(p, p1 - lr / (1 - 0.9**2) * m2 / u2)
    close(next(iter(opt.state.values()))["exp_inf"], u2)


def test_nadam_first_step():
    lr, beta1, psi = 2e-3, 0.9, 4e-3
    mu1 = beta1 * (1 - 0.5 * 0.96 ** (1 * psi))
    mu2 = beta1 * (1 - 0.5 * 0.96 ** (2 * psi))
    m1, d1 = 0.1 * G1, np.sqrt(0.001 * G1**2 / 0.001) + 1e-8
    expected = P0 - lr * (1 - mu1) / (1 - mu1) * G1 / d1 - lr * mu2 / (1 - mu1 * mu2) * m1 / d1
    p, opt = run(optim.NAdam, [G1])
    close(p, expected)
    assert next(iter(opt.state.values()))["mu_product"] == pytest.approx(mu1, rel=1e-15)


def test_radam_is_sgd_with_momentum_until_rho_t_exceeds_5():
    lr, beta2 = 0.1, 0.9
    # With a constant gradient g: m_hat = g and v = (1 - beta2**t) * g**2.
    rho_inf = 2 / (1 - beta2) - 1
    rho = [rho_inf - 2 * t * beta2**t / (1 - beta2**t) for t in range(1, 7)]
    assert max(rho[:5]) <= 5 < rho[5]
    p5, _ = run(optim.RAdam, [G1] * 5, lr=lr, betas=(0.9, beta2))
    close(p5, P0 - 5 * lr * G1)
    r = math.sqrt((rho[5] - 4) * (rho[5] - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho[5]))
    bc2 = 1 - beta2**6
    p6, _ = run(optim.RAdam, [G1] * 6, lr=lr, betas=(0.9, beta2))
    close(p6, p5 - lr * G1 * r * math.sqrt(bc2) / (np.sqrt(bc2 * G1**2) + 1e-8))


def test_lion_two_steps_with_weight_decay():
    lr, wd = 0.01, 0.5
    p1 = P0 - lr * (np.sign(0.1 * G1) + wd * P0)
    m1 = 0.01 * G1
    g2 = -0.2 * G1  # c = 0.9 * m1 + 0.1 * g2 = -0.011 * G1 flips the sign
    c2 = 0.9 * m1 + 0.1 * g2
    p, opt = run(optim.Lion, [G1, g2], lr=lr, weight_decay=wd)
    close(p, p1 - lr * (np.sign(c2) + wd * p1))
    assert np.all(np.sign(c2) == -np.sign(G1))
    close(next(iter(opt.state.values()))["exp_avg"], 0.99 * m1 + 0.01 * g2)


@pytest.mark.parametrize("name", sorted(optim.OPTIMIZERS))
def test_float32_params_stay_float32(name):
    p = Tensor(P0.astype(np.float32), requires_grad=True)
    opt = optim.get(name, [p], lr=0.1)
    for _ in range(2):
        p.grad = Tensor(G1.astype(np.float32))
        opt.step()
    assert p.data.dtype == np.float32
    assert all(v.dtype == np.float32 for v in opt.state[p].values() if isinstance(v, np.ndarray))
