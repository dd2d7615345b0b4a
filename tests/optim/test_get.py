"""`optim.get` resolves names, classes and instances."""

import doctest
import importlib
import pkgutil

import numpy as np
import pytest

import optim
from autograd import Tensor

NAMES = [
    "sgd",
    "momentum",
    "nag",
    "adagrad",
    "adadelta",
    "rmsprop",
    "adam",
    "adamw",
    "adamax",
    "nadam",
    "radam",
    "lion",
]


def params():
    return [Tensor(np.zeros(2), requires_grad=True)]


@pytest.mark.parametrize("name", NAMES)
def test_get_resolves_every_name_case_insensitively(name):
    opt = optim.get(name.upper(), params(), lr=0.5)
    assert type(opt) is optim.OPTIMIZERS[name]
    assert type(opt).__name__.lower() == name
    assert opt.param_groups[0]["lr"] == 0.5


def test_registry_has_exactly_the_api_names():
    assert sorted(optim.OPTIMIZERS) == sorted(NAMES)


def test_get_rejects_unknown_name_listing_valid_ones():
    with pytest.raises(ValueError, match="unknown optimizer 'adamm'; valid names: sgd, momentum"):
        optim.get("adamm", params())


def test_get_accepts_a_class_or_an_instance():
    assert type(optim.get(optim.RMSprop, params(), centered=True)) is optim.RMSprop
    opt = optim.Adam(params())
    assert optim.get(opt) is opt
    with pytest.raises(TypeError, match="already constructed"):
        optim.get(opt, lr=0.1)


def test_get_rejects_other_things():
    with pytest.raises(TypeError, match="got int"):
        optim.get(3, params())
    with pytest.raises(TypeError, match="params are needed to construct Adam"):
        optim.get("adam")


def test_all_names_are_exported():
    for name in optim.__all__:
        assert hasattr(optim, name)


def test_docstring_examples_run():
    modules = [optim] + [
        importlib.import_module(f"optim.{m.name}") for m in pkgutil.iter_modules(optim.__path__)
    ]
    attempted = 0
    for module in modules:
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0, module.__name__
        attempted += result.attempted
    assert attempted >= 10
