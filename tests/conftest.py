"""Shared test setup.

The comparison tests against PyTorch and Keras skip when those optional extras are
missing. In CI (``CI=true``) a skipped comparison proves nothing, so the run stops at
once when either is absent.
"""

import importlib.util
import os

import pytest


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("CI", "").lower() not in ("1", "true", "yes"):
        return
    missing = [name for name in ("torch", "keras") if importlib.util.find_spec(name) is None]
    if missing:
        raise pytest.UsageError(
            f"CI must run the comparison tests, but {', '.join(missing)} is not installed: "
            'pip install -e ".[dev,torch,keras]"'
        )
