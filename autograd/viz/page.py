"""One self-contained HTML page that steps through backpropagation.

The page holds every step as an inline SVG (rendered by Graphviz's `dot`) and a few
lines of inline JavaScript: Previous/Next buttons, the arrow keys, a "Step k / n"
counter and a caption. It loads nothing from the network, so it opens from disk,
offline, or attached to an e-mail. `#step=3` at the end of the URL opens step 3.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from autograd.tensor import Tensor
from autograd.viz.draw import prepare, tensor_kind
from autograd.viz.modules import hidden_tensors
from autograd.viz.render import to_svg
from autograd.viz.steps import backprop_walkthrough, step_names

_STYLE = """
body { font-family: Helvetica, Arial, sans-serif; margin: 1.5em; color: #111827; }
nav { display: flex; gap: 1em; align-items: center; margin-bottom: 0.5em; }
button { font-size: 1em; padding: 0.3em 1em; }
#caption { font-size: 1.05em; margin: 0.4em 0 1em; min-height: 1.4em; }
.legend { color: #4b5563; font-size: 0.9em; }
.step svg { max-width: 100%; height: auto; }
"""

_SCRIPT = """
const steps = document.querySelectorAll(".step");
const prev = document.getElementById("prev"), next = document.getElementById("next");
let current = 0;
function show(i) {
  current = Math.max(0, Math.min(steps.length - 1, i));
  steps.forEach((s, j) => { s.hidden = j !== current; });
  document.getElementById("counter").textContent = `Step ${current + 1} / ${steps.length}`;
  document.getElementById("caption").textContent = steps[current].dataset.caption;
  prev.disabled = current === 0;
  next.disabled = current === steps.length - 1;
  try { history.replaceState(null, "", `#step=${current + 1}`); } catch (e) {}
}
prev.addEventListener("click", () => show(current - 1));
next.addEventListener("click", () => show(current + 1));
document.addEventListener("keydown", (e) => {
  if (e.key === "ArrowLeft") show(current - 1);
  if (e.key === "ArrowRight") show(current + 1);
});
function fromHash() {
  const m = /step=(\\d+)/.exec(location.hash);
  return m ? Number(m[1]) - 1 : 0;
}
window.addEventListener("hashchange", () => { if (fromHash() !== current) show(fromHash()); });
show(fromHash());
"""

#: What each kind of node looks like, in the order the legend lists them.
_KINDS = {
    "root": "Green, double border: the output",
    "param": "Yellow: parameters",
    "leaf": "Blue: inputs that require grad",
    "const": "Grey, dashed: constants, which get no gradient",
    "tensor": "White: intermediate results",
    "module": "Purple: a module, its ops folded into one box",
}
_MAX_NAMES = 6


def legend(root: Tensor, **draw_kwargs: Any) -> str:
    """The page's legend (escaped HTML): only the kinds of node this drawing has, with names.

    Example: "Blue: inputs that require grad (w1, w2, b)." for the neuron, whose weights
    are plain tensors, and no line about parameters, which it does not have.
    """
    drawing = prepare(root, **draw_kwargs)
    names = {**step_names(drawing), **drawing.names}
    hidden = hidden_tensors(drawing.graph, drawing.groups)
    members: dict[str, list[str]] = {kind: [] for kind in _KINDS}
    for t in drawing.graph.tensors:
        if id(t) not in hidden:
            kind = tensor_kind(t, drawing.graph.root, drawing.names)
            members[kind].append(names.get(id(t)) or t.name or "")
    members["module"] = [g.call.name for g in drawing.groups]
    lines = ["Red outline: the op being processed and its output, whose gradient is now complete."]
    for kind, text in _KINDS.items():
        if not members[kind]:
            continue
        shown = [n for n in members[kind] if n][:_MAX_NAMES]
        more = ", ..." if len(members[kind]) > len(shown) else ""
        lines.append(f"{text} ({', '.join(shown)}{more})." if shown else f"{text}.")
    lines.append("<i>grad (partial)</i>: uses of that tensor are still to come.")
    return " ".join(html.escape(line) if "<i>" not in line else line for line in lines)


def save_backprop_html(
    root: Tensor,
    path: str | Path,
    gradient: Any = None,
    title: str = "Backpropagation, step by step",
    **draw_kwargs: Any,
) -> Path:
    """Write one HTML page that steps through the backward pass from `root`.

    Each step is the drawing from `backprop_steps` (inline SVG); the page has
    Previous/Next buttons, arrow-key navigation, a "Step k / n" counter and a caption
    naming the op being processed (printed once, above the drawing), and a legend of
    the kinds of node the drawing has. It needs no network access and no external script.

    Args:
        root: the output to differentiate (its graph must not be freed yet).
        path: the `.html` file to write.
        gradient: d(something)/d(root) for a non-scalar root.
        title: the page's title and heading.
        **draw_kwargs: options of `draw_graph`.

    Returns:
        The path written.

    Raises:
        ValueError: if `root` was not produced by any op (there is no step to show).
        GraphvizNotFoundError: if Graphviz's `dot` is not installed.
    """
    steps = backprop_walkthrough(root, gradient, titles=False, **draw_kwargs)
    if not steps:
        raise ValueError(
            "save_backprop_html: the tensor was not produced by an op that requires grad, "
            "so backward has no step; build it from tensors with requires_grad=True"
        )
    sections = "\n".join(
        f'<div class="step" data-caption="{html.escape(s.caption)}"{" hidden" if k else ""}>'
        f"{to_svg(s.graph)}</div>"
        for k, s in enumerate(steps)
    )
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(title)}</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>{html.escape(title)}</h1>
<nav>
<button id="prev" type="button">&larr; Previous</button>
<span id="counter">Step 1 / {len(steps)}</span>
<button id="next" type="button">Next &rarr;</button>
</nav>
<p id="caption">{html.escape(steps[0].caption)}</p>
{sections}
<p class="legend">{legend(root, **draw_kwargs)} Keys: left and right arrows.</p>
<script>{_SCRIPT}</script>
</body>
</html>
"""
    path = Path(path)
    path.write_text(page, encoding="utf-8")
    return path
