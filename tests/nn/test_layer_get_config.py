"""`get_config` / `from_config` of Keras's layers, as Keras's serialization guide uses
them: ``layer = Dense(3, activation="relu"); Dense.from_config(layer.get_config())``.
Configs are compared with Keras 3's for the same arguments."""

from __future__ import annotations

import pytest

import nn
from nn import layers

keras = pytest.importorskip("keras")


def test_dense_config_as_keras_and_back():
    ours = layers.Dense(3, activation="relu", name="d", kernel_initializer="he_normal")
    theirs = keras.layers.Dense(3, activation="relu", name="d", kernel_initializer="he_normal")
    config, keras_config = ours.get_config(), theirs.get_config()
    assert set(config) == set(keras_config) - {"quantization_config"}
    for key in ("name", "trainable", "units", "activation", "use_bias", "kernel_regularizer"):
        assert config[key] == keras_config[key], key
    assert config["dtype"] == keras_config["dtype"]["config"]["name"] == "float32"
    for key in ("kernel_initializer", "bias_initializer"):
        assert config[key]["class_name"] == keras_config[key]["class_name"], key
    again = layers.Dense.from_config(config)
    assert isinstance(again, layers.Dense) and again is not ours
    assert again.get_config() == config
    # Keras's own config (dtype policy, newer initializer keys) makes the same layer
    assert layers.Dense.from_config(keras_config).get_config() == config


def test_dense_from_config_keeps_trainable_and_a_module_activation():
    layer = layers.Dense(4, activation=nn.LeakyReLU(0.3))
    layer.trainable = False
    config = layer.get_config()
    assert config["activation"] == {"class_name": "LeakyReLU", "config": {"negative_slope": 0.3}}
    again = layers.Dense.from_config(config)
    assert again.trainable is False
    assert again.activation.negative_slope == 0.3


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("Conv2D", (4, 3)),
        ("Conv1D", (4, 3)),
        ("Conv2DTranspose", (4, 3)),
        ("SeparableConv2D", (4, 3)),
        ("DepthwiseConv2D", (3,)),
    ],
)
def test_conv_layers_come_back_from_their_config(name, args):
    """The activation is Keras's name ("relu"), and `from_config` rebuilds the layer (it
    raised KeyError: 'registered_name')."""
    ours = getattr(layers, name)(*args, activation="relu")
    theirs = getattr(keras.layers, name)(*args, activation="relu")
    config = ours.get_config()
    assert config["activation"] == theirs.get_config()["activation"] == "relu"
    assert type(ours).from_config(config).get_config() == config


def test_initializer_from_a_newer_keras_config_refuses_axes_it_cannot_take():
    from nn import initializers

    config = {"class_name": "GlorotUniform", "config": {"seed": 3, "input_axes": None}}
    assert initializers.get(config).get_config() == {"seed": 3}
    config["config"]["input_axes"] = [0]
    with pytest.raises(ValueError, match="input_axes"):
        initializers.get(config)
