"""Pictures of backpropagation: computation graphs and the backward pass step by step.

Example:
    >>> import autograd
    >>> from autograd import Tensor, viz
    >>> w = Tensor(-3.0, requires_grad=True, name="w")
    >>> x = Tensor(2.0, name="x")
    >>> y = (w * x).tanh()
    >>> graph = viz.draw_graph(y)  # a graphviz.Digraph; shows itself in Jupyter
    >>> "label=Mul" in graph.source and "label=Tanh" in graph.source
    True
    >>> steps = viz.backprop_steps(y)  # one drawing per op, in the engine's order
    >>> len(steps)
    2
"""

from autograd.viz.draw import FREED_NOTE, STYLES, draw_graph
from autograd.viz.modules import ModuleCall, ModuleTrace, trace_modules
from autograd.viz.page import save_backprop_html
from autograd.viz.render import GraphvizNotFoundError, save_graph
from autograd.viz.steps import BackpropStep, backprop_steps, backprop_walkthrough

__all__ = [
    "FREED_NOTE",
    "STYLES",
    "BackpropStep",
    "GraphvizNotFoundError",
    "ModuleCall",
    "ModuleTrace",
    "backprop_steps",
    "backprop_walkthrough",
    "draw_graph",
    "save_backprop_html",
    "save_graph",
    "trace_modules",
]
