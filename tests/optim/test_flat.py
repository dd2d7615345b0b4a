"""The multi-tensor fast path (`optim.flat`) against the per-parameter reference.

Both run the same elementwise rule, so every case must agree bit for bit: parameters,
state and `state_dict`, through everything that can disturb the shared buffer.
"""

import numpy as np
import pytest
from optim_cases import CASES, CLASSES, case_id

import optim
from autograd import Tensor

SHAPES = [(5, 3), (3,), (3, 4), (), (4,), (2, 40)]
# Only an elementwise rule takes the multi-tensor path.
FLAT_CASES = [case for case in CASES if CLASSES[case[0]].elementwise]
FLAT_NAMES = sorted(name for name, cls in CLASSES.items() if cls.elementwise)


def make_params(dtype=np.float64, seed=0, fortran=False):
    """Parameters of SHAPES; with `fortran`, the 2-d ones in Fortran order (as a
    column-major weight), the others as they are."""
    rng = np.random.default_rng(seed)
    arrays = [rng.normal(size=s).astype(dtype) for s in SHAPES]
    if fortran:
        arrays = [np.asfortranarray(a) if a.ndim == 2 else a for a in arrays]
    return [Tensor(a, requires_grad=True) for a in arrays]


def grads_at(step, params, order="K"):
    """The gradients of step `step`, laid out as their parameters ("K") or in C order."""
    rng = np.random.default_rng(100 + step)
    grads = []
    for p in params:
        g = rng.normal(size=p.data.shape).astype(p.data.dtype)
        if order == "K":  # in the parameter's layout
            like = np.empty_like(p.data)
            like[...] = g
            g = like
        grads.append(g)
    return grads


def set_grads(params, step, order="K"):
    for p, g in zip(params, grads_at(step, params, order)):
        p.grad = Tensor(g)


def pair(name, options, dtype=np.float64, fortran=False):
    """(fast, reference): the same optimizer over equal parameters, foreach on and off."""
    fast_params, ref_params = make_params(dtype, fortran=fortran), make_params(dtype)
    fast = optim.get(CLASSES.get(name, name), fast_params, **options)
    ref = optim.get(CLASSES.get(name, name), ref_params, **options)
    ref.foreach = False
    return (fast, fast_params), (ref, ref_params)


def step_both(runs, step, order="K"):
    for opt, params in runs:
        set_grads(params, step, order)
        opt.step()


def assert_same(fast, ref):
    (opt_a, params_a), (opt_b, params_b) = fast, ref
    for a, b in zip(params_a, params_b):
        np.testing.assert_array_equal(a.data, b.data)
        assert a.data.shape == b.data.shape and a.data.dtype == b.data.dtype
    for a, b in zip(params_a, params_b):
        sa, sb = opt_a.state[a], opt_b.state[b]
        assert sa.keys() == sb.keys()
        for key in sa:
            np.testing.assert_array_equal(sa[key], sb[key], err_msg=key)


def in_one_buffer(params):
    base = params[0].data.base
    return base is not None and all(p.data.base is base for p in params)


@pytest.mark.parametrize("chunk_bytes", [None, 40], ids=["one-chunk", "chunks-across-params"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", FLAT_CASES, ids=case_id)
def test_fast_path_equals_reference_bit_for_bit(case, dtype, chunk_bytes, monkeypatch):
    if chunk_bytes is not None:  # 5 or 10 elements: chunks start and end inside params
        monkeypatch.setattr(optim.flat, "CHUNK_BYTES", chunk_bytes)
    name, options = case
    fast, ref = pair(name, options, dtype)
    for step in range(12):
        step_both([fast, ref], step)
        assert_same(fast, ref)
    assert in_one_buffer(fast[1]) and not in_one_buffer(ref[1])
    a, b = fast[0].state_dict(), ref[0].state_dict()
    assert a["param_groups"] == b["param_groups"]
    for index, state in a["state"].items():
        for key, value in state.items():
            np.testing.assert_array_equal(value, b["state"][index][key])
            if isinstance(value, np.ndarray):  # saved state never aliases the buffers
                assert value.base is None


@pytest.mark.parametrize("grad_order", ["K", "C"], ids=["grads-as-params", "grads-in-C"])
@pytest.mark.parametrize("chunk_bytes", [None, 40], ids=["one-chunk", "chunks-across-params"])
@pytest.mark.parametrize("case", FLAT_CASES, ids=case_id)
def test_fortran_parameters_in_the_buffer_equal_reference(
    case, chunk_bytes, grad_order, monkeypatch
):
    """Column-major 2-d parameters next to C-ordered ones keep their layout in the
    buffer (and so do their state arrays), whatever the gradients' layout."""
    if chunk_bytes is not None:
        monkeypatch.setattr(optim.flat, "CHUNK_BYTES", chunk_bytes)
    name, options = case
    fast, ref = pair(name, options, np.float32, fortran=True)
    for step in range(8):
        for opt, params in (fast, ref):
            set_grads(params, step, grad_order)
            opt.step()
        assert_same(fast, ref)
    opt, params = fast
    assert in_one_buffer(params)
    buffers = opt._flat[0].state
    for p in params:
        assert p.data.flags.f_contiguous and p.data.flags.c_contiguous == (p.data.ndim != 2)
        for key, value in opt.state[p].items():
            if isinstance(value, np.ndarray):
                assert value.flags.f_contiguous and value.flags.c_contiguous == (value.ndim != 2)
                assert np.shares_memory(value, buffers[key])


@pytest.mark.parametrize("name", FLAT_NAMES)
def test_replaced_data_is_repacked(name):
    fast, ref = pair(name, {})
    step_both([fast, ref], 0)
    for _, params in (fast, ref):
        params[0].data = params[0].data * 0.5  # a new array in place of the view
    for step in range(1, 4):
        step_both([fast, ref], step)
        assert_same(fast, ref)
    assert in_one_buffer(fast[1])


@pytest.mark.parametrize("name", ["sgd", "adam", "rmsprop"])
def test_a_parameter_changing_layout_is_repacked_in_its_new_layout(name):
    fast, ref = pair(name, dict(lr=0.1, momentum=0.9) if name == "sgd" else {}, fortran=True)
    step_both([fast, ref], 0)
    fast[1][0].data = np.ascontiguousarray(fast[1][0].data)  # F -> C, same values
    fast[1][2].data = np.asfortranarray(fast[1][2].data * 0.5)  # stays F, new values
    ref[1][2].data = ref[1][2].data * 0.5
    for step in range(1, 4):
        step_both([fast, ref], step)
        assert_same(fast, ref)
    params = fast[1]
    assert in_one_buffer(params)
    assert params[0].data.flags.c_contiguous and not params[2].data.flags.c_contiguous


def test_state_saved_from_c_parameters_loads_into_fortran_ones():
    fast, ref = pair("adam", {})
    for step in range(3):
        step_both([fast, ref], step)
    params = make_params(fortran=True)
    for p, q in zip(params, fast[1]):
        p.data[...] = q.data
    resumed = optim.Adam(params)
    resumed.load_state_dict(fast[0].state_dict())
    loaded = [v for v in resumed.state[params[0]].values() if isinstance(v, np.ndarray)]
    assert loaded and all(not v.flags.c_contiguous for v in loaded)  # the parameter's layout
    for step in range(3, 6):
        step_both([(resumed, params), ref], step)
        assert_same((resumed, params), ref)
    assert in_one_buffer(params) and not params[0].data.flags.c_contiguous


@pytest.mark.parametrize("name", FLAT_NAMES)
def test_a_parameter_without_grad_runs_the_reference_for_that_step(name):
    fast, ref = pair(name, {})
    step_both([fast, ref], 0)
    for opt, params in (fast, ref):
        set_grads(params, 1)
        params[2].grad = None
        opt.step()
    assert_same(fast, ref)
    for step in range(2, 5):  # step counts now differ between parameters
        step_both([fast, ref], step)
        assert_same(fast, ref)


@pytest.mark.parametrize("name", FLAT_NAMES)
def test_load_state_dict_then_train_on(name):
    fast, ref = pair(name, {})
    for step in range(3):
        step_both([fast, ref], step)
    params = make_params()
    for p, q in zip(params, fast[1]):
        p.data[...] = q.data
    resumed = optim.get(CLASSES.get(name, name), params)
    resumed.load_state_dict(fast[0].state_dict())
    for step in range(3, 7):
        step_both([(resumed, params), ref], step)
        assert_same((resumed, params), ref)
    assert in_one_buffer(params)


def test_add_param_group_gets_its_own_buffer():
    fast, ref = pair("adam", dict(lr=0.1))
    step_both([fast, ref], 0)
    extra = [[Tensor(np.full((2, 2), 1.0), requires_grad=True)] for _ in range(2)]
    for (opt, params), new in zip((fast, ref), extra):
        opt.add_param_group({"params": new, "lr": 0.01})
        params.extend(new)
    for step in range(1, 4):
        step_both([fast, ref], step)
        assert_same(fast, ref)
    assert in_one_buffer(fast[1][:-1]) and not np.shares_memory(fast[1][0].data, extra[0][0].data)


def test_held_or_shared_arrays_stay_where_they_are():
    held = make_params()
    arrays = [p.data for p in held]
    shared = make_params()
    twins = [Tensor(shared[0].data, requires_grad=True)]  # two Parameters, one array
    for params in (held, shared[1:] + twins + shared[:1]):
        opt = optim.Adam(params, lr=0.1)
        for _ in range(2):
            for p in params:
                p.grad = Tensor(np.ones(p.data.shape))
            opt.step()
        assert not in_one_buffer(params)
    assert all(p.data is a for p, a in zip(held, arrays))
    # Both Parameters updated the one array: two steps each.
    np.testing.assert_array_equal(shared[0].data, twins[0].data)


def test_gradients_accumulated_in_place_are_read_and_left_alone():
    fast, ref = pair("sgd", dict(lr=0.1, momentum=0.9))
    for step in range(4):
        for opt, params in (fast, ref):
            opt.zero_grad(set_to_none=False)
            for p, g in zip(params, grads_at(step, params)):
                if p.grad is None:
                    p.grad = Tensor(g)
                else:
                    p.grad.data += g  # as backward accumulates into an existing grad
            held = [(p.grad, p.grad.data, p.grad.data.copy()) for p in params]
            opt.step()
            for p, (grad, data, values) in zip(params, held):
                assert p.grad is grad and p.grad.data is data
                np.testing.assert_array_equal(data, values)
        assert_same(fast, ref)


def test_which_optimizers_are_elementwise():
    assert "asgd" in FLAT_NAMES and "rprop" in FLAT_NAMES
    assert not optim.Adafactor.elementwise and not optim.LBFGS.elementwise


def test_adafactor_keeps_the_reference_and_its_numbers():
    """Its statistics are per row and column of each parameter: never packed."""
    runs = []
    for foreach in (True, False):
        params = make_params()
        opt = optim.Adafactor(params, lr=0.1)
        opt.foreach = foreach
        for step in range(4):
            set_grads(params, step)
            opt.step()
        assert not in_one_buffer(params) and not opt._flat
        runs.append((opt, params))
    assert_same(*runs)


def test_a_rule_that_is_not_elementwise_keeps_the_reference():
    class ScaledByNorm(optim.SGD):
        """p = p - lr * g / |g|: the norm is per parameter."""

        elementwise = False

        def _update(self, p, g, state, group):
            p -= group["lr"] * g / np.linalg.norm(g)

    params = make_params()
    opt = ScaledByNorm(params, lr=0.1)
    set_grads(params, 0)
    expected = [p.data - 0.1 * g / np.linalg.norm(g) for p, g in zip(params, grads_at(0, params))]
    opt.step()
    for p, e in zip(params, expected):
        np.testing.assert_allclose(p.data, e)
    assert not in_one_buffer(params)


@pytest.mark.parametrize("name", ["SGD", "Adam"])
@pytest.mark.parametrize("change", ["grad dtype", "grad shape", "state replaced", "state number"])
def test_each_check_of_ready_sends_a_changed_group_off_the_fast_path(name, change, monkeypatch):
    """A packed group whose gradients or state no longer fit the buffer must not be
    updated through it: the step gives the reference's numbers (or its error)."""
    monkeypatch.setattr(optim.flat, "CHUNK_BYTES", 40)  # (5, 3) has chunks of its own
    fast, ref = pair(name, {"momentum": 0.9} if name == "SGD" else {})
    for step in range(2):
        step_both([fast, ref], step)
    assert in_one_buffer(fast[1])
    for opt, params in (fast, ref):
        set_grads(params, 2)
        if change == "grad dtype":
            params[1].grad = Tensor(params[1].grad.data.astype(np.float32))
        elif change == "grad shape":
            params[0].grad = Tensor(params[0].grad.data.reshape(3, 5))  # 15 elements too
        elif change == "state replaced":
            opt.state[params[0]] = {k: np.copy(v) for k, v in opt.state[params[0]].items()}
        else:
            key = "step" if name == "Adam" else None
            if key is None:
                opt.state[params[3]]["momentum_buffer"] = np.zeros(())
            else:
                opt.state[params[3]][key] = np.asarray(opt.state[params[3]][key]) + 1
    outcomes = []
    for opt, _ in (fast, ref):
        try:
            opt.step()
            outcomes.append(None)
        except (ValueError, RuntimeError) as err:
            outcomes.append(type(err))
    assert outcomes[0] == outcomes[1]
    if outcomes[0] is None:
        assert_same(fast, ref)


def test_the_reference_keeps_state_in_the_parameters_layout():
    """A column-major weight (nn.Linear's) gets column-major state on the reference
    path too: mixed layouts give the same numbers but run several times slower."""
    w = Tensor(np.asfortranarray(np.random.default_rng(0).normal(size=(6, 4))), requires_grad=True)
    for name, options in [("SGD", {"momentum": 0.9}), ("Adam", {}), ("RMSprop", {"momentum": 0.5})]:
        opt = optim.get(CLASSES.get(name, name), [w], **options)
        opt.foreach = False
        for _ in range(2):
            w.grad = Tensor(np.asfortranarray(np.ones((6, 4))))
            opt.step()
        for key, value in opt.state[w].items():
            if isinstance(value, np.ndarray) and value.ndim == 2:
                assert value.flags.f_contiguous, (name, key)
