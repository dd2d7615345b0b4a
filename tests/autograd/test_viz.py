"""Graph drawings: DOT nodes, edges, labels and styles; rendering; backprop steps."""

from __future__ import annotations

import html
import re
import shutil
import struct

import numpy as np
import pytest

import autograd
from autograd import Tensor, viz

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="needs Graphviz's dot: apt-get install graphviz (Debian/Ubuntu), "
    "brew install graphviz (macOS)",
)

NODE = re.compile(r"^\t(\w+) \[(.*)\]$")
EDGE = re.compile(r"^\t(\w+) -> (\w+)")


def parse(source: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Nodes (key -> attribute text, label included) and edges of DOT source."""
    nodes, edges = {}, []
    for line in source.splitlines():
        if m := EDGE.match(line):
            edges.append(m.groups())
        elif (m := NODE.match(line)) and m.group(1) not in ("graph", "node", "edge"):
            nodes[m.group(1)] = m.group(2)
    return nodes, edges


def key_of(nodes: dict[str, str], name: str) -> str:
    (key,) = [k for k, attrs in nodes.items() if f"<B>{name}</B>" in attrs]
    return key


def scalar(value: float, name: str) -> Tensor:
    return Tensor(value, requires_grad=True, dtype=np.float64, name=name)


def neuron() -> dict[str, Tensor]:
    """o = tanh(x1*w1 + x2*w2 + b), with b chosen so that n = 0.8814 and o = 1/sqrt(2)."""
    t = {k: scalar(v, k) for k, v in dict(x1=2.0, x2=0.0, w1=-3.0, w2=1.0).items()}
    t["b"] = scalar(6.8813735870195432, "b")
    t["n"] = t["x1"] * t["w1"] + t["x2"] * t["w2"] + t["b"]
    t["n"].name = "n"
    t["o"] = t["n"].tanh()
    t["o"].name = "o"
    return t


def test_neuron_nodes_edges_and_values() -> None:
    t = neuron()
    nodes, edges = parse(viz.draw_graph(t["o"]).source)
    ops = {k: v for k, v in nodes.items() if k.startswith("f")}
    assert len(nodes) - len(ops) == 10  # 5 leaves, 2 products, 2 sums (n included), o
    assert sorted(re.search(r"label=(\w+)", v).group(1) for v in ops.values()) == [
        "Add", "Add", "Mul", "Mul", "Tanh",
    ]  # fmt: skip
    assert len(edges) == 14  # 2 in per binary op (4 ops) + 1 into Tanh + 5 out
    o, n = key_of(nodes, "o"), key_of(nodes, "n")
    (tanh,) = [k for k, v in ops.items() if "label=Tanh" in v]
    assert (n, tanh) in edges and (tanh, o) in edges  # forward direction
    assert "data 0.7071" in nodes[o] and "data 0.8814" in nodes[n]
    assert "grad" not in viz.draw_graph(t["o"]).source  # no backward yet


def test_neuron_gradients_appear_after_backward_with_retain_grads() -> None:
    t = neuron()
    with autograd.retain_grads():
        t["o"].backward(retain_graph=True)
    nodes, _ = parse(viz.draw_graph(t["o"]).source)
    # do/dn = 1 - tanh(n)**2 = 0.5; dn/dx1 = w1 = -3, dn/dw1 = x1 = 2, dn/dx2 = w2, dn/dw2 = x2
    expected = dict(x1=-1.5, w1=1.0, x2=0.5, w2=0.0, b=0.5, n=0.5, o=1.0)
    for name, value in expected.items():
        assert np.isclose(t[name].grad.item(), value)
        assert f">grad {value:.4g}</FONT>" in nodes[key_of(nodes, name)], name


@pytest.mark.parametrize("retain_graph", [False, True])
def test_micrograd_flow_draws_every_value_and_gradient_after_backward(retain_graph) -> None:
    t = neuron()
    t["o"].backward(retain_graph=retain_graph)  # no flag, no retain_grads(): as micrograd
    nodes, _ = parse(viz.draw_graph(t["o"]).source)
    expected = dict(x1=-1.5, w1=1.0, x2=0.5, w2=0.0, b=0.5, n=0.5, o=1.0)
    for name, value in expected.items():
        assert f">grad {value:.4g}</FONT>" in nodes[key_of(nodes, name)], name
    tensors = [v for k, v in nodes.items() if k.startswith("t")]
    assert len(tensors) == 10 and all("data " in v and ">grad " in v for v in tensors)
    assert t["n"].grad is None  # .grad of a non-leaf stays None, as in PyTorch


def test_large_graph_drawn_after_backward_says_what_was_freed(monkeypatch) -> None:
    monkeypatch.setattr(autograd.graph, "KEEP_BYTES", 0)  # as for a graph too large to keep
    t = neuron()
    m = t["x1"] * t["w1"]  # held by the user: its value stays
    o = (m + t["b"]).tanh()
    del t["n"], t["o"]
    o.backward()
    nodes, edges = parse(viz.draw_graph(o).source)
    assert "data -6" in nodes[next(k for k, v in nodes.items() if "data -6" in v)]
    freed = [v for v in nodes.values() if "freed by backward" in v]
    assert len(freed) == 1  # the sum m + b: only its Tanh held it
    assert ">grad -1.5" in nodes[key_of(nodes, "x1")]  # leaf gradients are always there
    assert len(edges) == 8


def test_styles_tell_root_leaf_param_const_apart() -> None:
    x = Tensor(np.arange(6.0).reshape(2, 3), name="x")  # a constant input
    W = Tensor(np.ones((3, 2)), requires_grad=True)
    b = Tensor(np.zeros(2), requires_grad=True)
    h = Tensor(np.ones(2), requires_grad=True, name="h")
    y = ((x @ W + b) * h).sum()
    nodes, _ = parse(viz.draw_graph(y, params={"0.weight": W, "0.bias": b}).source)
    kinds = {k: re.search(r"class=(\w+)", v).group(1) for k, v in nodes.items()}
    assert kinds[key_of(nodes, "0.weight")] == kinds[key_of(nodes, "0.bias")] == "param"
    assert kinds[key_of(nodes, "h")] == "leaf" and kinds[key_of(nodes, "x")] == "const"
    assert sorted(kinds.values()).count("root") == 1
    root = next(k for k, kind in kinds.items() if kind == "root")
    assert "peripheries=2" in nodes[root] and "data 30" in nodes[root]
    fills = {kind: re.search(r'fillcolor="(#\w+)"', nodes[k]).group(1) for k, kind in kinds.items()}
    assert len({fills[k] for k in ("root", "param", "leaf", "const", "tensor", "op")}) == 6
    assert "dashed" in nodes[key_of(nodes, "x")]


def test_broadcasting_matmul_graph_and_gradients() -> None:
    x = Tensor(np.arange(8.0).reshape(4, 2), name="x")
    W = Tensor(np.array([[1.0, -1.0, 0.5], [2.0, 0.0, -2.0]]), requires_grad=True)
    b = Tensor(np.array([0.1, 0.2, 0.3]), requires_grad=True)
    y = x @ W + b  # b of shape (3,) broadcast over the batch of 4
    y.backward(np.ones((4, 3)), retain_graph=True)
    nodes, edges = parse(viz.draw_graph(y, params={"weight": W, "bias": b}).source)
    ops = sorted(re.search(r"label=(\w+)", v).group(1) for k, v in nodes.items() if k[0] == "f")
    assert ops == ["Add", "MatMul"]
    assert len(nodes) == 7 and len(edges) == 6  # x, W, b, x@W, y + 2 ops
    assert "(3,) float64" in nodes[key_of(nodes, "bias")]
    assert "(2, 3) float64" in nodes[key_of(nodes, "weight")]
    assert "grad [4, 4, 4]" in nodes[key_of(nodes, "bias")]  # summed over the batch
    assert "grad [[12, 12, 12]," in nodes[key_of(nodes, "weight")]  # x.sum(0) = [12, 16]


def test_module_parameters_are_named() -> None:
    import nn

    model = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))
    loss = model(Tensor(np.ones((5, 3), dtype=np.float32))).sum()
    nodes, _ = parse(viz.draw_graph(loss, params=model).source)
    for name in ("0.weight", "0.bias", "2.weight", "2.bias"):
        assert "class=param" in nodes[key_of(nodes, name)]
    unnamed = parse(viz.draw_graph(loss).source)[0]
    assert sum("class=param" in v for v in unnamed.values()) == 4  # Parameters, unnamed
    with pytest.raises(TypeError, match="named_parameters"):
        viz.draw_graph(loss, params=[1, 2])


def test_max_elements_summarises_large_tensors() -> None:
    big = Tensor(np.arange(100.0), requires_grad=True, name="big")
    y = (big * 2).sum()
    y.backward(retain_graph=True)
    nodes, _ = parse(viz.draw_graph(y, max_elements=10).source)
    label = nodes[key_of(nodes, "big")]
    assert "data min 0  mean 49.5  max 99" in label and "grad all 2" in label
    assert "[ 0.," not in label
    full = parse(viz.draw_graph(y, max_elements=100).source)[0][key_of(nodes, "big")]
    assert "min" not in full and "98, 99]" in full
    bare = viz.draw_graph(y, show_data=False, show_grad=False).source
    assert "data" not in bare and "grad" not in bare
    with pytest.raises(ValueError, match="max_elements"):
        viz.draw_graph(y, max_elements=0)
    with pytest.raises(ValueError, match="rankdir"):
        viz.draw_graph(y, rankdir="sideways")


def test_backprop_steps_after_backward_ask_for_retain_graph() -> None:
    t = neuron()
    t["o"].backward()
    viz.draw_graph(t["o"])  # drawing works after backward
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        viz.backprop_steps(t["o"])  # replaying backward needs the graph not used up
    x = autograd.Tensor(np.ones(20_000), requires_grad=True)  # too large to keep
    y = (x.exp() * 3).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):  # (not a freed input's)
        viz.backprop_steps(y)


def test_a_leaf_is_a_graph_of_one_node() -> None:
    nodes, edges = parse(viz.draw_graph(scalar(1.0, "w")).source)
    assert list(nodes) == ["t0"] and edges == [] and "class=root" in nodes["t0"]
    with pytest.raises(TypeError, match="Tensor"):
        viz.draw_graph(np.ones(3))


@needs_dot
def test_save_graph_renders_svg_png_pdf_and_dot(tmp_path) -> None:
    o = neuron()["o"]
    assert viz.save_graph(o, tmp_path / "g.svg").read_text().lstrip().startswith("<?xml")
    assert "<svg" in (tmp_path / "g.svg").read_text()
    assert viz.save_graph(o, tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert viz.save_graph(o, tmp_path / "g.pdf").read_bytes()[:5] == b"%PDF-"
    dot = viz.save_graph(o, tmp_path / "g.dot", rankdir="TB").read_text()
    assert dot.startswith("digraph") and "rankdir=TB" in dot
    step = viz.backprop_steps(o)[0]
    assert "<svg" in viz.save_graph(step, tmp_path / "s.svg").read_text()
    with pytest.raises(ValueError, match=r"\.svg"):
        viz.save_graph(o, tmp_path / "g.jpeg2000")


@needs_dot
def test_digraph_shows_inline_in_jupyter() -> None:
    bundle = viz.draw_graph(neuron()["o"])._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]


def test_missing_dot_program_says_how_to_install(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no dot anywhere
    o = neuron()["o"]
    with pytest.raises(viz.GraphvizNotFoundError) as info:
        viz.save_graph(o, tmp_path / "g.png")
    assert isinstance(info.value, RuntimeError)
    for hint in ("apt-get install graphviz", "brew install graphviz", "conda install"):
        assert hint in str(info.value)
    with pytest.raises(viz.GraphvizNotFoundError):
        viz.save_backprop_html(o, tmp_path / "steps.html")
    assert viz.save_graph(o, tmp_path / "g.dot").read_text().startswith("digraph")


def diamond() -> tuple[Tensor, Tensor]:
    """y = sum(3 * x + exp(x)): x is used twice, so its gradient arrives in two shares."""
    x = Tensor(np.array([0.0, 1.0]), requires_grad=True, name="x")
    return x, (x * 3 + x.exp()).sum()


def highlighted_op(source: str) -> str:
    (attrs,) = [v for k, v in parse(source)[0].items() if k[0] == "f" and "penwidth=3" in v]
    return re.search(r"label=(\w+)", attrs).group(1)


def test_backprop_steps_follow_the_engine_order() -> None:
    t = neuron()
    order = autograd.toposort([t["o"].grad_fn])
    steps = viz.backprop_walkthrough(t["o"])
    assert len(steps) == len(viz.backprop_steps(t["o"])) == len(order) == 5
    assert [s.function for s in steps] == order
    assert [highlighted_op(s.graph.source) for s in steps] == [fn.op_name for fn in order]
    assert steps[0].caption.startswith("Tanh: grad of o is complete")
    assert all(f"Step {k} / 5" in s.graph.source for k, s in enumerate(steps, 1))


def test_backprop_steps_show_partial_then_complete_sums() -> None:
    x, y = diamond()
    steps = viz.backprop_walkthrough(y)
    order = [s.function.op_name for s in steps]
    assert order[:2] == ["Sum", "Add"] and sorted(order[2:]) == ["Exp", "Mul"]
    labels = [parse(s.graph.source)[0] for s in steps]
    x_label = [nodes[key_of(nodes, "x")] for nodes in labels]
    assert "grad" not in x_label[1]
    partial = "[3, 3]" if order[2] == "Mul" else "[1, 2.718]"
    assert f"grad (partial) {partial}" in x_label[2]
    assert "grad [4, 5.718]" in x_label[3]  # 3 + exp(x), complete
    assert x.grad is None  # drawing leaves the user's gradients alone
    y.backward()  # and the graph is still there
    np.testing.assert_allclose(x.grad.data, 3 + np.exp([0.0, 1.0]))


def test_last_step_gradients_equal_a_real_backward() -> None:
    autograd.manual_seed(0)
    x = autograd.randn(4, 3)
    W = autograd.randn(3, 2, requires_grad=True)
    b = autograd.randn(2, requires_grad=True)
    h = x @ W
    loss = ((h + b).relu() * h).mean()
    last = parse(viz.backprop_steps(loss, params={"W": W, "b": b}, max_elements=6)[-1].source)[0]
    loss.backward()
    for name, p in (("W", W), ("b", b)):
        expected = "\n".join(viz.labels.format_array(p.grad.data, 6))
        assert expected.replace("\n", "<BR/>") in last[key_of(last, name)]
    assert "(partial)" not in "".join(last.values())


@needs_dot
def test_backprop_html_is_self_contained(tmp_path) -> None:
    _, y = diamond()
    page = viz.save_backprop_html(y, tmp_path / "steps.html").read_text()
    assert page.count('<div class="step"') == 4 and page.count("<svg") == 4
    assert "Step 1 / 4" in page and 'id="prev"' in page and 'id="next"' in page
    assert "<!DOCTYPE svg" not in page and "<?xml" not in page
    assert not re.search(r"<script[^>]*src=|<link|@import|https?://(?!www\.w3\.org)", page)
    with pytest.raises(ValueError, match="requires_grad"):
        viz.save_backprop_html(Tensor(1.0), tmp_path / "none.html")


def mlp_loss(model, trace_depth=None):
    x = Tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3), name="x")
    with viz.trace_modules(model, depth=trace_depth) as trace:
        loss = (model(x) ** 2).mean()
    return loss, trace


def test_collapse_modules_draws_one_node_per_layer() -> None:
    import nn

    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 2))
    loss, trace = mlp_loss(model)
    assert [c.label for c in trace.calls] == ["0: Linear(3->8)", "1: ReLU", "2: Linear(8->2)"]
    loss.backward(retain_graph=True)
    nodes, edges = parse(viz.draw_graph(loss, collapse_modules=trace).source)
    boxes = [k for k, v in nodes.items() if "class=module" in v]
    ops = [re.search(r"label=(\w+)", v).group(1) for k, v in nodes.items() if k[0] == "f"]
    assert len(boxes) == 3 and sorted(ops) == ["Mean", "Pow"]  # the loss stays as ops
    assert "<B>0: Linear(3-&gt;8)</B>" in nodes[boxes[0]] and "0.weight (8, 3)" in nodes[boxes[0]]
    assert "grad" in nodes[boxes[0]]
    assert not any("class=param" in v for v in nodes.values())  # inside their boxes
    # tensors: x, 3 layer outputs, the exponent 2, (.)**2, loss; 2 ops; 3 boxes
    assert len(nodes) == 7 + 2 + 3
    x, (pow_op,) = key_of(nodes, "x"), [k for k in nodes if "label=Pow" in nodes[k]]
    out = [head for tail, head in edges if tail == boxes[2]]
    chain = [(x, boxes[0]), (boxes[0], "?"), (boxes[1], "?"), (boxes[2], out[0]), (out[0], pow_op)]
    for tail, head in chain:
        assert any(t == tail and head in ("?", h) for t, h in edges), (tail, head)
    assert len(edges) == len(set(edges)) == 11
    full = parse(viz.draw_graph(loss).source)[0]
    assert len(full) > len(nodes) + 3  # 4 parameters and 2 ops fold into the boxes
    # the model itself works too, through its latest trace
    assert (
        viz.draw_graph(loss, collapse_modules=model).source
        == viz.draw_graph(loss, collapse_modules=trace).source
    )


def test_collapse_modules_on_mlp_and_errors() -> None:
    import nn

    autograd.manual_seed(0)
    model = nn.MLP([3, 5, 5, 1], activation="sigmoid")
    loss, trace = mlp_loss(model)
    names = [c.name for c in trace.calls]
    assert names == [f"layers.{i}" for i in range(5)]
    steps = viz.backprop_steps(loss, collapse_modules=trace)
    assert len(steps) == len(autograd.toposort([loss.grad_fn]))
    nodes = parse(steps[-1].source)[0]
    assert sum("class=module" in v for v in nodes.values()) == 5
    _, top = mlp_loss(model, trace_depth=1)
    assert [c.label for c in top.calls] == ["layers: Sequential"]
    with pytest.raises(ValueError, match="trace_modules"):
        viz.draw_graph(loss, collapse_modules=nn.Linear(2, 2))
    with pytest.raises(TypeError, match="named_modules"):
        with viz.trace_modules(object()):
            pass
    assert all(not m._forward_hooks for m in model.modules())  # hooks removed


def test_scalar_nodes_carry_no_shape_row_but_arrays_do() -> None:
    nodes, _ = parse(viz.draw_graph(neuron()["o"]).source)
    assert "scalar" not in "".join(nodes.values())  # 0-d: the value says it all
    _, y = diamond()
    nodes, _ = parse(viz.draw_graph(y).source)
    assert "(2,) float64" in nodes[key_of(nodes, "x")]


def test_step_captions_name_each_tensor_once_even_when_ops_share_a_name() -> None:
    t = neuron()
    steps = viz.backprop_walkthrough(t["o"])
    captions = [s.caption for s in steps]
    assert captions[1] == (
        "Add: grad of n is complete; backward adds a share to the grad of t3 and b"
    )
    assert captions[2] == (
        "Add: grad of t3 is complete; backward adds a share to the grad of t1 and t2"
    )
    assert len(set(captions)) == len(captions)
    nodes = parse(steps[2].graph.source)[0]
    for name in ("t1", "t2", "t3"):  # the drawing uses the names the captions use
        key_of(nodes, name)
    assert t["n"].name == "n" and all(x.name != "t1" for x in t.values())  # tensors untouched
    untitled = viz.backprop_walkthrough(t["o"], titles=False)
    assert "Step 1 / 5" not in untitled[0].graph.source
    assert [s.caption for s in untitled] == captions


@needs_dot
def test_backprop_page_prints_each_caption_once_and_a_legend_of_what_is_drawn(tmp_path) -> None:
    t = neuron()
    t["x1"].requires_grad = t["x2"].requires_grad = False
    page = viz.save_backprop_html(t["o"], tmp_path / "neuron.html").read_text()
    captions = [s.caption for s in viz.backprop_walkthrough(t["o"])]
    body = page.split("<body>", 1)[1]
    assert body.count(html.escape(captions[1])) == 1  # in its data-caption only
    assert body.count(html.escape(captions[0])) == 2  # data-caption and the first caption line
    legend = page.split('<p class="legend">', 1)[1]
    assert "Blue: inputs that require grad (w1, w2, b)." in legend
    assert "Grey, dashed: constants, which get no gradient (x1, x2)." in legend
    assert "Yellow" not in legend and "Purple" not in legend  # no parameters, no modules here


@needs_dot
def test_collapsed_network_reads_at_page_width(tmp_path) -> None:
    import nn

    autograd.manual_seed(0)
    model = nn.MLP([784, 64, 64, 10])
    x = Tensor(np.linspace(0, 1, 8 * 784, dtype=np.float32).reshape(8, 784), name="x")
    with viz.trace_modules(model) as trace:
        loss = nn.CrossEntropyLoss()(model(x), np.arange(8) % 10)
    loss.backward(retain_graph=True)
    png = viz.save_graph(loss, tmp_path / "mlp.png", collapse_modules=trace).read_bytes()
    width, height = struct.unpack(">II", png[16:24])
    assert width < 1000 < height  # a column of layers, not one 4,000-pixel row
    assert "rankdir=TB" in viz.draw_graph(loss, collapse_modules=trace).source
    assert "rankdir=LR" in viz.draw_graph(loss).source  # a graph of ops still runs across
    assert "rankdir=LR" in viz.draw_graph(loss, collapse_modules=trace, rankdir="LR").source
