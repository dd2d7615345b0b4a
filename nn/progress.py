"""The lines `fit`, `evaluate` and `predict` print, in the shape of Keras 3's
`ProgbarLogger`:

- `verbose=2`: `Epoch 2/5` when an epoch begins (when there are several), then once
  it ends `10/10 - 1s - 12ms/step - accuracy: 0.9500 - loss: 0.1234 - val_loss: ...`
  with the logs as the callbacks left them (sorted, then what callbacks added, as
  ReduceLROnPlateau's `learning_rate`); `evaluate` and `predict` print the same line
  once done, the logs sorted.
- `verbose=1` of `evaluate` and `predict`: the finished bar,
  `10/10 ━━━━━━━━━━━━━━━━━━━━ 0s 3ms/step - accuracy: 0.9500 - loss: 0.1234` (without
  Keras's terminal colour codes); `fit` shows a tqdm bar per epoch instead.

Values print with four decimals, in exponent form when small (`1.2345e-04`), as Keras's.
"""

from __future__ import annotations

import time

import numpy as np

from nn.callbacks import Callback, Logs

BAR_WIDTH = 20  # Keras's Progbar width


def per_step(seconds: float) -> str:
    """Keras's time per step: `2s/step`, `12ms/step` or `850us/step`."""
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


def logs_text(logs: Logs | None, small: str = "signed") -> str:
    """` - accuracy: 0.9500 - loss: 0.1234` in the logs' order (a metric of several
    values by its mean). Keras writes a value in exponent form when it is at most 1e-3:
    in absolute value for the bar (`small="abs"`), signed for the verbose=2 line."""
    parts = []
    for key, value in (logs or {}).items():
        mean = float(np.mean(value))
        size = abs(mean) if small == "abs" else mean
        parts.append(f" - {key}: {mean:.4f}" if size > 1e-3 else f" - {key}: {mean:.4e}")
    return "".join(parts)


def summary_line(steps: int, seconds: float, logs: Logs | None, verbose: int) -> str:
    """The line of a finished pass of `steps` batches that took `seconds`."""
    step_time = per_step(seconds / steps if steps else 0.0)
    if verbose == 1:
        head = f"{steps}/{steps} {'━' * BAR_WIDTH} {seconds:.0f}s {step_time}"
        return head + logs_text(logs, small="abs")
    return f"{steps}/{steps} - {seconds:.0f}s - {step_time}" + logs_text(logs)


class EpochLines(Callback):
    """`fit(verbose=2)`'s printing, run after every other callback and `History`
    (as Keras's ProgbarLogger), so its line shows the logs they completed."""

    def __init__(self) -> None:
        self._start = 0.0
        self.target: int | None = None  # the steps shown when params["steps"] is None

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        self._start = time.perf_counter()
        if self.params.get("epochs", 1) > 1:
            print(f"Epoch {epoch + 1}/{self.params['epochs']}")

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        seconds = time.perf_counter() - self._start
        steps = self.params.get("steps") or self.target or 0
        print(summary_line(steps, seconds, logs, verbose=2))
