"""`Model.save(path)` and `nn.load_model(path)`: architecture, weights, compile settings
and optimizer state in one `.npz` file, without pickle.

The file holds the weights under their `state_dict` names (so `nn.load_state` and
`load_weights` read it too), the optimizer's state arrays under `__optimizer__/...`,
and one text entry, `__model_config__`, with a JSON description::

    {"format": "gradwork.model", "version": 1,
     "model": {"class_name": "Sequential", "config": {"layers": [
         {"class_name": "Dense", "config": {"units": 10, "activation": {...}, ...}}]}},
     "compile": {"optimizer": {"class_name": "RMSprop", "config": {...}},
                 "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]},
     "optimizer_state": {"iterations": 120, ...}}

Layers this module knows are described by their options (`DESCRIBE`); your own
`nn.Layer` subclasses, functions (an activation, a regularizer, a constraint, a loss, a
metric) and `Loss`, `Metric`, `Regularizer` subclasses by their names and
`get_config()`, for `load_model`'s `custom_objects` (`nn.custom_objects`); a custom
Module of another kind or a lambda raises a clear error that points to
`save_weights`. Compile settings are kept when they are names, `nn.optimizers`
objects, Keras's loss objects (`nn.losses.SparseCategoricalCrossentropy(from_logits=
True)`, `MeanSquaredError()`, ...) or metric objects (as Keras keeps what it can
serialize); otherwise the model loads uncompiled.
An optimizer's learning rate schedule is kept as Keras describes it
(`schedules.serialize`) when it is one of `nn.optimizers.schedules`, and with the
optimizer's `iterations` the reloaded model goes on at the same point of the
schedule; a function or a schedule class of your own cannot be rebuilt from the
file, so such a model loads uncompiled too.
"""

from __future__ import annotations

import functools
import json
import os
import types
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from autograd import get_default_dtype, no_grad
from autograd.checks import check_bool
from nn import activations as act
from nn import activations_torch as act_torch
from nn import (
    bidirectional,
    constraints,
    einsum_dense,
    hashing,
    keras_attention,
    keras_conv,
    keras_conv_transpose,
    keras_image,
    keras_layers,
    keras_layers_more,
    keras_resize,
    keras_separable,
    losses,
    masking,
    merging,
    normalization,
    norms_torch,
    optimizers,
    preprocessing,
    recurrent_cells_keras,
    recurrent_keras,
    regularizers,
    rnn_keras,
    spatial_dropout,
    time_distributed,
)
from nn import custom_objects as own
from nn import metrics as metrics_mod
from nn.custom_objects import CustomObjectScope as CustomObjectScope  # keras.saving's
from nn.custom_objects import custom_object_scope as custom_object_scope
from nn.custom_objects import get_custom_objects as get_custom_objects
from nn.custom_objects import register_keras_serializable as register_keras_serializable
from nn.functional_config import functional_config, functional_from_config
from nn.input import Input
from nn.layers import BatchNorm1d, Dense, Dropout, Embedding, Flatten, LayerNorm, Linear
from nn.module import Module
from nn.serialization import MODEL_CONFIG, OPTIMIZER_PREFIX, read_npz, write_npz

FORMAT = "gradwork.model"


def _dense(layer: Dense) -> dict[str, Any]:
    return {
        "units": layer.units,
        "activation": layer_config(layer.activation),
        "input_dim": layer.input_dim,
        "input_shape": layer.input_shape,
        "use_bias": layer.use_bias,
        "name": layer.name,
        "dtype": layer.dtype,
        **{
            argument: regularizers.serialize(getattr(layer, argument))
            for argument in ("kernel_regularizer", "bias_regularizer", "activity_regularizer")
        },
        **{
            argument: constraints.serialize(getattr(layer, argument))
            for argument in ("kernel_constraint", "bias_constraint")
        },
    }


def _activation(layer: act.Activation) -> dict[str, Any]:
    """A name of `nn.activations`, or a function of your own by its name (for
    `load_model`'s `custom_objects`)."""
    if layer.activation is None:
        function = own.describe(layer.fn, f"function of {layer!r} (an Activation)")
        return {"activation": function, "name": layer.name}
    return {"activation": layer.activation, "name": layer.name}


def _keras_layer(layer: Any) -> dict[str, Any]:
    """A Keras-style layer's `get_config()`, with the input shape it was built for
    (so `load_model` builds its weights before loading them) and its activity
    regularizer."""
    config = {
        **layer.get_config(),
        "activity_regularizer": regularizers.serialize(layer.activity_regularizer),
    }
    shape = getattr(layer, "build_input_shape", None)
    if shape is not None:
        config["build_input_shape"] = list(shape)
    return config


def _softmax(layer: act.Softmax) -> dict[str, Any]:
    return {"axis": getattr(layer, "axis", getattr(layer, "dim", -1))}


def _no_arguments(layer: Module) -> dict[str, Any]:
    return {}


#: Keras's layers of `nn.keras_layers_more` (all saved by `_keras_layer`, but `Dot`).
KERAS_LAYERS_MORE = (
    "ActivityRegularization",
    "GaussianDropout",
    "GroupNormalization",
    "Identity",
    "Permute",
    "PReLU",
    "RepeatVector",
    "RMSNormalization",
    "SpatialDropout1D",
)


#: How each known layer class is described: a function returning its constructor's
#: arguments (nested layers as their own descriptions).
DESCRIBE: dict[type, Callable[[Any], dict[str, Any]]] = {
    Dense: _dense,
    Linear: lambda m: {
        "in_features": m.in_features,
        "out_features": m.out_features,
        "bias": m.bias is not None,
    },
    Flatten: lambda m: {
        "start_dim": m.start_dim,
        "end_dim": m.end_dim,
        "input_shape": m.input_shape,
        "name": m.name,
    },
    Dropout: lambda m: {"p": m.p, "name": m.name},
    BatchNorm1d: lambda m: {
        "num_features": m.num_features,
        "eps": m.eps,
        "momentum": m.momentum,
        "affine": m.affine,
        "track_running_stats": m.track_running_stats,
        "bias": m.bias is not None or not m.affine,
    },
    LayerNorm: lambda m: {
        "normalized_shape": list(m.normalized_shape),
        "eps": m.eps,
        "elementwise_affine": m.elementwise_affine,
        "bias": m.bias is not None,
    },
    Embedding: lambda m: {
        "num_embeddings": m.num_embeddings,
        "embedding_dim": m.embedding_dim,
        "padding_idx": m.padding_idx,
        **({"mask_zero": True} if m.mask_zero else {}),
        **(
            {"embeddings_regularizer": regularizers.serialize(m.embeddings_regularizer)}
            if m.embeddings_regularizer is not None
            else {}
        ),
    },
    Input: lambda m: {"shape": m.input_shape, "name": m.name, "dtype": m.dtype},
    merging.Concatenate: lambda m: {"axis": m.axis, "name": m.name},
    keras_layers_more.Dot: lambda m: m.get_config(),
    keras_attention.MultiHeadAttention: lambda m: {
        **m.get_config(),
        **({"build_input_shape": m.build_input_shape} if m.built else {}),
    },
    preprocessing.CategoryEncoding: lambda m: m.get_config(),
    hashing.Hashing: lambda m: m.get_config(),
    preprocessing.Discretization: lambda m: m.get_config(),
    preprocessing.StringLookup: lambda m: m.saved_config(),
    preprocessing.IntegerLookup: lambda m: m.saved_config(),
    **{
        cls: lambda m: {"name": m.name}
        for cls in (
            merging.Add,
            merging.Subtract,
            merging.Multiply,
            merging.Average,
            merging.Maximum,
            merging.Minimum,
        )
    },
    act.LeakyReLU: lambda m: {"negative_slope": m.negative_slope},
    # After PyTorch's: loading either (saved with their slope) makes Keras's, with a name.
    keras_layers.LeakyReLU: lambda m: {"negative_slope": m.negative_slope, "name": m.name},
    act.ELU: lambda m: {"alpha": m.alpha},
    keras_layers.ELU: lambda m: {"alpha": m.alpha, "name": m.name},
    keras_layers.Softmax: lambda m: {"axis": m.axis, "name": m.name},
    keras_layers.ReLU: _keras_layer,
    act.GELU: lambda m: {"approximate": m.approximate},
    act.Softplus: lambda m: {"beta": m.beta, "threshold": m.threshold},
    act.Softmax: _softmax,
    act.LogSoftmax: _softmax,
    act.Activation: _activation,
    act_torch.Hardtanh: lambda m: {"min_val": m.min_val, "max_val": m.max_val},
    act_torch.CELU: lambda m: {"alpha": m.alpha},
    act_torch.Threshold: lambda m: {"threshold": m.threshold, "value": m.value},
    act_torch.Softmin: lambda m: {"dim": m.dim},
    act_torch.GLU: lambda m: {"dim": m.dim},
    act_torch.PReLU: lambda m: {"num_parameters": m.num_parameters, "init": m.init},
    norms_torch.RMSNorm: lambda m: {
        "normalized_shape": list(m.normalized_shape),
        "eps": m.eps,
        "elementwise_affine": m.elementwise_affine,
    },
    norms_torch.AlphaDropout: lambda m: {"p": m.p, "seed": m.seed, "name": m.name},
    **{
        cls: _keras_layer
        for cls in (
            normalization.BatchNormalization,
            normalization.LayerNormalization,
            normalization.UnitNormalization,
            keras_layers.Normalization,
            keras_layers.Rescaling,
            keras_layers.Reshape,
            keras_layers.GaussianNoise,
            masking.Masking,
            recurrent_keras.SimpleRNN,
            recurrent_keras.LSTM,
            recurrent_keras.GRU,
            bidirectional.Bidirectional,
            einsum_dense.EinsumDense,
            keras_attention.Attention,
            keras_attention.AdditiveAttention,
            recurrent_cells_keras.SimpleRNNCell,
            recurrent_cells_keras.LSTMCell,
            recurrent_cells_keras.GRUCell,
            rnn_keras.RNN,
            rnn_keras.StackedRNNCells,
            time_distributed.TimeDistributed,
            spatial_dropout.SpatialDropout2D,
            spatial_dropout.SpatialDropout3D,
            *(getattr(keras_layers_more, name) for name in KERAS_LAYERS_MORE),
            *keras_conv.KERAS_CONV_LAYERS,
            *keras_conv_transpose.LAYERS,
            *keras_separable.LAYERS,
            *keras_resize.LAYERS,
            *keras_image.LAYERS,
        )
    },
    **{
        cls: _no_arguments
        for cls in (
            act.Identity,
            act.Step,
            act.Sign,
            act.Sigmoid,
            act.Tanh,
            act.ReLU,
            act.SiLU,
            act_torch.ReLU6,
            act_torch.SELU,
            act_torch.Mish,
            act_torch.Hardswish,
            act_torch.Hardsigmoid,
            act_torch.Softsign,
            act_torch.Tanhshrink,
        )
    },
}


def _classes() -> dict[str, type]:
    from nn.functional_model import Functional
    from nn.sequential import Sequential
    from nn.training import Model

    return {saved_name(cls): cls for cls in (*DESCRIBE, Sequential, Model, Functional)}


def saved_name(cls: type) -> str:
    """The name a layer class has in a saved file: its own, or for Keras's layers that
    share a name with PyTorch's modules (`nn.layers.ReLU`, `Softmax`, `ELU`) their
    `saved_name`, so each loads as the class it was."""
    return getattr(cls, "saved_name", cls.__name__)


def layer_config(layer: Module) -> dict[str, Any]:
    """`{"class_name": ..., "config": {...}}` for a known layer or a model of them.

    Raises:
        ValueError: the layer (or one inside it) cannot be described; the message
            names it.
    """
    from nn.functional_model import Functional
    from nn.sequential import Sequential
    from nn.training import Model

    cls = type(layer)
    if cls is Functional:
        config = functional_config(layer, layer_config)
    elif cls is Sequential:
        config: dict[str, Any] = {"layers": [layer_config(m) for m in layer], "name": layer.name}
    elif cls is Model:
        config = {"module": layer_config(layer.module)}
    elif cls in DESCRIBE:
        config = DESCRIBE[cls](layer)
    elif _own_layer(layer):
        return _custom_layer(layer)
    else:
        known = ", ".join(sorted(c.__name__ for c in DESCRIBE))
        raise ValueError(
            f"save: cannot describe the layer {layer!r} ({cls.__name__}) for nn.load_model; "
            f"known layers: {known}, Sequential, Functional. Save the weights with "
            "model.save_weights(path) and rebuild the model in code instead"
        )
    return {"class_name": saved_name(cls), "config": config}


def _own_layer(layer: Module) -> bool:
    """A Keras-style layer of a class of your own (`nn.Layer` subclassed outside `nn`)."""
    from nn.layer import Layer

    return isinstance(layer, Layer) and not type(layer).__module__.startswith("nn.")


def _custom_layer(layer: Any) -> dict[str, Any]:
    """Your own layer as Keras writes it: its class name and `get_config()`, with the
    input shape it was built for."""
    description = own.describe(layer, "layer")
    shape = getattr(layer, "build_input_shape", None)
    if shape is not None:
        description["build_input_shape"] = shape
    return description


def _built_custom_layer(description: dict[str, Any]) -> Module:
    """Your own layer from `custom_objects`, built for the input shape it was saved with
    (by `build`, then, for sub-layers that build at their first call, by a call on
    zeros), so the file's weights load into it."""
    layer = own.resolve(description, "layer")
    shape = description.get("build_input_shape")
    if shape is not None:
        shape = _shape_tuples(shape)
        object.__setattr__(layer, "build_input_shape", shape)  # (saved again with it)
        layer.build(shape)
        layer.built = True
        if any(getattr(m, "built", True) is False for m in layer.modules()):
            with no_grad():
                layer(_zeros(shape))
    return layer


def _shape_tuples(shape: Any) -> Any:
    """A shape from JSON (lists) as `build` gets it: a tuple, or a list (or dict) of
    them, as `nn.layer.shapes_of` made it."""
    if isinstance(shape, dict):
        return {key: _shape_tuples(value) for key, value in shape.items()}
    if all(n is None or isinstance(n, int) for n in shape):
        return tuple(shape)
    return [_shape_tuples(s) for s in shape]


def _zeros(shape: Any) -> Any:
    """Zeros of a shape (one sample where the batch size is None), or a list (or dict)
    of them."""
    if isinstance(shape, dict):
        return {key: _zeros(value) for key, value in shape.items()}
    if all(n is None or isinstance(n, int) for n in shape):
        return np.zeros([1 if n is None else n for n in shape], dtype=get_default_dtype())
    return [_zeros(s) for s in shape]


def from_layer_config(description: dict[str, Any]) -> Module:
    """The layer (or model) that `layer_config` described, with new weights."""
    if own.is_description(description):
        return _built_custom_layer(description)
    classes = _classes()
    name = description.get("class_name")
    if name not in classes:
        raise ValueError(f"load_model: unknown layer class {name!r} in the file")
    config = dict(description.get("config", {}))
    if name == "Sequential":
        layers = [from_layer_config(d) for d in config["layers"]]
        return classes[name](layers, name=config.get("name"))
    if name == "Model":
        return classes[name](from_layer_config(config["module"]))
    if name == "Functional":
        return functional_from_config(config, from_layer_config)
    if own.is_description(config.get("activation")):  # Activation(your_function)
        config["activation"] = own.resolve(config["activation"], "activation")
    elif isinstance(config.get("activation"), dict):
        config["activation"] = from_layer_config(config["activation"])
    build_shape = config.pop("build_input_shape", None)
    if issubclass(classes[name], preprocessing.DataLayer):
        return classes[name].from_config(config)  # (no weights; Keras's from_config)
    layer = classes[name](**config)
    if build_shape is not None:  # its weights, to load the file's into
        layer.build(tuple(build_shape))
        layer.built = True
    return layer


def _renamed_statistics(model: Module, weights: dict[str, Any]) -> dict[str, Any]:
    """`weights` with the statistics of a `Normalization` saved under their earlier
    names (`mean`, `variance`) given their present ones (`adapt_mean`,
    `adapt_variance`, Keras's attribute names), so older files load."""
    own = model.state_dict()
    renamed = {}
    for key, value in weights.items():
        head, _, last = key.rpartition(".")
        new = f"{head}.adapt_{last}" if head else f"adapt_{last}"
        if key not in own and last in ("mean", "variance") and new in own:
            key = new
        renamed[key] = value
    return renamed


def _compile_config(model: Module) -> dict[str, Any] | None:
    """What `compile` was given, if it can be written as names and numbers."""
    compiled = model.__dict__.get("_compiled")
    if compiled is None or not isinstance(compiled.loss_name, str):
        return None
    try:
        loss = _loss_spec(compiled.loss_name, compiled.loss, compiled.arguments.get("loss"))
        metrics = [_metric_spec(name, metric) for name, metric in compiled.metrics]
        weighted = [_metric_spec(name, metric) for name, metric in compiled.weighted_metrics]
    except (ValueError, TypeError):
        return None
    spec = compiled.optimizer_spec
    if isinstance(spec, optimizers.Optimizer) and not _rebuildable(spec):
        return None
    if isinstance(spec, optimizers.Optimizer):
        optimizer: Any = {"class_name": type(spec).__name__, "config": spec.get_config()}
    elif isinstance(spec, str):
        optimizer = {"name": spec, "options": compiled.optimizer_options}
    else:
        return None
    return {
        "optimizer": optimizer,
        "loss": loss,
        "metrics": metrics,
        "weighted_metrics": weighted,
    }


LOSS_CLASSES = losses.CLASS_NAMES  # Keras's loss classes by name (one registry)


def _loss_spec(name: str, loss: Any, given: Any = None) -> Any:
    """The compiled loss as JSON: its name, or for a Keras loss object of a known class
    (`nn.losses.BinaryCrossentropy(from_logits=True)`, ...) its class and options, as
    Keras saves it; a function or a `Loss` subclass of your own (`given` to compile) as
    `nn.custom_objects` describes it.

    Raises:
        ValueError, TypeError: a loss `load_model` could not make again.
    """
    if _own(given):
        return own.describe(given, "loss")
    if type(loss) is LOSS_CLASSES.get(type(loss).__name__):
        if isinstance(loss, losses.Loss):
            config = loss.get_config()
        else:
            config = {"from_logits": loss.from_logits, "reduction": loss.reduction}
        spec = {"class_name": type(loss).__name__, "config": config}
        json.dumps(spec, default=_json_default)  # a TypeError if JSON cannot hold it
        return spec
    losses.get(name)
    return name


def _own(obj: Any) -> bool:
    """A function or an object of a class defined outside this library (Keras's custom
    objects), which `nn.custom_objects` describes."""
    if obj is None or isinstance(obj, (str, type, list, tuple, dict)):
        return False
    module = getattr(obj, "__module__", None) if callable(obj) and not _is_object(obj) else None
    module = module or type(obj).__module__
    return not (module == "nn" or module.startswith(("nn.", "autograd", "optim")))


def _is_object(obj: Any) -> bool:
    """An instance of a class with `__call__`, rather than a function."""
    return not isinstance(obj, types.FunctionType | types.BuiltinFunctionType | functools.partial)


def _loss_from_spec(spec: Any) -> Any:
    """The loss `_loss_spec` described (a name stays a name for `compile`)."""
    if own.is_description(spec):
        return own.resolve(spec, "loss")
    if isinstance(spec, dict):
        return LOSS_CLASSES[spec["class_name"]](**spec["config"])
    return spec


def _metric_spec(name: str, metric: Any) -> Any:
    """A compiled metric as JSON: a Metric of a known class as its class and config (so
    options such as `thresholds` survive), otherwise its name.

    Raises:
        ValueError, TypeError: a name `load_model` could not make a metric of again.
    """
    if _own(metric):
        return own.describe(metric, "metric")
    if type(metric) is metrics_mod.CLASS_NAMES.get(type(metric).__name__):
        spec = {"class_name": type(metric).__name__, "config": metric.get_config()}
        try:
            json.dumps(spec, default=_json_default)
        except TypeError:  # an option JSON cannot hold (a function): kept by name below
            pass
        else:
            return spec
    metrics_mod.get(name)
    return name


def _metric_from_spec(spec: Any) -> Any:
    """The metric `_metric_spec` described (a name stays a name for `compile`)."""
    if own.is_description(spec):
        return own.resolve(spec, "metric")
    if isinstance(spec, dict):
        return metrics_mod.CLASS_NAMES[spec["class_name"]].from_config(spec["config"])
    return spec


def _rebuildable(optimizer: optimizers.Optimizer) -> bool:
    """Whether `load_model` can make the optimizer's learning rate from its config."""
    lr = optimizer._base_rate()
    if not callable(lr):
        return True
    return optimizers.schedules.SCHEDULES.get(type(lr).__name__) is type(lr)


def _optimizer_arrays(model: Module) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The optimizer's state as JSON numbers and named arrays ({} when there is none)."""
    compiled = model.__dict__.get("_compiled")
    if compiled is None or compiled.optimizer is None:
        return {}, {}
    state = compiled.optimizer.state_dict()
    numbers: dict[str, Any] = {k: v for k, v in state.items() if k not in ("state", "param_groups")}
    numbers["per_param"] = {}
    arrays = {}
    for index, per_param in state["state"].items():
        for key, value in per_param.items():
            if isinstance(value, np.ndarray):
                arrays[f"{OPTIMIZER_PREFIX}{index}/{key}"] = value
            else:
                numbers["per_param"].setdefault(str(index), {})[key] = value
    return numbers, arrays


def save_model(model: Module, path: str | os.PathLike) -> None:
    """Write `model` to `path` (see the module docstring), atomically.

    Raises:
        ValueError: a layer cannot be described, or the model has no weights yet.
    """
    from nn.weights import require_built

    require_built(model, "save")
    compile_config = _compile_config(model)
    optimizer_numbers, optimizer_arrays = _optimizer_arrays(model) if compile_config else ({}, {})
    description = {
        "format": FORMAT,
        "version": 1,
        "model": layer_config(model),
        "compile": compile_config,
        "optimizer_state": optimizer_numbers or None,
    }
    text = json.dumps(description, default=_json_default)
    weights = {k: v.numpy() for k, v in model.state_dict().items()}
    arrays = {**weights, **optimizer_arrays, MODEL_CONFIG: np.array(text)}
    write_npz(arrays, path)


def _json_default(value: Any) -> Any:
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    raise TypeError(f"save: cannot write {value!r} ({type(value).__name__}) as JSON")


def load_model(
    path: str | os.PathLike,
    custom_objects: Mapping[str, Any] | None = None,
    compile: bool = True,
    safe_mode: bool = True,
) -> Module:
    """Rebuild a model written by `model.save(path)`: its layers, weights, and (with
    `compile`, as Keras) its compile settings and optimizer state.

    `custom_objects` maps the names of your own functions and classes the file holds
    (a loss, a metric, an activation, a layer, ...: see `nn.custom_objects`) to them, as
    Keras's; the file holds no code, so `safe_mode` (Keras's) has nothing to refuse.

    Raises:
        ValueError: the file holds weights only, is not a model file, does not
            match its own description, or names a function or class of your own that
            `custom_objects` does not give.
        TypeError: `custom_objects` that is not a dict, or a `safe_mode` or `compile`
            that is not a bool.
    """
    if custom_objects is not None and not isinstance(custom_objects, Mapping):
        raise TypeError(
            "load_model: custom_objects must be a dict of name -> class or function, got "
            f"{type(custom_objects).__name__}"
        )
    check_bool("load_model", "safe_mode", safe_mode)
    check_bool("load_model", "compile", compile)
    entries = read_npz(path)
    if MODEL_CONFIG not in entries:
        raise ValueError(
            f"load_model: {os.fspath(path)} holds weights only (written by save_weights or "
            "Module.save); build the model in code and call model.load_weights(path)"
        )
    description = json.loads(str(entries.pop(MODEL_CONFIG)))
    if description.get("format") != FORMAT:
        raise ValueError(f"load_model: {os.fspath(path)} is not a model file of this library")
    with own.scope(custom_objects):
        model = from_layer_config(description["model"])
        weights = {k: v for k, v in entries.items() if not k.startswith(OPTIMIZER_PREFIX)}
        model.load_state_dict(_renamed_statistics(model, weights))
        compile_config = description.get("compile")
        if compile and compile_config:
            _compile(model, compile_config, description.get("optimizer_state"), entries)
    return model


def _compile(
    model: Any, config: dict[str, Any], numbers: dict[str, Any] | None, entries: dict
) -> None:
    spec = config["optimizer"]
    if "class_name" in spec:
        cls = optimizers.OPTIMIZERS.get(spec["class_name"].lower())
        if cls is None:
            raise ValueError(f"load_model: unknown optimizer class {spec['class_name']!r}")
        optimizer: Any = cls.from_config(spec["config"])
        options: dict[str, Any] = {}
    else:
        optimizer, options = spec["name"], spec["options"]
    model.compile(
        optimizer=optimizer,
        loss=_loss_from_spec(config["loss"]),
        metrics=[_metric_from_spec(spec) for spec in config["metrics"]],
        weighted_metrics=[_metric_from_spec(spec) for spec in config.get("weighted_metrics", [])],
        **options,
    )
    if not numbers:
        return
    opt = model._make_optimizer()
    state = opt.state_dict()
    per_param: dict[int, dict[str, Any]] = {}
    for name, array in entries.items():
        if name.startswith(OPTIMIZER_PREFIX):
            index, key = name[len(OPTIMIZER_PREFIX) :].split("/", 1)
            per_param.setdefault(int(index), {})[key] = array
    for index, values in numbers.get("per_param", {}).items():
        per_param.setdefault(int(index), {}).update(values)
    extra = {k: v for k, v in numbers.items() if k != "per_param"}
    opt.load_state_dict({**state, **extra, "state": per_param})


def clone_model(
    model: Module,
    input_tensors: Any = None,
    clone_function: Callable[[Module], Module] | None = None,
) -> Module:
    """Keras's `clone_model`: the same architecture (layers of the same classes, options
    and names) with new layers and newly initialized weights; copy the weights with
    ``clone.set_weights(model.get_weights())``. The clone is not compiled.

    Raises:
        ValueError: `input_tensors` or `clone_function` (Keras's other arguments, not
            supported here), or a layer `save` cannot describe (the message names it).
    """
    if input_tensors is not None or clone_function is not None:
        raise ValueError(
            "clone_model: input_tensors and clone_function are not supported; clone the "
            "model as it is, then change it"
        )
    return from_layer_config(layer_config(model))
