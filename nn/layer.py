"""Keras's `Layer`: a Module written the Keras way, with `build`, `call` and `add_weight`.

A subclass creates its weights in `build(input_shape)`, which runs once, before the
first `call`, with the shape of the first input (batch axis included, as Keras passes
it), and computes in `call(inputs, training=None)`::

    class SimpleDense(nn.Layer):
        def __init__(self, units):
            super().__init__()
            self.units = units

        def build(self, input_shape):
            self.W = self.add_weight(shape=(input_shape[-1], self.units))
            self.b = self.add_weight(shape=(self.units,), initializer="zeros")

        def call(self, inputs):
            return nn.ops.matmul(inputs, self.W) + self.b

A Layer is a `Module`: its weights are Parameters (`parameters()`, `state_dict()`),
found in its attributes as every Module's are. Keras's view of them (`weights`,
`trainable_weights`, `non_trainable_weights`, `trainable`, `get_weights`) comes from
`LayerWeights`, which `nn.Model` shares, so a subclassed model has it too.

`training` follows Keras: `fit` calls the model with True, `evaluate`, `predict` and
plain calls with False (a Layer starts in inference mode), and a call may pass
`training=` itself. Each layer's `call` gets it when it has a `training` argument,
and the layers inside run in that mode (a `Dropout` used in `call` drops only then).
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

from autograd import Tensor, get_default_dtype, no_grad
from autograd.checks import check_bool
from nn import constraints, init, regularizers, weights
from nn.module import Module, Parameter, _walk, training_asked, training_mode
from nn.symbolic import default_name, unique_name

_NO_CODE = (lambda: None).__code__  # what has_penalties reads for a layer without `call`


class Variable(Parameter):
    """Keras's `Variable`, and the weights `Layer.add_weight` makes: a Parameter with
    Keras's `trainable`, `assign`, `assign_add` and `assign_sub` (writes in place,
    outside the graph).

    As Keras's `Variable(initializer, shape=None, dtype=None, trainable=True,
    name=None)`: `initializer` is a value (an array, a list, a Tensor), or an
    initializer (a name such as "zeros", an `nn.initializers` object, a function
    `f(shape, dtype=None)`) drawn for `shape`. A value of floats that is not a Tensor
    takes the default float dtype (Keras's floatx) unless `dtype` is given. The name
    is "variable", numbered for the session as Keras's, unless given. `autocast`,
    `aggregation` and `synchronization` are taken and change nothing here.

    `trainable` is `requires_grad`: what `fit`'s optimizer updates.

    Raises:
        ValueError: an initializer without `shape`, or a value whose shape is not `shape`.
    """

    # Keras lists the weights made trainable first; `regularizer` and `constraint` are
    # add_weight's (the constraint: a projection the optimizers apply after each update)
    __slots__ = ("_made_trainable", "constraint", "regularizer")

    def __init__(
        self,
        initializer: Any,
        shape: Sequence[int] | None = None,
        dtype: npt.DTypeLike | None = None,
        trainable: bool = True,
        autocast: bool = True,
        aggregation: str = "none",
        synchronization: str = "auto",
        name: str | None = None,
    ) -> None:
        check_bool("Variable", "trainable", trainable)
        super().__init__(_initial_value(initializer, shape, dtype), requires_grad=trainable)
        self._made_trainable = trainable
        self.regularizer: Any = None
        self.constraint: Any = None
        self.name = unique_name("variable") if name is None else name

    @property
    def trainable(self) -> bool:
        return self.requires_grad

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self.requires_grad = check_bool("Variable", "trainable", value)

    @property
    def value(self) -> Tensor:
        """The weight as a Tensor, as Keras's `variable.value`: the Variable itself, so
        a `call` or a metric's `result` using it stays differentiable."""
        return self

    def assign(self, value: Any) -> Variable:
        """Write `value` (broadcast to the shape) into the weight: v = value."""
        with no_grad():
            self.copy_(value)
        return self

    def assign_add(self, delta: Any) -> Variable:
        """v = v + delta, in place."""
        with no_grad():
            self.add_(delta)
        return self

    def assign_sub(self, delta: Any) -> Variable:
        """v = v - delta, in place."""
        with no_grad():
            self.sub_(delta)
        return self

    # Tensor's copies set Tensor's slots only: this one is copied here.
    def __copy__(self) -> Tensor:
        out = super().__copy__()
        out._made_trainable = self._made_trainable  # type: ignore[attr-defined]
        out.regularizer = self.regularizer  # type: ignore[attr-defined]
        out.constraint = self.constraint  # type: ignore[attr-defined]
        return out

    def __deepcopy__(self, memo: dict[int, Any]) -> Tensor:
        out = super().__deepcopy__(memo)
        out._made_trainable = self._made_trainable  # type: ignore[attr-defined]
        out.regularizer = self.regularizer  # type: ignore[attr-defined]
        out.constraint = copy.deepcopy(self.constraint, memo)  # type: ignore[attr-defined]
        return out

    def __repr__(self) -> str:
        return (
            f"<Variable name={self.name}, shape={self.shape}, dtype={self.dtype}, "
            f"trainable={self.trainable}, value={self.data}>"
        )


def _initial_value(initializer: Any, shape: Any, dtype: npt.DTypeLike | None) -> np.ndarray:
    """What a `Variable` starts with (see there)."""
    if isinstance(initializer, str) or (
        callable(initializer) and not isinstance(initializer, Tensor)
    ):
        if shape is None:
            raise ValueError(
                "Variable: shape is required to create a Variable from an initializer, got "
                f"initializer={initializer!r} and shape=None"
            )
        kind = np.dtype(dtype or get_default_dtype())
        return _keras_draw(init.get(initializer), _weight_shape(shape), kind)
    if isinstance(initializer, Tensor):
        value = initializer.data
    else:
        value = np.asarray(initializer)
        if dtype is None and value.dtype.kind == "f":
            value = value.astype(get_default_dtype())  # Keras's floatx
    if dtype is not None:
        value = value.astype(dtype)
    if shape is not None and tuple(shape) != value.shape:
        raise ValueError(
            f"Variable: the initial value has shape {value.shape}, not the shape given, "
            f"{tuple(shape)}"
        )
    return value


def _made_trainable(p: Parameter) -> bool:
    return getattr(p, "_made_trainable", True)


class LayerWeights:
    """Keras's view of a layer's weights, shared by `Layer` and `nn.Model`.

    `weights` lists the layer's own weights (those made trainable first, in order of
    creation), then each sub-layer's, as Keras orders them; the Module's
    `parameters()` and `state_dict()` use the same order. A weight is trainable when
    it requires grad, which `trainable = False` turns off for every weight of the
    layer and its sub-layers (weights made with `trainable=False` stay frozen when it
    is set back to True, as in Keras).
    """

    def add_weight(
        self,
        shape: Sequence[int] | None = None,
        initializer: str | init.Initializer | None = None,
        dtype: npt.DTypeLike | None = None,
        *,
        trainable: bool = True,
        name: str | None = None,
        regularizer: regularizers.RegularizerLike = None,
        constraint: constraints.ConstraintLike = None,
    ) -> Variable:
        """Make a weight, Keras's `add_weight`; assign it to an attribute to keep it.

        Args:
            shape: the weight's shape, e.g. `(input_dim, units)`; None or `()` for a
                scalar.
            initializer: a Keras name ("glorot_uniform", the default, "zeros", "ones",
                "random_normal", "he_normal", ... see `nn.init.get`) or a
                function `f(tensor, rng=None)` of `nn.init`'s kind. Fans are Keras's:
                fan_in = shape[-2], fan_out = shape[-1] (times the other axes).
            dtype: a float dtype; the layer's `dtype` by default.
            trainable: whether `fit` updates it.
            name: the weight's name.
            regularizer: a penalty on the weight added to the loss while it is
                trainable (`nn.regularizers.L2(0.01)`, "l2", ...; see `losses`).
            constraint: a projection the optimizers apply to the weight after each
                update (`nn.constraints.max_norm(1.0)`, "non_neg", ...).

        Raises:
            RuntimeError: called before `super().__init__()`.
            ValueError: a shape that is not a tuple of non-negative ints, or an unknown
                initializer name.
        """
        owner = type(self).__name__
        if "_buffers" not in self.__dict__:
            raise RuntimeError(
                f"add_weight: {owner} is not initialized; call super().__init__() first "
                f"in {owner}.__init__"
            )
        if isinstance(shape, str):
            raise ValueError(
                f"add_weight: name must be passed as a keyword argument, got "
                f"add_weight({shape!r}, ...); use add_weight(shape=..., name={shape!r})"
            )
        shape = _weight_shape(shape)
        check_bool("add_weight", "trainable", trainable)
        fill = init.get("glorot_uniform" if initializer is None else initializer)
        dtype = np.dtype(dtype or getattr(self, "dtype", None) or get_default_dtype())
        if dtype.kind != "f":
            raise ValueError(f"add_weight: dtype must be a float dtype, got {dtype}")
        variable = Variable(
            np.zeros(shape), dtype=dtype, trainable=trainable and self.trainable, name=name
        )
        variable._made_trainable = trainable
        variable.regularizer = regularizers.get(regularizer, "regularizer")
        variable.constraint = constraints.get(constraint, "constraint")
        variable.data[...] = _keras_draw(fill, shape, dtype)
        return variable

    @property
    def losses(self) -> list[Tensor]:
        """Keras's `losses`: the regularization penalties, as Tensors in the graph.

        First the activity penalties of the last call of this layer and of each
        sub-layer (`activity_regularizer(output) / batch_size`), then what their last
        calls gave `add_loss`, then the penalties of the trainable weights that have
        a regularizer, in the order of `weights`.
        `fit` and `evaluate` add their sum to the loss.
        """
        modules = list(self.modules())  # type: ignore[attr-defined]
        penalties = [p for m in modules for p in m.__dict__.get("_activity_losses", ())]
        penalties += [p for m in modules for p in m.__dict__.get("_added_losses", ())]
        for module in modules:
            if hasattr(module, "weight_regularizers"):  # (an `Embedding` too)
                penalties += [
                    regularizer(w)
                    for w, regularizer in module.weight_regularizers()
                    if w.requires_grad
                ]
        return penalties

    def add_loss(self, loss: Any) -> None:
        """Keras's `add_loss`, called in `call`: a scalar Tensor (made from the inputs or
        the weights) that `fit` and `evaluate` add to the loss. The losses added during
        a call replace those of the layer's last call (see `losses`)."""
        self.__dict__.setdefault("_added_losses", []).append(loss)

    def has_penalties(self) -> bool:
        """Whether some layer here has a regularizer or may call `add_loss` (its
        `call` names it), so that `losses` can hold anything (`fit` asks once per
        epoch instead of walking the layers per batch)."""
        for module in self.modules():  # type: ignore[attr-defined]
            if module.__dict__.get("activity_regularizer") is not None:
                return True
            if (
                "add_loss"
                in getattr(getattr(type(module), "call", None), "__code__", _NO_CODE).co_names
            ):
                return True
            if hasattr(module, "weight_regularizers") and next(module.weight_regularizers(), None):
                return True
        return False

    def weight_regularizers(self) -> Iterator[tuple[Tensor, Any]]:
        """This layer's own weights that have a regularizer, with it (those made by
        `add_weight(regularizer=...)`; `Dense` adds its kernel's and bias's)."""
        for _, value in self._members():
            if isinstance(value, Variable) and value.regularizer is not None:
                yield value, value.regularizer

    @property
    def trainable(self) -> bool:
        """Whether `fit` updates this layer's weights (True unless set otherwise)."""
        return self.__dict__.get("_trainable", True)

    @trainable.setter
    def trainable(self, value: bool) -> None:
        value = check_bool(type(self).__name__, "trainable", value)
        for module in self.modules():  # type: ignore[attr-defined]
            if isinstance(module, LayerWeights):
                object.__setattr__(module, "_trainable", value)
            for _, p in module._members():
                if isinstance(p, Parameter) and _made_trainable(p):
                    p.requires_grad = value

    @property
    def weights(self) -> list[Tensor]:
        """Every weight (and buffer, as BatchNorm's statistics), in Keras's order."""
        return list(weights.weight_tensors(self).values())  # type: ignore[arg-type]

    @property
    def trainable_weights(self) -> list[Tensor]:
        """The weights `fit` updates."""
        return [w for w in self.weights if w.requires_grad]

    @property
    def non_trainable_weights(self) -> list[Tensor]:
        """The weights `fit` leaves alone (frozen ones, buffers)."""
        return [w for w in self.weights if not w.requires_grad]

    @property
    def variables(self) -> list[Tensor]:
        """Keras's other name for `weights` (`[(v.name, v.trainable) for v in
        bn.variables]` lists BatchNormalization's gamma, beta and moving statistics)."""
        return self.weights

    @property
    def trainable_variables(self) -> list[Tensor]:
        """Keras's other name for `trainable_weights`."""
        return self.trainable_weights

    @property
    def non_trainable_variables(self) -> list[Tensor]:
        """Keras's other name for `non_trainable_weights`."""
        return self.non_trainable_weights

    def count_params(self) -> int:
        """The number of scalars in the weights, trainable or not (Keras's count)."""
        return weights.count_params(self)  # type: ignore[arg-type]

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weights as arrays, in the order of `weights`."""
        return weights.get_weights(self)  # type: ignore[arg-type]

    def set_weights(self, arrays: Sequence[Any]) -> None:
        """Copy arrays, as `get_weights` returns them, into the weights."""
        weights.set_weights(self, list(arrays))  # type: ignore[arg-type]

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if hasattr(type(self), "call"):  # a Keras layer's sub-layers run in its mode
            for _, member in _walk(name, value):
                if isinstance(member, Module):
                    member.train(self.training)  # type: ignore[attr-defined]

    def _members(self) -> Iterator[tuple[str, Any]]:
        """The Module's members with the weights made by `add_weight` first, those made
        trainable before the others, as Keras lists a layer's own weights before its
        sub-layers'."""
        members = list(super()._members())  # type: ignore[misc]
        made = [m for m in members if isinstance(m[1], Variable)]
        yield from (m for m in made if _made_trainable(m[1]))
        yield from (m for m in made if not _made_trainable(m[1]))
        yield from (m for m in members if not isinstance(m[1], Variable))


def _weight_shape(shape: Any) -> tuple[int, ...]:
    if shape is None:
        return ()
    if isinstance(shape, (list, tuple)) and all(
        isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 0 for n in shape
    ):
        return tuple(int(n) for n in shape)
    raise ValueError(
        f"add_weight: shape must be a tuple of non-negative ints, e.g. (input_dim, units), "
        f"got {shape!r}"
    )


def _keras_draw(fill: init.Initializer, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """`fill` applied with Keras's fans: `nn.init` reads PyTorch's layout (out, in,
    *kernel), Keras's kernels are (*kernel, in, out), so a weight of two or more axes is
    drawn in PyTorch's layout and its axes are put in Keras's order."""
    if len(shape) < 2:
        return fill(Parameter(np.zeros(shape or (1,), dtype))).data.reshape(shape)
    torch_shape = (shape[-1], shape[-2], *shape[:-2])
    drawn = fill(Parameter(np.zeros(torch_shape, dtype))).data
    return np.transpose(drawn, (*range(2, len(shape)), 1, 0))


def init_layer(
    layer: Module,
    name: str | None = None,
    trainable: bool = True,
    dtype: npt.DTypeLike | None = None,
    **kwargs: Any,
) -> None:
    """Keras's layer arguments, checked and kept: `name` (shown by `summary`),
    `trainable`, `dtype` (of the weights `add_weight` makes), `activity_regularizer`
    and, for the first layer of a `Sequential`, `input_shape` or `input_dim`.

    Raises:
        TypeError: a name that is not a non-empty string, or a non-bool `trainable`.
        ValueError: a name holding "/", or an argument Keras's layers do not take.
    """
    owner = type(layer).__name__
    if name is not None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"{owner}: name must be a non-empty str, got {name!r}")
        if "/" in name:
            raise ValueError(f"{owner}: name cannot contain '/', got {name!r}")
    layer.name = default_name(layer, name)
    layer.trainable = check_bool(owner, "trainable", trainable)
    layer.dtype = float_dtype(owner, dtype)
    input_shape, input_dim = kwargs.pop("input_shape", None), kwargs.pop("input_dim", None)
    activity = regularizers.get(kwargs.pop("activity_regularizer", None), "activity_regularizer")
    object.__setattr__(layer, "activity_regularizer", activity)
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments passed to {owner}: {kwargs}")
    if input_shape is not None or input_dim is not None:
        from nn.layers import sample_shape  # here: nn.layers re-exports Layer

        layer.input_shape = sample_shape(layer, input_shape, input_dim)


def float_dtype(owner: str, dtype: npt.DTypeLike | None) -> str:
    """The name of a layer's dtype (the default float dtype when None), checked.

    Raises:
        ValueError: not a dtype.
    """
    try:
        return np.dtype(dtype or get_default_dtype()).name
    except TypeError:
        raise ValueError(f"{owner}: dtype must be a float dtype name, got {dtype!r}") from None


@cache
def _takes_training(call: Any) -> bool:
    """Keras's rule: `training` is passed to a `call` that names it."""
    return "training" in inspect.signature(call).parameters


@cache
def _trains_by_default(call: Any) -> bool:
    """Whether `call` declares `training=True`: such a layer (a random augmentation)
    trains when called without `training` and nothing around it asked for a mode."""
    parameter = inspect.signature(call).parameters.get("training")
    return parameter is not None and parameter.default is True


def autocast(value: Any, dtype: npt.DTypeLike | None = None, tensors: bool = True) -> Any:
    """Keras's conversion of a layer's inputs: arrays (also in lists, tuples and dicts)
    become Tensors, and the floating ones take `dtype`, the layer's compute dtype (the
    default float dtype, float32, when None): Keras's autocast. Integer and bool inputs
    keep their dtype, as in Keras.

    A floating Tensor is cast too, in the graph (`astype`), so one that requires grad
    gets its gradient back, as a Keras variable does; unless `tensors` is False, for
    the layers PyTorch has too (`Flatten`, `Dropout`), which keep a Tensor's dtype as
    torch does and convert arrays only (torch takes no arrays).
    """
    target = np.dtype(dtype or get_default_dtype())
    if isinstance(value, Tensor):
        return _cast(value, target) if tensors else value
    if isinstance(value, np.ndarray):
        return Tensor(value.astype(target, copy=False) if value.dtype.kind == "f" else value)
    if isinstance(value, (list, tuple)):
        return type(value)(autocast(v, target, tensors) for v in value)
    if isinstance(value, dict):
        return {k: autocast(v, target, tensors) for k, v in value.items()}
    return value


def _cast(tensor: Tensor, dtype: np.dtype) -> Tensor:
    """A floating Tensor in `dtype` (the same Tensor when it is already)."""
    if tensor.dtype.kind == "f" and tensor.dtype != dtype:
        return tensor.astype(dtype)
    return tensor


def shapes_of(value: Any) -> Any:
    """The shape of an input as `build` gets it: a tuple, or a list / dict of them."""
    if isinstance(value, (list, tuple)) and not all(isinstance(n, int) for n in value):
        return [shapes_of(v) for v in value]
    if isinstance(value, dict):
        return {k: shapes_of(v) for k, v in value.items()}
    return tuple(np.shape(value.data if isinstance(value, Tensor) else value))


def run_call(layer: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Keras's `Layer.__call__`: build once from the first input's shape, then `call`,
    with `training` passed when `call` takes it (the one given; else the layer's mode,
    except that a `call` declaring `training=True` gets True when nothing around it asked
    for a mode: `training_asked()` is None; Keras's random augmentation layers are such)
    and the sub-modules in that mode for the call (they are in the layer's own mode:
    fit and evaluate set the mode of the whole model, and a layer gives its mode to
    the sub-layers assigned to it)."""
    args = autocast(args, layer.dtype)
    kwargs = autocast(kwargs, layer.dtype)
    given = kwargs.pop("training", None)
    if given is not None:
        training = bool(given)
    elif training_asked() is None and _trains_by_default(type(layer).call):
        training = True  # Keras: nothing asked, so the call's own default
    else:
        training = layer.training
    if layer.__dict__.get("built") is False:
        first = args[0] if args else next(iter(kwargs.values()), None)
        shape = shapes_of(first)
        object.__setattr__(layer, "build_input_shape", shape)  # for `save`, as Keras's
        layer.build(shape)
        layer.built = True
    if _takes_training(type(layer).call):
        kwargs["training"] = training
    layer.__dict__.pop("_added_losses", None)  # this call's `add_loss` replace the last's
    _KERAS_CALLS[0] += 1
    try:
        if training == layer.training and (given is None or training_asked() is training):
            # its sub-layers are in its mode (LayerWeights.__setattr__)
            outputs = layer.call(*args, **kwargs)
        else:
            with training_mode(layer, training):
                outputs = layer.call(*args, **kwargs)
    finally:
        _KERAS_CALLS[0] -= 1
    record_activity(layer, outputs)
    return outputs


_KERAS_CALLS = [0]  # how many Keras `call`s are running (nested layers)


def in_keras_call() -> bool:
    """Whether a Keras layer's or model's `call` is running: a layer PyTorch has too
    (`Embedding`) then follows Keras's rules for its inputs."""
    return _KERAS_CALLS[0] > 0


def record_activity(layer: Any, outputs: Any) -> None:
    """Keep the activity penalties of this call for `losses` (they replace the last
    call's), when the layer has an `activity_regularizer`."""
    regularizer = layer.__dict__.get("activity_regularizer")
    if regularizer is not None:
        penalties = regularizers.activity_penalties(regularizer, outputs)
        object.__setattr__(layer, "_activity_losses", penalties)


class Layer(LayerWeights, Module):
    """Keras's base layer: subclass it, make weights in `build`, compute in `call`.

    Args:
        name: the layer's name, shown by `summary` (numbered by class otherwise).
        trainable: whether `fit` updates the layer's weights.
        dtype: the dtype of the weights `add_weight` makes (the default float dtype,
            float32, otherwise).
        input_shape, input_dim: the shape of one sample, for the first layer of a
            `Sequential` (keyword arguments, as Keras's).
        activity_regularizer: a penalty on the layer's output, divided by the batch
            size, added to the loss by `fit` (see `losses` and `nn.regularizers`).

    Attributes:
        built: whether `build` has run (it runs at the first call).

    Raises:
        ValueError: a keyword argument Keras's layers do not take.

    Example:
        >>> import numpy as np, nn
        >>> class Scale(nn.Layer):
        ...     def build(self, input_shape):
        ...         self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones")
        ...
        ...     def call(self, inputs):
        ...         return inputs * self.scale
        >>> layer = Scale()
        >>> layer(np.ones((2, 3), dtype=np.float32)).shape, layer.count_params()
        ((2, 3), 3)
    """

    name: str | None
    built: bool

    def __init__(
        self,
        *,
        name: str | None = None,
        trainable: bool = True,
        dtype: npt.DTypeLike | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        object.__setattr__(self, "training", False)  # Keras: inference unless training
        init_layer(self, name, trainable, dtype, **kwargs)
        self.built = False

    def build(self, input_shape: Any) -> None:
        """Make the weights for inputs of `input_shape` (batch axis included); runs
        once, before the first `call`. Override it; this one makes none."""
        self.built = True

    def call(self, *args: Any, **kwargs: Any) -> Any:
        """The layer's computation; every subclass defines it."""
        raise NotImplementedError(
            f"Layer {type(self).__name__} does not have a call method implemented: "
            "define call(self, inputs) in it"
        )

    def compute_mask(self, inputs: Any, previous_mask: Any) -> Any:
        """Keras's `compute_mask`: the mask of the outputs, given the inputs and their
        mask (`nn.masking`); this one passes the mask on. A subclass that defines its
        own supports masking, as in Keras, and so does one that sets
        `supports_masking = True`."""
        return previous_mask

    def get_config(self) -> dict[str, Any]:
        """The arguments that rebuild the layer (`name`, `trainable`, `dtype`); a subclass
        with arguments of its own adds them to `super().get_config()`, as in Keras."""
        return {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        """A new layer made from `get_config()`'s dict: `cls(**config)`."""
        return cls(**config)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return run_call(self, args, kwargs)

    def extra_repr(self) -> str:
        return "" if self.name is None else f"name={self.name!r}"
