"""Fixtures shared by the autograd tests."""

from __future__ import annotations

import pytest

from autograd import graph


@pytest.fixture(params=["fast", "reference"])
def walk_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test once with `backward` free to take its fast path, and once with every
    backward going through the reference walk."""
    if request.param == "reference":

        def reference(root, seed, retain_graph):
            graph.walk([root], [seed], retain_graph, False)

        monkeypatch.setattr(graph, "backward_fast", reference)
    return request.param
