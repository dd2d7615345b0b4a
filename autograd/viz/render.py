"""Render drawings with Graphviz's `dot` program, and save them by file suffix."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import graphviz

from autograd.tensor import Tensor
from autograd.viz.draw import draw_graph

FORMATS = ("svg", "png", "pdf", "dot", "gv")


class GraphvizNotFoundError(RuntimeError):
    """The Graphviz `dot` program, which renders graphs to images, is not installed."""


INSTALL_HELP = (
    "the Graphviz 'dot' program was not found on PATH; it is needed to render graphs "
    "to svg, png or pdf. Install it with `apt-get install graphviz` (Debian, Ubuntu), "
    "`brew install graphviz` (macOS) or `conda install -c conda-forge graphviz`. "
    "Saving with a .dot suffix (the DOT source) needs no program."
)


def render(graph: graphviz.Digraph, format: str) -> bytes:
    """Run `dot -T<format>` on the graph and return the bytes of the image.

    Raises:
        GraphvizNotFoundError: if `dot` is not installed.
    """
    if shutil.which("dot") is None:
        raise GraphvizNotFoundError(INSTALL_HELP)
    try:
        return graph.pipe(format=format)
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFoundError(INSTALL_HELP) from None


def to_svg(graph: graphviz.Digraph) -> str:
    """The graph as an `<svg>` element to inline in HTML (no XML prolog or doctype)."""
    text = render(graph, "svg").decode("utf-8")
    return text[text.index("<svg") :]


def save_graph(root: Tensor | graphviz.Digraph, path: str | Path, **draw_kwargs: Any) -> Path:
    """Draw `root` with `draw_graph(root, **draw_kwargs)` and write it to `path`.

    The suffix picks the format: `.svg`, `.png` and `.pdf` are rendered by Graphviz's
    `dot` program; `.dot` (or `.gv`) writes the DOT source and needs no program.
    A Digraph (e.g. one step from `backprop_steps`) is saved as it is.

    Args:
        root: the tensor to draw, or an already drawn `graphviz.Digraph`.
        path: the file to write.
        **draw_kwargs: options of `draw_graph` (`show_data`, `params`, ...).

    Returns:
        The path written.

    Raises:
        ValueError: for an unknown suffix.
        GraphvizNotFoundError: (a RuntimeError) if rendering needs `dot` and it is missing.
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(
            f"save_graph: cannot tell the format from {path.name!r}; "
            f"use one of the suffixes {', '.join('.' + f for f in FORMATS)}"
        )
    if isinstance(root, graphviz.Digraph):
        if draw_kwargs:
            raise TypeError("save_graph: drawing options apply to a Tensor, not to a Digraph")
        graph = root
    else:
        graph = draw_graph(root, **draw_kwargs)
    if fmt in ("dot", "gv"):
        path.write_text(graph.source, encoding="utf-8")
    else:
        path.write_bytes(render(graph, fmt))
    return path
