"""Keras-style training: `Model` gives `compile`, `fit`, `evaluate`, `predict` and `summary`.

`nn.Sequential` is a `Model`, and `nn.Model(module)` wraps any other Module with the
same methods. One training step is the loop every lesson writes by hand::

    out = model(xb)                 # forward, recording the graph
    loss = loss_fn(out, yb)         # (a Keras loss object takes the targets first)
    optimizer.zero_grad()
    loss.backward()                 # gradients into every parameter's .grad
    optimizer.step()                # update the parameters in place

`fit` runs it over shuffled mini-batches for some epochs and keeps running means of
the loss and the metrics, computed with numpy from the arrays the step already has.

`fit`, `evaluate` (and the `val_loss` of `fit`) run exactly that code, so they report
the same numbers for the same weights and data. Like Keras, none of them takes the log
of a softmax output: the softmax layer remembers its logits and a Keras crossentropy
scores those (`nn.softmax_logits`), so the same shortcut serves a hand-written loop.
"""

from __future__ import annotations

import math
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

import optim
from autograd import Tensor, get_default_dtype, no_grad
from autograd.checks import check_bool, check_int, check_real
from nn import functional as F
from nn import losses, weights
from nn import metrics as metrics_mod
from nn import optimizers as keras_optim
from nn import weighted_metrics as weighted_mod
from nn.callbacks import Callback, CallbackList, History
from nn.custom_steps import (
    CompileMetrics,
    TrainSteps,
    keep_results,
    new_loss_tracker,
    overrides,
    step_data,
    step_logs,
)
from nn.data import (
    DataLoader,
    as_inputs,
    as_targets,
    check_lengths,
    split_validation,
    validation_pair,
)
from nn.dense_stack import DenseStackStep
from nn.fit_data import (
    EpochBatches,
    WeightedLoader,
    check_validation_freq,
    first_batches,
    sample_weights,
    should_validate,
    weighted_loss,
)
from nn.fit_sources import SourceBatches, check_arguments, is_source
from nn.functional_data import pack_call_inputs, pack_targets, unpack_call_inputs
from nn.layer import LayerWeights, init_layer, run_call
from nn.module import Module, training_mode
from nn.multi_output import (
    OutputLosses,
    call_output_names,
    flat_outputs,
    in_keras_order,
    leaves,
    on_logits,
    rebuild,
    resolve_outputs,
    side_by_side,
)
from nn.progress import EpochLines, summary_line
from nn.summary import format_summary
from nn.symbolic import KerasTensor

ArrayLike = npt.ArrayLike | Tensor

_TARGET_HINT = (
    "use 'sparse_categorical_crossentropy' for integer labels (N,), "
    "'categorical_crossentropy' for one-hot rows (N, C) (nn.functional.one_hot makes "
    "them), 'binary_crossentropy' for 0/1 targets with one sigmoid output, 'mse' for "
    "regression"
)


@dataclass
class _Compiled:
    """What `compile` was given, resolved (kept out of the Module's attribute walk)."""

    optimizer_spec: Any
    optimizer_options: dict[str, Any]
    loss: Callable[..., Tensor]
    loss_name: str
    metrics: list[tuple[str, metrics_mod.MetricFn]] = field(default_factory=list)
    optimizer: optim.Optimizer | None = None
    weighted_metrics: list[tuple[str, metrics_mod.Metric]] = field(default_factory=list)
    per_output: bool = False  # compile's loss was given per output
    arguments: dict[str, Any] = field(default_factory=dict)  # as given to compile
    built: bool = False  # a fit or evaluate ran since compile (Keras's built loss, metrics)
    loss_tracker: Any = field(default_factory=new_loss_tracker)  # Keras's Mean "loss"
    compile_metrics: CompileMetrics | None = None  # the metrics as one Metric, for the steps


class Model(TrainSteps, LayerWeights, Module):
    """A Module that can be trained the Keras way: `compile`, then `fit`.

    Subclasses write `forward` (`nn.Sequential`) or, as in Keras, `call(inputs,
    training=None)` with layers made in `__init__` (see `nn.Layer`: such a model
    starts in inference mode, `fit` calls it with `training=True`); `Model(module)`
    wraps an existing Module (an `nn.MLP`, your own class) and forwards to it, so its
    parameters are named `module.<name>`. Keras's `weights`, `trainable_weights`,
    `trainable`, `add_weight`, ... come from `nn.layer.LayerWeights`.

    Args:
        module: the network to wrap, or None when subclassing.
        **kwargs: Keras's `name`, `trainable` and `dtype`.

    Example:
        >>> import nn
        >>> from nn import datasets
        >>> X, y = datasets.logic_gate("xor")
        >>> model = nn.Model(nn.MLP([2, 8, 2], activation="tanh"))
        >>> model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
        >>> history = model.fit(X, y, epochs=3, batch_size=4, verbose=0)
        >>> sorted(history.history), len(history.history["loss"])
        (['accuracy', 'loss'], 3)
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        # Keras's functional API: Model(inputs, outputs) builds a graph model
        if cls is Model and (
            {"inputs", "outputs"} & kwargs.keys()
            or len(args) > 1
            or (args and isinstance(args[0], (KerasTensor, list, tuple, dict)))
        ):
            from nn.functional_model import Functional

            return super().__new__(Functional)
        if _functional_arguments(args, kwargs) and not _is_functional(cls):
            # Keras's subclass of Model built the functional way: CustomModel(inputs,
            # outputs) is a functional model with the subclass's methods (train_step)
            return super().__new__(_functional_subclass(cls))
        return super().__new__(cls)

    def __init__(self, module: Module | None = None, **kwargs: Any) -> None:
        super().__init__()
        init_layer(self, **kwargs)
        if hasattr(type(self), "call"):  # written the Keras way
            object.__setattr__(self, "training", False)
            if type(self).build is not Model.build:  # its own build, run at the first call
                self.built = False
        if module is not None:
            if not isinstance(module, Module):
                raise TypeError(f"Model wraps a Module, got {type(module).__name__}")
            self.module = module

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        layout = self.__dict__.get("_input_layout")
        if layout is not None and len(args) == 1 and _is_records(args[0]):  # fit's batches
            args = (unpack_call_inputs(layout, args[0]),)
        if hasattr(type(self), "call"):
            result = run_call(self, args, kwargs)
        else:
            module = self.__dict__.get("module")
            if module is None:
                raise NotImplementedError(
                    f"{type(self).__name__} has no forward: subclass Model and define call "
                    "(or forward), or wrap a module with nn.Model(module)"
                )
            result = module(*args, **kwargs)
        if self.__dict__.get("_side_by_side") and isinstance(result, (list, tuple, Mapping)):
            return side_by_side(self, flat_outputs(result))
        return result

    def compile(
        self,
        optimizer: str | optim.Optimizer | type[optim.Optimizer] | Callable[..., Any] = "rmsprop",
        loss: str | Callable[..., Tensor] | None = None,
        metrics: Sequence[str | metrics_mod.MetricFn] | str | None = None,
        *,
        loss_weights: Any = None,
        weighted_metrics: Sequence[str | metrics_mod.MetricFn] | None = None,
        run_eagerly: bool = False,
        steps_per_execution: int = 1,
        jit_compile: bool | str = "auto",
        auto_scale_loss: bool = True,
        **optimizer_options: Any,
    ) -> None:
        """Choose the optimizer, the loss and the metrics for `fit` and `evaluate`.

        A model whose `call` returns several outputs (a list or tuple) takes, as
        Keras's, one loss for all or one per output (a list), `loss_weights` (the
        factors of each output's loss in the total) and metrics as a list with one
        entry per output; they are matched to the outputs at the first `fit` or
        `evaluate` (see `nn.multi_output`). Called again, as Keras 3's, it keeps the
        last loss (and loss_weights) when `loss` is None, and the last metrics when
        neither `metrics` nor `weighted_metrics` is given.

        Args:
            optimizer: a Keras name ("rmsprop", the default, "sgd", "adam", ... see
                `nn.optimizers.OPTIMIZERS`), meaning that `nn.optimizers` class with
                Keras's defaults; an `nn.optimizers` optimizer or class; the name of
                a torch-style optimizer Keras lacks ("momentum", "nag", "radam", see
                `optim.OPTIMIZERS`); an `optim.Optimizer` class; a function of the
                parameters returning an optimizer; or an `optim.Optimizer` already
                made on this model's parameters.
            loss: a name ("mse", "mae", "binary_crossentropy", "categorical_crossentropy",
                "sparse_categorical_crossentropy", ... see `nn.losses.LOSSES`), a
                PyTorch loss Module (prediction first), a Keras loss object
                (`nn.losses.SparseCategoricalCrossentropy`, an `nn.losses.Loss`; targets
                first), or a function `loss(y_true, y_pred) -> Tensor` (targets first,
                as Keras).
            metrics: names ("accuracy" or "acc", "mae", "mse", "auc", "precision",
                ... see `nn.metrics`), functions `metric(y_true, y_pred) -> float` on
                ndarrays, or `nn.metrics.Metric` objects; not weighted.
            weighted_metrics: the same kinds, weighted by `sample_weight` or
                `class_weight` in `fit` and `evaluate` (Keras's `weighted_metrics`;
                reported as `weighted_<name>` where an unweighted metric has the name);
                for several named outputs, per output as `metrics` (`<output>_<name>`).
            loss_weights: for several outputs, a list of factors (default 1 each).
            run_eagerly, steps_per_execution, jit_compile, auto_scale_loss: Keras's
                options of how the steps are compiled and scaled, taken so Keras code
                runs; they change nothing here, where every step runs eagerly, one
                batch at a time, with unscaled losses.
            **optimizer_options: passed to the optimizer's constructor
                (`learning_rate=0.01` or `lr=0.01`).

        Raises:
            ValueError: an unknown optimizer, loss or metric name, or no loss.
        """
        loss, loss_weights, metrics, weighted_metrics = self._kept_from_last_compile(
            loss, loss_weights, metrics, weighted_metrics
        )
        check_bool("compile", "run_eagerly", run_eagerly)
        check_int("compile", "steps_per_execution", steps_per_execution, minimum=1)
        check_bool("compile", "auto_scale_loss", auto_scale_loss)
        if jit_compile != "auto":
            check_bool("compile", "jit_compile", jit_compile)
        several = (
            isinstance(loss, (list, tuple, Mapping))
            or _given_per_output(metrics)
            or _given_per_output(weighted_metrics)
            or loss_weights is not None
        )
        if several:  # the outputs are known at the first call: see `_output_fields`
            given = list(loss.values()) if isinstance(loss, Mapping) else loss
            given = given if isinstance(given, (list, tuple)) else [given]
            for item in given:
                if item is not None:
                    losses.get(item)  # an unknown name fails here, as for one output
            first = next((item for item in given if item is not None), None)
            self._compile(optimizer, first, None, None, optimizer_options)
        else:
            self._compile(optimizer, loss, metrics, weighted_metrics, optimizer_options)
        self._compiled.per_output = several
        self._compiled.arguments = {
            "optimizer": optimizer,
            "loss": loss,
            "metrics": metrics,
            "loss_weights": loss_weights,
            "weighted_metrics": weighted_metrics,
            "options": optimizer_options,
        }

    def _kept_from_last_compile(
        self, loss: Any, loss_weights: Any, metrics: Any, weighted_metrics: Any
    ) -> tuple[Any, Any, Any, Any]:
        """Keras 3's `compile` again: without a loss, the last compile's loss (and its
        loss_weights) stays; without metrics nor weighted_metrics, its metrics stay
        (so `compile(optimizer=...)` changes only the optimizer)."""
        previous = self.__dict__.get("_compiled")
        if previous is None or not previous.arguments:
            return loss, loss_weights, metrics, weighted_metrics
        given = previous.arguments
        if loss is None:
            loss, loss_weights = given["loss"], given["loss_weights"]
        if metrics is None and weighted_metrics is None:
            metrics, weighted_metrics = given["metrics"], given["weighted_metrics"]
        return loss, loss_weights, metrics, weighted_metrics

    def _compile(
        self,
        optimizer: Any,
        loss: Any,
        metrics: Any,
        weighted_metrics: Any,
        optimizer_options: dict[str, Any],
    ) -> None:
        optimizer, optimizer_options = _keras_optimizer(optimizer, optimizer_options)
        if isinstance(optimizer, optim.Optimizer) and not isinstance(
            optimizer, keras_optim.Optimizer
        ):
            if optimizer_options:
                raise TypeError("compile: options cannot be given with an already built optimizer")
            _check_covers(optimizer, self)
        loss_fn = losses.NoLoss() if loss is None else losses.get(loss)
        resolved = metrics_mod.resolve(metrics or [], logits=on_logits(loss_fn))
        weighted = weighted_mod.resolve(weighted_metrics, logits=on_logits(loss_fn))
        name = loss if isinstance(loss, str) else getattr(loss, "__name__", type(loss).__name__)
        compiled = _Compiled(optimizer, optimizer_options, loss_fn, name, resolved)
        compiled.weighted_metrics = weighted
        if resolved or weighted:
            compiled.compile_metrics = CompileMetrics(resolved, weighted)
        object.__setattr__(self, "_compiled", compiled)
        object.__setattr__(self, "stop_training", False)
        if not _unbuilt(self) and any(True for _ in self.parameters()):
            self._make_optimizer()

    @property
    def optimizer(self) -> optim.Optimizer | None:
        """The optimizer (None until the model is built, when layers are built lazily)."""
        compiled = self.__dict__.get("_compiled")
        return None if compiled is None else compiled.optimizer

    @property
    def loss(self) -> Any:
        """The loss as given to `compile` (a name, a function, a loss object, or one
        per output), as Keras's `model.loss`; None before `compile`."""
        compiled = self.__dict__.get("_compiled")
        return None if compiled is None else compiled.arguments.get("loss", compiled.loss)

    @property
    def metrics_names(self) -> list[str]:
        """ "loss" then the compiled metrics' names, the order `evaluate` returns."""
        compiled = self._require_compiled("metrics_names")
        return ["loss", *_report_names(compiled)]

    def _result_order(self) -> list[str]:
        """The order of `evaluate`'s list: Keras's for several outputs, else
        `metrics_names`."""
        order = getattr(self._compiled.loss, "keras_order", None)
        return list(order) if order else self.metrics_names

    def _require_compiled(self, caller: str) -> _Compiled:
        compiled = self.__dict__.get("_compiled")
        if compiled is None:  # a ValueError, as Keras raises it
            raise ValueError(
                f"{caller}: the model is not compiled; call "
                "model.compile(optimizer=..., loss=..., metrics=[...]) first"
            )
        return compiled

    def _make_optimizer(self) -> optim.Optimizer:
        compiled = self._compiled
        if compiled.optimizer is None:
            spec, options = compiled.optimizer_spec, compiled.optimizer_options
            params = [p for p in self.parameters() if p.requires_grad]  # Keras's trainable
            if not params:
                raise ValueError(
                    f"{type(self).__name__} has no parameters to train (none, or all frozen: "
                    "set trainable = True on a layer to train it)"
                )
            if isinstance(spec, keras_optim.Optimizer):
                spec.build(params)
                compiled.optimizer = spec
            elif callable(spec) and not isinstance(spec, type):  # a factory of the params
                compiled.optimizer = spec(params, **options)
            else:
                compiled.optimizer = optim.get(spec, params, **options)
        return compiled.optimizer

    def save_weights(self, path: str | os.PathLike) -> None:
        """Write the weights to an `.npz` file (atomically, no pickle)."""
        weights.save_weights(self, path)

    def load_weights(self, path: str | os.PathLike) -> None:
        """Read weights written by `save_weights` (or `save`) into this model."""
        weights.load_weights(self, path)

    def save(self, path: str | os.PathLike) -> None:
        """Write the architecture, weights, compile settings and optimizer state to one
        `.npz` file (no pickle, atomic); `nn.load_model(path)` rebuilds the model.

        Raises:
            ValueError: a layer that `nn.saving` cannot describe (a custom Module):
                use `save_weights` then.
        """
        from nn.saving import save_model

        save_model(self, path)

    def get_config(self) -> dict[str, Any]:
        """Keras's description of the architecture (the `config` that `model.save`
        writes): `from_config` makes the same model with new weights.

        Raises:
            ValueError: a layer that `nn.saving` cannot describe.
        """
        from nn.saving import layer_config

        return layer_config(self)["config"]

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Model:
        """The model `get_config` described, with new weights (Keras's classmethod:
        `nn.Sequential.from_config(config)`, `nn.Model.from_config(config)` for a
        functional model)."""
        from nn.functional_model import Functional
        from nn.saving import from_layer_config

        if not isinstance(config, dict):
            raise TypeError(f"from_config: config must be a dict, got {type(config).__name__}")
        name = cls.__name__
        if cls is Model and "calls" in config:  # Keras's Model.from_config of a graph
            name = Functional.__name__
        model = from_layer_config({"class_name": name, "config": config})
        return model  # type: ignore[return-value]

    def build(self, input_shape: Sequence[int | None]) -> None:
        """Create lazily built weights by running one sample of `input_shape` through.

        Args:
            input_shape: the input shape with the batch axis first, as Keras:
                `(None, 784)`; a 1-tuple `(784,)` is taken as the shape of one sample.
        """
        shape = tuple(input_shape)
        sample = shape if len(shape) == 1 else shape[1:]
        if not all(isinstance(n, (int, np.integer)) and n > 0 for n in sample):
            raise ValueError(f"build: input_shape must be like (None, 784), got {input_shape}")
        self._check_not_empty("build")
        self._probe(np.zeros((1, *sample), dtype=get_default_dtype()))

    @contextmanager
    def _inference(self, x: np.ndarray) -> Iterator[None]:
        """Eval mode without a graph for the block, then each module's previous mode
        again. Remembers the sample shape of `x` for `summary` (and the fields of a
        record array, several inputs, as `_input_dtype`)."""
        object.__setattr__(self, "_input_shape", tuple(x.shape[1:]))
        object.__setattr__(self, "_input_dtype", x.dtype if _is_records(x) else None)
        with training_mode(self, False), no_grad():
            yield

    def _probe(self, x: np.ndarray) -> Any:
        """Run `x` through in eval mode without a graph (builds lazy layers)."""
        with self._inference(x):
            return self(x if _is_records(x) else Tensor(x))

    def _check_not_empty(self, caller: str) -> None:
        if hasattr(self, "__len__") and len(self) == 0:
            raise ValueError(
                f"{caller}: {type(self).__name__} is empty; add layers first "
                "(model.add(nn.Dense(10, activation='softmax')))"
            )

    def fit(
        self,
        x: ArrayLike,
        y: ArrayLike | None = None,
        epochs: int = 1,
        batch_size: int | None = 32,
        validation_split: float = 0.0,
        validation_data: tuple[ArrayLike, ArrayLike] | None = None,
        shuffle: bool = True,
        verbose: int | str = 1,
        callbacks: Sequence[Callback] | None = None,
        seed: int | None = None,
        class_weight: dict[int, float] | None = None,
        sample_weight: ArrayLike | None = None,
        initial_epoch: int = 0,
        steps_per_epoch: int | None = None,
        validation_steps: int | None = None,
        validation_batch_size: int | None = None,
        validation_freq: int | Sequence[int] = 1,
    ) -> History:
        """Train for `epochs` passes over `(x, y)` in mini-batches.

        Args:
            x: inputs (N, ...); integer arrays (uint8 pixels) are cast to float32. A
                model with several inputs takes a list or tuple of arrays (or a dict),
                as its `call` takes them. Or, as Keras 3, a source of whole batches
                `(x, y)` or `(x, y, sample_weight)`: a Python generator, an
                `nn.utils.PyDataset`, a `DataLoader` or an `nn.utils.StreamDataset`
                (what `timeseries_dataset_from_array` and the like return) (`y` and
                `sample_weight` are then not given, `batch_size` is unused; see
                `nn.fit_sources`).
            y: targets (N, ...) suited to the loss (class labels, one-hot rows, values);
                for several outputs, a list or tuple with one array per output. None
                for a model compiled without a loss (its layers add theirs with
                `add_loss`) and without metrics.
            epochs: number of passes over the data.
            batch_size: samples per optimizer step (the last batch may be smaller);
                None is 32, as Keras's.
            validation_split: fraction of the data held out for validation, taken
                from the END of `x` and `y` before any shuffling, as Keras does.
            validation_data: `(x_val, y_val)` to evaluate after each epoch (overrides
                `validation_split`), or a source of batches as `x` can be.
            shuffle: shuffle the training samples at every epoch.
            verbose: 0 silent, 1 a progress bar per epoch, 2 Keras's lines (`Epoch
                2/5`, then `10/10 - 1s - 12ms/step - logs` once the epoch's callbacks
                ran; see `nn.progress`); "auto" is 1, as in Keras.
            callbacks: `nn.callbacks.Callback` objects (EarlyStopping, ...).
            seed: seed of the shuffling order.
            class_weight: `{class: weight}`, each training sample's loss weighted by
                its class's weight (see `nn.fit_data`).
            sample_weight: one weight per sample (N,) for its loss: the batch loss
                is sum(w * loss) / batch size, as Keras's.
            initial_epoch: the epoch to start at (to resume a run): epochs
                `initial_epoch .. epochs - 1` run, numbered so in the callbacks and
                `History.epoch`.
            steps_per_epoch: batches per epoch; the pass over the data goes on in
                the next epoch (see `nn.fit_data`).
            validation_steps: batches of the validation data to evaluate (all by
                default).
            validation_batch_size: batch size of validation (`batch_size` by default).
            validation_freq: validate every n epochs (an int), or after the epochs
                listed (counted from 1).

        Returns:
            A `History` (also kept as `model.history`).

        Raises:
            ValueError: the model is not compiled (as Keras), x and y of different
                lengths, targets that do not suit the loss,
                an empty model, or a bad `validation_split`.
        """
        if is_source(x):  # a generator, PyDataset, DataLoader or dataset (`nn.fit_sources`)
            self._require_compiled("fit")
            self._check_not_empty("fit")
            options = (epochs, validation_split, shuffle, initial_epoch, validation_freq)
            verbose = _check_fit_options(
                *options, verbose, (steps_per_epoch, validation_steps, validation_batch_size)
            )
            check_arguments(x, y, sample_weight, class_weight, shuffle, validation_split)
            return self._fit_source(
                x,
                validation_data,
                (epochs, initial_epoch, verbose, callbacks, validation_freq),
                steps_per_epoch,
                validation_steps,
                _batch_size("fit", validation_batch_size or batch_size),
                class_weight,
                shuffle,
            )
        x, y, validation_data, fields = self._structured("fit", x, y, validation_data)
        with self._outputs_side_by_side(fields):
            compiled = self._require_compiled("fit")
            self._check_not_empty("fit")
            batch_size = _batch_size("fit", batch_size)
            verbose = _check_fit_options(
                epochs,
                validation_split,
                shuffle,
                initial_epoch,
                validation_freq,
                verbose,
                (steps_per_epoch, validation_steps, validation_batch_size),
            )
            x = as_inputs(x)
            y = _targets("fit", y, len(x), compiled)
            check_lengths(x, y)
            _check_samples("fit", x)
            compiled.built = True
            weights_ = sample_weights("fit", y, sample_weight, class_weight)
            val_source = validation_data if is_source(validation_data) else None
            if val_source is not None:  # batches of a generator, a dataset, ...
                val, val_weights = None, None
            elif validation_data is not None:
                val, val_weights = _validation_arrays(validation_data)
            elif validation_split:
                val_weights = None
                x, y, val = split_validation(x, y, validation_split)
                if weights_ is not None:  # split as the data (class weights: training only)
                    weights_, held_out = weights_[: len(x)], weights_[len(x) :]
                    val_weights = held_out if sample_weight is not None else None
            else:
                val, val_weights = None, None
            if overrides(self, "train") and not _unbuilt(self):
                # Keras calls neither the model nor the loss before a train_step of its
                # own (a GAN has no `call`): the batches reach it as they are given
                self._make_optimizer()
            else:
                y, val = self._prepare_targets(x[:batch_size], y, val, compiled)
            loader = WeightedLoader(
                x, y, weights_, batch_size=batch_size, shuffle=shuffle, seed=seed
            )
            batches = EpochBatches(loader, steps_per_epoch)
            validate = None
            if val_source is not None:
                validate = self._source_validation(
                    val_source, validation_steps, x[:batch_size], fields
                )
            elif val is not None:
                val_size = validation_batch_size or batch_size

                def validate(hooks: CallbackList) -> dict[str, float]:
                    return self._scores(*val, val_size, val_weights, validation_steps, hooks)

            return self._epochs(
                batches, validate, epochs, initial_epoch, verbose, callbacks, validation_freq
            )

    def _prepare_targets(
        self, x0: np.ndarray, y: np.ndarray, val: Any, compiled: _Compiled
    ) -> tuple[np.ndarray, Any]:
        """`fit`'s first call of the model (on `x0`, building it) and its checks of the
        targets against the loss; the targets shaped as the output, and integer labels
        of the sparse crossentropy checked once and stored unsigned (the loss then
        needs no bounds pass of its own per batch). Returns y and the validation pair."""
        out = self._probe(x0)
        y = output_shaped(y, out)  # Keras matches labels (N,) to one output column (N, 1)
        if val is not None:
            val = (val[0], output_shaped(val[1], out))
        self._check_targets(out, y[: len(x0)], compiled)
        self._make_optimizer()
        if isinstance(compiled.loss, losses.SparseCategoricalCrossentropy) and out.ndim == 2:
            classes = out.shape[-1]  # (uint8 for up to 256 classes)
            y = F.class_indices(compiled.loss_name, y, classes).reshape(len(y))
            y = y.astype(np.min_scalar_type(classes - 1))
        return y, val

    def _epochs(
        self,
        batches: EpochBatches | SourceBatches,
        validate: Callable[[CallbackList], dict[str, float]] | None,
        epochs: int,
        initial_epoch: int,
        verbose: int,
        callbacks: Sequence[Callback] | None,
        validation_freq: Any,
    ) -> History:
        """`fit`'s epochs over `batches`, with the callbacks, the progress lines and the
        validation (`validate(hooks)`, the scores) after the epochs `validation_freq` picks."""
        compiled = self._compiled
        steps = batches.num_batches if isinstance(batches, SourceBatches) else len(batches)
        history = History()
        object.__setattr__(self, "history", history)
        printer = [EpochLines()] if verbose == 2 else []  # last, as Keras's ProgbarLogger
        hooks = CallbackList(
            [*_callbacks(callbacks, history), *printer],
            self,
            verbose=verbose,
            epochs=epochs,
            steps=steps,
        )
        object.__setattr__(self, "stop_training", False)
        hooks.call("on_train_begin", None)
        logs: dict[str, float] = {}
        for epoch in range(initial_epoch, epochs):
            hooks.call("on_epoch_begin", epoch, None)
            bar = _progress_bar(steps, epoch, epochs) if verbose == 1 else None
            with training_mode(self, True):  # then each module's own mode again, as Keras
                logs = self._train_epoch(batches, compiled, bar, hooks)
            if validate is not None and should_validate(epoch, validation_freq):
                logs.update({"val_" + k: v for k, v in validate(hooks).items()})
            if bar is not None:
                bar.set_postfix_str(format_logs(logs), refresh=False)
                bar.close()
            if printer and isinstance(batches, SourceBatches):  # Keras's count, once known
                printer[0].target = printer[0].target or batches.last_steps
            hooks.call("on_epoch_end", epoch, logs)
            if self.stop_training:
                break
        hooks.call("on_train_end", logs)  # the last epoch's logs, as in Keras
        return history

    def _fit_source(
        self,
        x: Any,
        validation_data: Any,
        run: tuple[int, int, int, Sequence[Callback] | None, Any],
        steps_per_epoch: int | None,
        validation_steps: int | None,
        validation_batch_size: int,
        class_weight: Any,
        shuffle: bool,
    ) -> History:
        """`fit` on the batches of a generator, a PyDataset or a DataLoader: the first
        batch builds the model and is checked against the loss, then every batch goes
        through the same training step as an array's (`run`: epochs, initial_epoch,
        verbose, callbacks, validation_freq)."""
        compiled = self._compiled
        fields: list[str] | None = None
        out: Any = None
        # a train_step of the model's own takes the batches as they come (x alone too)
        own_step = overrides(self, "train") and not _unbuilt(self)

        def prepare(index: int, batch: tuple[Any, ...]) -> Any:
            xb, yb, wb = self._source_arrays("fit", index, batch, fields, class_weight)
            if yb is None:
                if own_step:
                    return _as_batch(xb), None, None
                raise ValueError(_NO_TARGETS)
            return _as_batch(xb), _as_batch(yb if out is None else output_shaped(yb, out)), wb

        batches = SourceBatches(x, steps_per_epoch, prepare, "fit", shuffle)
        first = self._first_batch(batches)
        if len(first) < 2 and not own_step:
            raise ValueError(f"fit: batch 0 of the {batches.source.kind}: {_NO_TARGETS}")
        given_val = None if is_source(validation_data) else validation_data
        y0 = first[1] if len(first) > 1 else None
        x0, y0, given_val, fields = self._structured("fit", first[0], y0, given_val)
        with self._outputs_side_by_side(fields):
            x0 = x0 if _is_records(x0) else as_inputs(x0)
            if not own_step:
                out = self._probe(x0)
                self._check_targets(out, output_shaped(as_targets(y0), out), compiled)
            self._make_optimizer()
            if is_source(validation_data):
                validate = self._source_validation(validation_data, validation_steps, x0, fields)
            elif given_val is not None:
                val, val_weights = _validation_arrays(given_val)
                if out is not None:
                    val = (val[0], output_shaped(val[1], out))

                def validate(hooks: CallbackList) -> dict[str, float]:
                    return self._scores(
                        *val, validation_batch_size, val_weights, validation_steps, hooks
                    )
            else:
                validate = None
            batches.reset()  # Keras's: a PyDataset's on_epoch_end before the first epoch
            return self._epochs(batches, validate, *run)

    def _source_arrays(
        self,
        caller: str,
        index: int,
        batch: tuple[Any, ...],
        fields: list[str] | None,
        class_weight: Any = None,
    ) -> tuple[Any, np.ndarray | None, np.ndarray | None]:
        """A source's batch `(x,)`, `(x, y)` or `(x, y, sample_weight)` as arrays, read
        as `fit` reads arrays: several inputs (and outputs, `fields`) packed, inputs in
        the default float dtype, the weights of the samples (from `class_weight` too)."""
        xb = self._pack_x(caller, batch[0])
        xb = xb if _is_records(xb) else as_inputs(xb)
        if len(batch) == 1:
            return xb, None, None
        yb = as_targets(batch[1] if fields is None else pack_targets(caller, batch[1], fields))
        check_lengths(xb, yb)
        given = batch[2] if len(batch) == 3 else None
        return xb, yb, sample_weights(caller, yb, given, class_weight)

    def _source_batches(
        self, caller: str, x: Any, steps: int | None
    ) -> tuple[SourceBatches, np.ndarray, list[str] | None]:
        """The batches of a source for `evaluate` or validation, its first batch's
        inputs, and the outputs' fields (as `_structured` finds them)."""
        fields: list[str] | None = None

        def prepare(index: int, batch: tuple[Any, ...]) -> Any:
            xb, yb, wb = self._source_arrays(caller, index, batch, fields)
            if yb is None:
                raise ValueError(_NO_TARGETS)
            return _as_batch(xb), _as_batch(yb), wb

        batches = SourceBatches(x, steps, prepare, caller)
        first = self._first_batch(batches) if caller == "evaluate" else batches.first()
        if len(first) < 2:
            raise ValueError(f"{caller}: batch 0 of the {batches.source.kind}: {_NO_TARGETS}")
        x0, _, _, fields = self._structured(caller, first[0], first[1])
        return batches, x0 if _is_records(x0) else as_inputs(x0), fields

    def _first_batch(self, batches: SourceBatches) -> tuple[Any, ...]:
        """The first batch of a source for `fit` or `evaluate`, read as Keras reads it
        while the model, the loss or the metrics are not built (`keras_peek`)."""
        compiled = self._compiled
        first = batches.keras_peek() if not compiled.built or _unbuilt(self) else batches.first()
        compiled.built = True
        return first

    def _source_validation(
        self, data: Any, steps: int | None, x0: np.ndarray, fields: list[str] | None
    ) -> Callable[[CallbackList], dict[str, float]]:
        """`fit`'s validation on a source, walked anew (Keras's reset) every time."""
        batches, _, _ = self._source_batches("fit", data, steps)

        def validate(hooks: CallbackList) -> dict[str, float]:
            batches.reset()
            return self._score_batches(batches.epoch(), x0, hooks)

        return validate

    def _structured(
        self, caller: str, x: Any, y: Any, validation_data: Any = None
    ) -> tuple[Any, Any, Any, list[str] | None]:
        """Several inputs packed into one record array, and for several outputs the
        targets too (see `nn.functional_data`), the loss and metrics matched to the
        outputs; returns x, y, validation_data and the outputs' fields (None when
        the model has one output and takes its targets as they are)."""
        self._require_compiled(caller)
        x = self._pack_x(caller, x)
        fields = self._output_fields(caller, x, y)
        if fields is not None:
            y = pack_targets(caller, y, fields)
        if isinstance(validation_data, (tuple, list)) and len(validation_data) in (2, 3):
            val_x, val_y, *rest = validation_data  # (x, y[, sample_weight])
            val_x = self._pack_x(caller, val_x)
            val_y = val_y if fields is None else pack_targets(caller, val_y, fields)
            validation_data = (val_x, val_y, *rest)
        return x, y, validation_data, fields

    def _pack_x(self, caller: str, x: Any) -> Any:
        """Several inputs as one record array (`nn.functional_data`)."""
        return pack_call_inputs(self, caller, x)

    def _output_fields(self, caller: str, x: Any, y: Any) -> list[str] | None:
        """The fields of several outputs' targets (None for one output), found by
        calling the model on one sample when the inputs, targets or compiled loss
        are given per output; then `compile`'s arguments are matched to them."""
        compiled = self._compiled
        if not (compiled.per_output or _is_records(x) or _several(y)):
            return None
        result = self._probe(np.asarray(x)[:1] if _is_records(x) else as_inputs(x)[:1])
        if not isinstance(result, (list, tuple, Mapping)) or len(result) == 1:
            if isinstance(result, Mapping):
                raise ValueError(
                    f"{caller}: training a subclassed model that returns a dict of one "
                    "output is not supported; return the output itself"
                )
            if compiled.per_output:
                self._compile_one_output(compiled.arguments)
            return None
        fields, labels = call_output_names(caller, result)
        if not (isinstance(compiled.loss, OutputLosses) and compiled.loss.names == fields):
            args = compiled.arguments
            loss = args["loss"]
            if isinstance(loss, (list, tuple)) and len(loss) != len(fields):
                raise KeyError(  # Keras's type (its message: "The path: (2,) in the loss...")
                    f"compile: loss has {len(loss)} entries but the model returns "
                    f"{len(fields)} outputs; give one loss per output"
                )
            total, found, weighted = resolve_outputs(
                self,
                fields,
                labels,
                loss,
                args["metrics"],
                args["loss_weights"],
                args["weighted_metrics"],
            )
            self._compile(args["optimizer"], total, found, weighted, args["options"])
            self._compiled.arguments = args
        return fields

    def _compile_one_output(self, args: dict[str, Any]) -> None:
        """`compile`'s per-output arguments for a model that turned out to have one
        output: a list of one loss is that loss."""
        loss = args["loss"]
        if isinstance(loss, Mapping) or (isinstance(loss, (list, tuple)) and len(loss) != 1):
            raise ValueError(f"compile: loss gives {len(loss)} losses but the model has one output")
        if args["loss_weights"] is not None:
            raise ValueError("compile: loss_weights is for models with several outputs")
        loss = loss[0] if isinstance(loss, (list, tuple)) else loss
        self._compile(
            args["optimizer"], loss, args["metrics"], args["weighted_metrics"], args["options"]
        )
        self._compiled.arguments = args

    @contextmanager
    def _outputs_side_by_side(self, fields: list[str] | None) -> Iterator[None]:
        """While `fit` or `evaluate` runs on a model with several outputs, `forward`
        returns their values side by side (see `nn.multi_output`)."""
        object.__setattr__(self, "_side_by_side", fields is not None and len(fields) > 1)
        try:
            yield
        finally:
            object.__setattr__(self, "_side_by_side", False)
            self.__dict__.pop("_last_outputs", None)

    def _train_epoch(
        self,
        batches: EpochBatches | SourceBatches,
        compiled: _Compiled,
        bar: Any,
        hooks: CallbackList,
    ) -> dict[str, float]:
        """One epoch of training steps; returns the epoch's mean loss and metrics."""
        if overrides(self, "train"):
            return self._train_epoch_steps(batches, bar, hooks)
        opt, loss_fn = compiled.optimizer, compiled.loss
        running = self._running(compiled)
        next_postfix = time.perf_counter()
        finite = True
        # No enumerate(): it keeps its last (index, batch) pair, so the batch would live
        # through the whole step. Let go of here, the inputs are freed by backward.
        batch = -1
        begin, end = hooks.wants("on_train_batch_begin"), hooks.wants("on_train_batch_end")
        penalized = self.has_penalties()
        fast = None if penalized else DenseStackStep.build(self, loss_fn)
        for xb, yb, wb in batches.epoch():
            batch += 1
            if begin:
                hooks.call("on_train_batch_begin", batch, None)
            grads = None if fast is None else fast.gradients(xb, yb, wb, loss_fn, opt)
            if grads is None:
                out = self(xb)
                del xb
                loss = weighted_loss(loss_fn, out, yb, wb)
                if penalized:  # Keras adds the regularizers' penalties (`model.losses`)
                    loss = loss + sum(self.losses)
                opt.zero_grad()
                loss.backward()
                opt.step()
                value, out_data = float(loss.data), out.data
                # Keras's fit (JAX) weighs the loss by the output's mask but scores the
                # training metrics on every position (its train step's outputs come out
                # of the gradient transform without their mask); evaluate masks both
                mask = getattr(out, "_keras_mask", None)  # (`nn.masking`)
                mask = None if mask is None else np.ones(mask.shape, bool)
            else:  # the same step without a graph (`nn.dense_stack`)
                del xb
                value, out_data = fast.step(grads, opt)
                mask = None
                del grads  # (held to the next batch, the old gradients would meet the new)
            if finite and not math.isfinite(value):
                finite = False
                _warn_diverged(value, batch)
            running.add(len(out_data), value, yb, out_data, wb, mask)
            if bar is not None:
                bar.update(1)
                if time.perf_counter() >= next_postfix:  # formatting every batch would cost
                    bar.set_postfix_str(format_logs(running.means()), refresh=False)
                    next_postfix = time.perf_counter() + 0.2
            if end:
                hooks.call("on_train_batch_end", batch, running.means())
                if self.stop_training:  # a callback stops at once (TerminateOnNaN)
                    break
        keep_results(compiled, running)
        return running.means()

    def _train_epoch_steps(
        self, batches: EpochBatches | SourceBatches, bar: Any, hooks: CallbackList
    ) -> dict[str, Any]:
        """One epoch of `train_step` calls (a subclass overrides it, or `compute_loss`
        or `compute_metrics`: see `nn.custom_steps`); returns the last step's logs."""
        self.reset_metrics()
        begin, end = hooks.wants("on_train_batch_begin"), hooks.wants("on_train_batch_end")
        logs: dict[str, Any] = {}
        finite = True
        next_postfix = time.perf_counter()
        for batch, (xb, yb, wb) in enumerate(batches.epoch()):
            if begin:
                hooks.call("on_train_batch_begin", batch, None)
            logs = step_logs(self.train_step(step_data(xb, yb, wb)))
            value = logs.get("loss")
            if finite and isinstance(value, float) and not math.isfinite(value):
                finite = False
                _warn_diverged(value, batch, stacklevel=6)
            if bar is not None:
                bar.update(1)
                if time.perf_counter() >= next_postfix:
                    bar.set_postfix_str(format_logs(logs), refresh=False)
                    next_postfix = time.perf_counter() + 0.2
            if end:
                hooks.call("on_train_batch_end", batch, dict(logs))
                if self.stop_training:
                    break
        return logs

    def _test_steps(
        self, batches: Iterable[Any], hooks: CallbackList, begin: bool, end: bool
    ) -> dict[str, Any]:
        """`test_step` on every batch (overridden: see `nn.custom_steps`) after the
        metrics are reset; returns the last step's logs."""
        self.reset_metrics()
        logs: dict[str, Any] = {}
        for batch, (xb, yb, wb) in enumerate(batches):
            if begin:
                hooks.call("on_test_batch_begin", batch, None)
            logs = step_logs(self.test_step(step_data(xb, yb, wb)))
            if end:
                hooks.call("on_test_batch_end", batch, dict(logs))
        return logs

    def _running(self, compiled: _Compiled) -> metrics_mod.Running:
        """The running means of an epoch or an evaluation: the loss, the compiled metrics,
        then the Metric objects the model holds (`metrics_mod.tracked_metrics`)."""
        given = [m for _, m in compiled.metrics + compiled.weighted_metrics]
        tracked = metrics_mod.tracked_metrics(self, given)
        return metrics_mod.Running(
            compiled.metrics, weighted=compiled.weighted_metrics, tracked=tracked
        )

    def _check_targets(self, out: Tensor, yb: np.ndarray, compiled: _Compiled) -> None:
        """Run the model's output for one batch through the loss and explain a mismatch."""
        try:
            with no_grad():
                weighted_loss(compiled.loss, out, yb, None)
        except (ValueError, TypeError, IndexError) as err:
            raise ValueError(
                f"fit: targets of shape {(None, *yb.shape[1:])} and dtype {yb.dtype} do not "
                f"suit the loss {compiled.loss_name!r} for model outputs of shape "
                f"{(None, *out.shape[1:])}: {err}. Hint: {_TARGET_HINT}"
            ) from None

    def _scores(
        self,
        x: np.ndarray,
        y: np.ndarray,
        batch_size: int,
        weights: np.ndarray | None = None,
        steps: int | None = None,
        hooks: CallbackList | None = None,
    ) -> dict[str, float]:
        """Mean loss and metrics over (x, y) (its first `steps` batches), in eval mode
        without a graph, calling the `on_test_*` hooks."""
        # (a seed: a loader in order then draws nothing from autograd's generators)
        loader = WeightedLoader(x, y, weights, batch_size=batch_size, seed=0)
        return self._score_batches(first_batches(loader, steps), x, hooks)

    def _score_batches(
        self, batches: Iterable[Any], x: np.ndarray, hooks: CallbackList | None
    ) -> dict[str, float]:
        """Mean loss and metrics over `(xb, yb, wb)` batches (`x`: inputs of their
        shape), in eval mode without a graph, calling the `on_test_*` hooks."""
        self._check_not_empty("evaluate")
        compiled = self._compiled
        hooks = hooks or CallbackList([], self)
        hooks.call("on_test_begin", None)
        begin, end = hooks.wants("on_test_batch_begin"), hooks.wants("on_test_batch_end")
        if overrides(self, "test"):
            with self._inference(x):
                scores = self._test_steps(batches, hooks, begin, end)
            hooks.call("on_test_end", scores)
            return scores
        running = self._running(compiled)
        penalized = self.has_penalties()
        with self._inference(x):
            for batch, (xb, yb, wb) in enumerate(batches):
                if begin:
                    hooks.call("on_test_batch_begin", batch, None)
                out = self(xb)
                yb = output_shaped(yb, out)
                loss = weighted_loss(compiled.loss, out, yb, wb)
                if penalized:  # as fit's
                    loss = loss + sum(self.losses)
                mask = getattr(out, "_keras_mask", None)  # (`nn.masking`)
                running.add(len(out.data), float(loss.data), yb, out.data, wb, mask)
                if end:
                    hooks.call("on_test_batch_end", batch, running.means())
        keep_results(compiled, running)
        scores = running.means()
        hooks.call("on_test_end", scores)
        return scores

    def evaluate(
        self,
        x: ArrayLike,
        y: ArrayLike | None = None,
        batch_size: int | None = 32,
        verbose: int | str = 1,
        return_dict: bool = False,
        sample_weight: ArrayLike | None = None,
        steps: int | None = None,
        callbacks: Sequence[Callback] | None = None,
    ) -> float | list[float] | dict[str, float]:
        """Loss (and metrics) on `(x, y)`, in eval mode.

        Args:
            x, y: inputs and targets, as for `fit` (a generator, PyDataset or
                DataLoader of `(x, y)` batches too, without `y`).
            batch_size: samples per forward pass (None is 32, as Keras's).
            verbose: 1 (the default, as Keras) or "auto" print Keras's finished bar
                `313/313 ━━━━━━━━━━━━━━━━━━━━ 0s 1ms/step - accuracy: 0.8442 - loss:
                0.4412`, 2 its line `313/313 - 0s - 1ms/step - accuracy: ...`; 0
                prints nothing.
            return_dict: return `{name: value}` instead of a list, its keys sorted
                as Keras 3's.
            sample_weight: one weight per sample for its loss (as in `fit`).
            steps: evaluate the first `steps` batches only.
            callbacks: called with the `on_test_*` hooks.

        Returns:
            The mean loss when no metrics are compiled, else `[loss, *metrics]` in
            the order of `metrics_names` (as Keras), or a dict with `return_dict=True`.
        """
        self._require_compiled("evaluate")
        batch_size = _batch_size("evaluate", batch_size)
        check_bool("evaluate", "return_dict", return_dict)
        if steps is not None:
            check_int("evaluate", "steps", steps, minimum=1)
        verbose = _verbosity("evaluate", verbose)
        if is_source(x):
            check_arguments(x, y, sample_weight)
            return self._evaluate_source(x, steps, verbose, return_dict, callbacks)
        x, y, _, fields = self._structured("evaluate", x, y)
        x = as_inputs(x)
        y = _targets("evaluate", y, len(x), self._compiled)
        check_lengths(x, y)
        _check_samples("evaluate", x)
        self._compiled.built = True
        weights_ = sample_weights("evaluate", y, sample_weight, None)
        start = time.perf_counter()
        batches = -(-len(x) // batch_size)
        if steps is not None:
            batches = min(batches, steps)
        hooks = CallbackList(
            _callbacks(callbacks, None, "evaluate"), self, verbose=verbose, epochs=1, steps=batches
        )
        with self._outputs_side_by_side(fields):
            scores = self._scores(x, y, batch_size, weights_, steps, hooks)
        if verbose:
            seconds = time.perf_counter() - start
            print(summary_line(batches, seconds, dict(sorted(scores.items())), verbose))
        return self._results(dict(sorted(scores.items())), return_dict)

    def _evaluate_source(
        self,
        x: Any,
        steps: int | None,
        verbose: int,
        return_dict: bool,
        callbacks: Sequence[Callback] | None,
    ) -> Any:
        """`evaluate` on the batches of a generator, a PyDataset or a DataLoader."""
        batches, x0, fields = self._source_batches("evaluate", x, steps)
        batches.reset()  # Keras's: a PyDataset's on_epoch_end first
        start = time.perf_counter()
        hooks = CallbackList(
            _callbacks(callbacks, None, "evaluate"),
            self,
            verbose=verbose,
            epochs=1,
            steps=batches.num_batches,
        )
        with self._outputs_side_by_side(fields):
            scores = self._score_batches(batches.epoch(), x0, hooks)
        if verbose:
            seconds = time.perf_counter() - start
            print(summary_line(batches.last_steps, seconds, dict(sorted(scores.items())), verbose))
        return self._results(dict(sorted(scores.items())), return_dict)

    def _results(self, logs: dict[str, float], return_dict: bool) -> Any:
        """What `evaluate` and `train_on_batch` return: `logs` itself, or its values in
        Keras's order (one number alone)."""
        if return_dict:
            return logs
        if overrides(self, "test") or overrides(self, "train"):  # the steps' logs
            values = self._flatten_in_order(logs)
        else:
            values = in_keras_order(logs, self._result_order())
        return values[0] if len(values) == 1 else values

    def train_on_batch(
        self,
        x: ArrayLike,
        y: ArrayLike = None,
        sample_weight: ArrayLike | None = None,
        class_weight: dict[int, float] | None = None,
        return_dict: bool = False,
    ) -> float | list[float] | dict[str, float]:
        """One optimizer step on the single batch `(x, y)`, as Keras's: the loss and
        metrics of this batch (from the step's forward pass, before the update),
        returned as `evaluate` returns them. `model.history` is left as it was."""
        check_bool("train_on_batch", "return_dict", return_dict)
        previous = self.__dict__.get("history")
        history = self.fit(
            x,
            y,
            batch_size=_WHOLE,
            shuffle=False,
            verbose=0,
            sample_weight=sample_weight,
            class_weight=class_weight,
        )
        object.__setattr__(self, "history", previous)
        return self._results({key: v[0] for key, v in history.history.items()}, return_dict)

    def test_on_batch(
        self,
        x: ArrayLike,
        y: ArrayLike = None,
        sample_weight: ArrayLike | None = None,
        return_dict: bool = False,
    ) -> float | list[float] | dict[str, float]:
        """`evaluate` of the single batch `(x, y)`, as Keras's."""
        return self.evaluate(
            x, y, batch_size=_WHOLE, verbose=0, sample_weight=sample_weight, return_dict=return_dict
        )

    def predict_on_batch(self, x: ArrayLike) -> Any:
        """`predict` of the single batch `x`, as Keras's."""
        return self.predict(x, batch_size=_WHOLE, verbose=0)

    def predict(
        self,
        x: ArrayLike,
        batch_size: int | None = 32,
        verbose: int | str = "auto",
        steps: int | None = None,
        callbacks: Sequence[Callback] | None = None,
    ) -> Any:
        """The model's outputs for `x` as one ndarray, computed in eval mode without a graph;
        for a model with several outputs, one array per output in the structure the
        model returns (a tuple, list or dict). `x` is as for `fit` (a source's batches
        may hold targets: they are unused), the batches' outputs concatenated.

        `verbose` is Keras's: "auto" (the default) and 1 print Keras's finished bar
        `313/313 ━━━━━━━━━━━━━━━━━━━━ 0s 1ms/step`, 2 its line `313/313 - 0s -
        1ms/step`; 0 prints nothing. `steps` predicts the first
        `steps` batches only; `callbacks` get the `on_predict_*` hooks."""
        self._check_not_empty("predict")
        batch_size = _batch_size("predict", batch_size)
        if steps is not None:
            check_int("predict", "steps", steps, minimum=1)
        verbose = _verbosity("predict", verbose)
        start = time.perf_counter()
        source = None
        if is_source(x):
            source = SourceBatches(x, steps, self._predict_input, "predict")
            if _unbuilt(self):  # Keras builds it on a batch read anew, then resets
                x = source.keras_peek()[0]
                source.reset()
            else:
                x = source.first()[0]
            x = self._source_arrays("predict", 0, (x,), None)[0]
            batches: Iterable[Any] = source.epoch()
            count: int | None = source.num_batches
        else:
            x = self._pack_x("predict", x)
            x = x if _is_records(x) else as_inputs(x)
            _check_samples("predict", x)
            loader = DataLoader(x, batch_size=batch_size, seed=0)  # (draws nothing)
            count = len(loader) if steps is None else min(len(loader), steps)
            batches = first_batches(loader, steps)
        hooks = CallbackList(
            _callbacks(callbacks, None, "predict"), self, verbose=verbose, epochs=1, steps=count
        )
        hooks.call("on_predict_begin", None)
        outputs = []
        custom = overrides(self, "predict")
        side_by_side = self.__dict__.get("_side_by_side", False)  # predict from a callback
        object.__setattr__(self, "_side_by_side", False)
        try:
            with self._inference(x):
                for batch, xb in enumerate(batches):
                    hooks.call("on_predict_batch_begin", batch, None)
                    result = self.predict_step(xb) if custom else self(xb)
                    outputs.append(leaves(result))
                    logs = {"outputs": rebuild(result, outputs[-1])}  # (arrays, not Tensors)
                    hooks.call("on_predict_batch_end", batch, logs)
        finally:
            object.__setattr__(self, "_side_by_side", side_by_side)
        hooks.call("on_predict_end", None)
        if verbose:
            done = count if source is None else source.last_steps
            print(summary_line(done, time.perf_counter() - start, None, verbose))
        arrays = [np.concatenate([b[i] for b in outputs]) for i in range(len(outputs[0]))]
        return arrays[0] if isinstance(result, Tensor) else rebuild(result, arrays)

    def _predict_input(self, index: int, batch: tuple[Any, ...]) -> Any:
        """A source's batch as `predict` takes it: its inputs (targets are unused)."""
        return _as_batch(self._source_arrays("predict", index, batch[:1], None)[0])

    def summary(
        self,
        line_length: int | None = None,
        positions: Any = None,
        print_fn: Callable[[str], Any] | None = print,
    ) -> str | None:
        """Print the Keras table of layers, output shapes and parameter counts.

        Output shapes come from running one zero sample through the model, once the
        input size is known: from a first layer given `input_dim` (or `in_features`),
        from `build(input_shape)`, or from an earlier fit / predict. Before, as Keras 3,
        the table shows "?" shapes and "0 (unbuilt)" for layers without weights yet.

        Args:
            line_length: the table's width (default: 88, or 108 with a functional
                model's "Connected to", at most the terminal's width less 4, as Keras 3).
            positions: where each column ends, as fractions of `line_length`.
            print_fn: called with the table; None to return it instead.

        Returns:
            None when the table was printed (as Keras, so a notebook cell shows it
            once), else the table as a string. An empty model gives the table
            without rows (totals 0), as Keras's.
        """
        text = self._summary_text(line_length, positions)
        if print_fn is None:
            return text
        print_fn(text)
        return None

    def _summary_text(self, line_length: int | None, positions: Any) -> str:
        return format_summary(self, line_length, positions)


_NO_TARGETS = "it holds no targets; yield (x, y) or (x, y, sample_weight) batches"


def _as_batch(array: np.ndarray) -> Any:
    """A batch as the training step takes it (as `DataLoader` yields arrays): floats
    as a Tensor, labels and records as the array."""
    return Tensor(array) if array.dtype.kind in "fc" else array


def _warn_diverged(value: float, batch: int, stacklevel: int = 5) -> None:
    """`fit`'s warning that the loss is not finite (`stacklevel`: at the user's `fit`)."""
    warnings.warn(
        f"fit: the loss became {value} at batch {batch} (training diverged: "
        "lower the learning rate, or look for NaN in the data); pass "
        "callbacks=[nn.callbacks.TerminateOnNaN()] to stop when it happens",
        RuntimeWarning,
        stacklevel=stacklevel,
    )


def _validation_arrays(data: Any) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray | None]:
    """`fit`'s `validation_data` arrays, `(x_val, y_val)` or Keras's `(x_val, y_val,
    sample_weight)`, checked and converted, and the weights of their samples."""
    given = None
    if isinstance(data, (tuple, list)) and len(data) == 3:
        *data, given = data
    val = validation_pair(data)
    return val, sample_weights("fit", val[1], given, None)


def _check_fit_options(
    epochs: Any,
    validation_split: Any,
    shuffle: Any,
    initial_epoch: Any,
    validation_freq: Any,
    verbose: Any,
    counts: tuple[Any, Any, Any],
) -> int:
    """`fit`'s options checked (`counts`: steps_per_epoch, validation_steps and
    validation_batch_size, None or positive); returns `verbose` as 0, 1 or 2."""
    check_int("fit", "epochs", epochs, minimum=0)
    check_real("fit", "validation_split", validation_split, 0, 1, high_open=True)
    check_bool("fit", "shuffle", shuffle)
    check_int("fit", "initial_epoch", initial_epoch, minimum=0)
    names = ("steps_per_epoch", "validation_steps", "validation_batch_size")
    for name, value in zip(names, counts):
        if value is not None:
            check_int("fit", name, value, minimum=1)
    check_validation_freq(validation_freq)
    return _verbosity("fit", verbose)


def _keras_optimizer(optimizer: Any, options: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """`compile`'s optimizer argument with Keras's names and classes made into an
    `nn.optimizers` optimizer (with the options); anything else is returned as given."""
    if isinstance(optimizer, str):
        if optimizer.lower() in keras_optim.OPTIMIZERS:
            return _make_keras(keras_optim.OPTIMIZERS[optimizer.lower()], options), {}
        if optimizer.lower() not in optim.OPTIMIZERS:
            names = dict.fromkeys([*keras_optim.OPTIMIZERS, *optim.OPTIMIZERS])
            raise ValueError(
                f"compile: unknown optimizer {optimizer!r}; valid names: {', '.join(names)}"
            )
    elif isinstance(optimizer, type) and issubclass(optimizer, keras_optim.Optimizer):
        return _make_keras(optimizer, options), {}
    elif isinstance(optimizer, keras_optim.Optimizer) and options:
        raise TypeError("compile: options cannot be given with an optimizer already made")
    return optimizer, options


def _make_keras(cls: type[keras_optim.Optimizer], options: dict[str, Any]) -> Any:
    try:
        return cls(**options)
    except TypeError as err:
        raise TypeError(
            f"compile: {err} (Keras's arguments; for torch's, pass the class, "
            f"e.g. optimizer=optim.{cls.__name__})"
        ) from None


def _report_names(compiled: _Compiled) -> list[str]:
    """The compiled metrics' names as `fit` reports them (see `nn.metrics`)."""
    return metrics_mod.report_names(
        [name for name, _ in compiled.metrics], [name for name, _ in compiled.weighted_metrics]
    )


def _check_covers(optimizer: optim.Optimizer, model: Module) -> None:
    """An optimizer made before lazy layers were built would silently skip them."""
    held = {id(p) for group in optimizer.param_groups for p in group["params"]}
    trainable = (p for p in model.parameters() if p.requires_grad)
    if _unbuilt(model) or any(id(p) not in held for p in trainable):
        raise ValueError(
            "compile: the optimizer does not hold all of the model's parameters (layers "
            "without input_dim get their weights at the first call); pass it by name or "
            "class instead (compile(optimizer=optim.Adam, lr=0.01) or 'adam'), or call "
            "model.build((None, n_features)) before making the optimizer"
        )


def _is_records(x: Any) -> bool:
    """Whether `x` is a record array: several inputs or targets packed together."""
    return isinstance(x, np.ndarray) and x.dtype.names is not None


def _given_per_output(metrics: Any) -> bool:
    """Whether `compile`'s metrics are given per output: a dict by output name, or a
    list holding lists (or None) for some outputs."""
    if isinstance(metrics, Mapping):
        return True
    return isinstance(metrics, (list, tuple)) and any(
        m is None or isinstance(m, (list, tuple)) for m in metrics
    )


def _several(y: Any) -> bool:
    """Targets given per output: a dict, or a list or tuple of arrays."""
    if isinstance(y, Mapping):
        return True
    return (
        isinstance(y, (list, tuple))
        and len(y) > 1
        and all(isinstance(item, (np.ndarray, Tensor)) for item in y)
    )


def _symbolic(value: Any) -> bool:
    """Whether `value` is a symbolic tensor, or a list, tuple or dict of them."""
    if isinstance(value, Mapping):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return bool(value) and all(isinstance(item, KerasTensor) for item in value)
    return isinstance(value, KerasTensor)


def _functional_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """Whether a Model subclass is made the functional way: `(inputs, outputs)` of
    symbolic tensors, given by position or by name (Keras's rule)."""
    inputs = args[0] if args else kwargs.get("inputs")
    given_outputs = len(args) > 1 or "outputs" in kwargs
    return given_outputs and _symbolic(inputs)


def _is_functional(cls: type) -> bool:
    from nn.functional_model import Functional

    return issubclass(cls, Functional)


_FUNCTIONAL_SUBCLASSES: dict[type, type] = {}


def _functional_subclass(cls: type) -> type:
    """`cls` with the functional model's graph under its own methods (Keras injects
    `Functional` the same way): its class name and methods are `cls`'s."""
    from nn.functional_model import Functional

    made = _FUNCTIONAL_SUBCLASSES.get(cls)
    if made is None:
        made = type(cls.__name__, (cls, Functional), {"__module__": cls.__module__})
        _FUNCTIONAL_SUBCLASSES[cls] = made
    return made


def _unbuilt(model: Module) -> bool:
    return any(getattr(m, "built", True) is False for m in model.modules())


def _targets(caller: str, y: Any, n: int, compiled: _Compiled) -> np.ndarray:
    """`y` as targets; None (no targets) as n empty rows for a model compiled without
    a loss, whose layers' own losses (`add_loss`) are all it trains on.

    Raises:
        ValueError: y is None but the compiled loss or metrics need targets.
    """
    if y is not None:
        return as_targets(y)
    if not isinstance(compiled.loss, losses.NoLoss):
        raise ValueError(
            f"{caller}: y (the targets) is required for the loss {compiled.loss_name!r}; "
            "only a model compiled without a loss (its layers call add_loss) trains without y"
        )
    if compiled.metrics or compiled.weighted_metrics:
        raise ValueError(f"{caller}: y (the targets) is required for the compiled metrics")
    return np.zeros((n, 0), dtype=get_default_dtype())


def output_shaped(y: np.ndarray, out: Tensor) -> np.ndarray:
    """Targets (N,) for one output column (N, 1), or (N, 1) for outputs (N,), reshaped
    to the output's shape (Keras's rule), so the loss compares them element by element
    without its shape-mismatch warning; other targets are returned as they are."""
    if out.shape[1:] == (1,) and y.ndim == 1:
        return y.reshape(-1, 1)
    if out.ndim == 1 and y.shape[1:] == (1,):
        return y.reshape(-1)
    return y


def _check_samples(caller: str, x: np.ndarray) -> None:
    """Refuse an empty data set: the mean loss of no samples is undefined, and 0.0
    would read as a perfect score."""
    if not len(x):
        raise ValueError(f"{caller}: x holds no samples (its shape is {x.shape})")


_WHOLE = sys.maxsize  # the batch size of `*_on_batch`: all the samples in one batch


def _batch_size(caller: str, batch_size: Any) -> int:
    """Keras's `batch_size` checked: None (unspecified) is 32."""
    return check_int(caller, "batch_size", 32 if batch_size is None else batch_size, minimum=1)


def _verbosity(caller: str, verbose: Any) -> int:
    """Keras's `verbose` as 0, 1 or 2 ("auto" is 1), or a ValueError naming the choices."""
    if isinstance(verbose, str) and verbose == "auto":
        return 1
    if isinstance(verbose, (str, float)) or verbose not in (0, 1, 2):
        raise ValueError(f"{caller}: invalid verbose: {verbose!r} (must be 0, 1, 2 or 'auto')")
    return int(verbose)


def _callbacks(
    callbacks: Sequence[Callback] | None, history: History | None, caller: str = "fit"
) -> list[Callback]:
    """The callbacks checked, and `history` last (it records what others add to logs)."""
    if isinstance(callbacks, Callback) or not isinstance(callbacks, (list, tuple, type(None))):
        raise TypeError(
            f"{caller}: callbacks must be a list of Callback objects, got "
            f"{type(callbacks).__name__}; pass callbacks=[{type(callbacks).__name__}(...)]"
        )
    cbs = [*(callbacks or []), *([history] if history is not None else [])]
    for cb in cbs:
        if not isinstance(cb, Callback):
            raise TypeError(
                f"{caller}: callbacks must be Callback objects, got {type(cb).__name__}"
            )
    return cbs


def _progress_bar(total: int, epoch: int, epochs: int) -> Any:
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc=f"Epoch {epoch + 1}/{epochs}",
        unit="batch",
        leave=True,
        file=sys.stdout,
        dynamic_ncols=True,
    )


def format_logs(logs: dict[str, float]) -> str:
    """`accuracy: 0.9500 - loss: 0.1234 - ...`, as Keras 3 prints them: keys sorted, a
    metric of several values, `Recall(thresholds=[0.3, 0.6])`, by their mean."""
    return " - ".join(f"{k}: {float(np.mean(v)):.4f}" for k, v in sorted(logs.items()))
