"""`nn.utils.plot_model` / `model_to_dot`: Keras 3's drawing of a model's layers."""

import itertools
import re
import shutil

import numpy as np
import pytest

import nn
from nn import layers
from nn.utils import model_to_dot, plot_model

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="Graphviz's dot program is not installed (apt-get install graphviz)",
)


def branching_model():
    inputs = nn.Input((4,), name="features")
    hidden = layers.Dense(8, activation="relu", name="hidden")(inputs)
    normed = layers.BatchNormalization(name="bn")(hidden)
    side = layers.Dense(8, name="side")(inputs)
    merged = layers.Concatenate(name="merge")([normed, side])
    outputs = layers.Dense(1, activation="sigmoid", name="out")(merged)
    return nn.Model(inputs, outputs, name="branching")


def nodes_and_edges(dot):
    source = dot.source
    nodes = re.findall(r"^\t+(\S+) \[label=", source, flags=re.M)
    edges = re.findall(r"^\t+(\S+) -> (\S+) \[penwidth=2\]", source, flags=re.M)
    return nodes, edges


def titles(dot):
    return re.findall(r'color="white">(.*?)</font></td></tr>', dot.source)


def test_functional_model_has_a_node_per_layer_and_its_connections():
    dot = model_to_dot(branching_model())
    nodes, edges = nodes_and_edges(dot)
    assert nodes == ["features", "hidden", "bn", "side", "merge", "out"]
    assert sorted(edges) == sorted(
        [
            ("features", "hidden"),
            ("hidden", "bn"),
            ("features", "side"),
            ("bn", "merge"),
            ("side", "merge"),
            ("merge", "out"),
        ]
    )
    # Keras 3's default: the class only
    assert titles(dot) == [
        "<b>InputLayer</b>",
        "<b>Dense</b>",
        "<b>BatchNormalization</b>",
        "<b>Dense</b>",
        "<b>Concatenate</b>",
        "<b>Dense</b>",
    ]
    assert "rankdir=TB" in dot.source and "dpi=200" in dot.source


def test_labels_show_what_is_asked_as_keras_writes_it():
    dot = model_to_dot(
        branching_model(),
        show_shapes=True,
        show_dtype=True,
        show_layer_names=True,
        show_layer_activations=True,
        show_trainable=True,
        rankdir="LR",
    )
    source = dot.source
    assert "<b>hidden</b> (Dense)" in source and "<b>features</b> (InputLayer)" in source
    assert "Activation: <b>relu</b>" in source and "Activation: <b>linear</b>" in source
    assert "Activation: <b>sigmoid</b>" in source
    assert "Input shape: <b>[(None, 8), (None, 8)]</b>" in source
    assert "Output shape: <b>(None, 16)</b>" in source
    assert "Output dtype: <b>float32</b>" in source
    assert source.count("<b>Trainable</b>") == 4  # the layers with weights
    assert "rankdir=LR" in source
    label = source.split("\tfeatures [label=")[1].split("\n")[0]
    assert "Input shape" not in label  # an InputLayer shows its output only


def test_sequential_model_is_a_chain_with_probed_shapes():
    nn.utils.clear_session()  # names are numbered per session, as Keras's
    model = nn.Sequential(
        [
            nn.Input((6,)),
            layers.Reshape((3, 2)),
            layers.LayerNormalization(),
            layers.Flatten(),
            layers.Dense(2, activation="softmax"),
        ]
    )
    model.layers[1].trainable = False
    dot = model_to_dot(model, show_shapes=True, show_layer_names=True, show_trainable=True)
    nodes, edges = nodes_and_edges(dot)
    assert nodes == ["reshape", "layer_normalization", "flatten", "dense"]
    assert edges == list(itertools.pairwise(nodes))
    assert "Input shape: <b>(None, 6)</b>" in dot.source
    assert "Output shape: <b>(None, 3, 2)</b>" in dot.source
    assert dot.source.count("<b>Non-trainable</b>") == 1


def test_nested_models_are_boxes_when_expanded():
    nn.utils.clear_session()  # names are numbered per session, as Keras's
    inner = nn.Sequential([nn.Input((4,)), layers.Dense(3), layers.Dense(2)], name="inner")
    inputs = nn.Input((4,), name="x")
    model = nn.Model(inputs, layers.Dense(1, name="head")(inner(inputs)))
    nodes, edges = nodes_and_edges(model_to_dot(model))
    assert nodes == ["x", "inner", "head"] and edges == [("x", "inner"), ("inner", "head")]
    dot = model_to_dot(model, expand_nested=True)
    nodes, edges = nodes_and_edges(dot)
    assert "subgraph cluster_inner" in dot.source
    assert sorted(edges) == sorted(
        [("x", '"inner/dense"'), ('"inner/dense"', '"inner/dense_1"'), ('"inner/dense_1"', "head")]
    )


@needs_dot
@pytest.mark.parametrize(
    "suffix, magic", [(".png", b"\x89PNG"), (".svg", b"<?xml"), (".pdf", b"%PDF")]
)
def test_plot_model_writes_the_picture(tmp_path, suffix, magic):
    path = tmp_path / f"model{suffix}"
    shown = plot_model(branching_model(), to_file=path, show_shapes=True)
    assert path.read_bytes().startswith(magic)
    if suffix == ".png":
        assert type(shown).__name__ == "Image" and shown.data.startswith(b"\x89PNG")


def test_plot_model_writes_dot_source_without_graphviz(tmp_path):
    path = tmp_path / "model.dot"
    dot = plot_model(branching_model(), to_file=path)
    assert path.read_text() == dot.source and "features -> hidden" in dot.source


def test_plot_model_errors_name_the_problem(tmp_path):
    with pytest.raises(ValueError, match="to_file"):
        plot_model(branching_model(), to_file=tmp_path / "model.bmp")
    with pytest.raises(ValueError, match="rankdir"):
        model_to_dot(branching_model(), rankdir="UP")
    with pytest.raises(TypeError, match="show_shapes"):
        model_to_dot(branching_model(), show_shapes="yes")
    with pytest.raises(ValueError, match="dpi"):
        model_to_dot(branching_model(), dpi=0)
    with pytest.raises(ValueError, match="not yet been built"):
        model_to_dot(nn.Sequential([nn.Dense(2)]))


def test_a_subclassed_model_is_one_node():
    class Tiny(nn.Model):
        def __init__(self):
            super().__init__(name="tiny")
            self.dense = nn.Dense(2)

        def call(self, inputs):
            return self.dense(inputs)

    model = Tiny()
    model(np.ones((1, 3), np.float32))
    nodes, edges = nodes_and_edges(model_to_dot(model, show_layer_names=True))
    assert nodes == ["tiny"] and edges == []
