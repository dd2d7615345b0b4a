"""Connectionist temporal classification (Graves et al., 2006), as torch's
`F.ctc_loss` and `nn.CTCLoss`.

For one sample with log-probabilities lp[t, c] (t < T, its input length) and target
l_1..l_L, the extended target l' = (blank, l_1, blank, l_2, ..., l_L, blank) has
2L + 1 states. The forward variables (log space)

    alpha[0, 0] = lp[0, blank]      alpha[0, 1] = lp[0, l_1]
    alpha[t, s] = logsumexp(alpha[t-1, s], alpha[t-1, s-1], alpha[t-1, s-2]) + lp[t, l'_s]

(the s - 2 term only when l'_s is not blank and differs from l'_{s-2}) give the loss
-log p(l | x) = -logsumexp(alpha[T-1, 2L], alpha[T-1, 2L-1]); the backward variables
beta run the same recursion from the end. The gradient is torch's:

    d loss / d lp[t, c] = exp(lp[t, c]) - exp(occ[t, c] + loss - lp[t, c]),
    occ[t, c] = logsumexp over the states s with l'_s = c of alpha[t, s] + beta[t, s]

for t < T, 0 after. The loss's own derivative is the second term only; torch adds
exp(lp), which log_softmax's backward removes again (at each t both terms sum to 1
over c), so the gradient of the logits the log-probabilities come from is the same.
The recursions run in numpy over the batch at once (a loop over time); the loss enters
the graph as its
value plus a term whose value is exactly 0 and whose gradient is the above, so the
reductions and whatever made `log_probs` are ordinary autograd ops. The gradient is
not differentiable again (torch's is not either).

An impossible alignment (an input too short for its target) has an infinite loss;
`zero_infinity` makes such losses, and their gradients, 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, where
from autograd.checks import check_bool, check_int
from nn.losses import _Loss

_REDUCTIONS = ("none", "mean", "sum")


def _logsumexp(*terms: np.ndarray) -> np.ndarray:
    """log(sum(exp(terms))) elementwise, -inf when every term is -inf (torch's)."""
    top = np.maximum.reduce(terms)
    top = np.where(np.isneginf(top), 0.0, top)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(sum(np.exp(t - top) for t in terms)) + top


def _lengths(name: str, value: Any, batch: int) -> np.ndarray:
    """Input or target lengths: a tensor, array, int or sequence of ints, one per
    sample."""
    data = np.asarray(value.data if isinstance(value, Tensor) else value)
    if data.dtype.kind not in "iu":
        raise RuntimeError(f"{name} must be integral")
    data = data.reshape(-1).astype(np.int64)
    if data.size != batch:
        raise RuntimeError(f"{name} must be of size batch_size")
    return data


def _check(
    lp: np.ndarray, targets: np.ndarray, inputs: np.ndarray, lengths: np.ndarray, blank: int
) -> None:
    """torch's checks of `ctc_loss_allocate_outputs`, and labels out of range."""
    steps, batch, classes = lp.shape
    if not 0 <= blank < classes:
        raise RuntimeError("blank must be in label range")
    for name, values in (("input_lengths", inputs), ("target_lengths", lengths)):
        if values.size and values.min() < 0:
            raise RuntimeError(
                f"Expected {name} to have value at least 0, but got value {values.min()} "
                "(while checking arguments for ctc_loss_allocate_outputs)"
            )
    if inputs.size and inputs.max() > steps:
        raise RuntimeError(
            f"Expected input_lengths to have value at most {steps}, but got value "
            f"{inputs.max()} (while checking arguments for ctc_loss_allocate_outputs)"
        )
    if targets.ndim == 1:
        if targets.shape[0] != lengths.sum():
            raise RuntimeError(
                f"Expected tensor to have size {lengths.sum()} at dimension 0, but got size "
                f"{targets.shape[0]} for argument #2 'targets' (while checking arguments for "
                "ctc_loss_allocate_outputs)"
            )
    else:
        if targets.shape[0] != batch:
            raise RuntimeError(
                f"Expected tensor to have size {batch} at dimension 0, but got size "
                f"{targets.shape[0]} for argument #2 'targets' (while checking arguments for "
                "ctc_loss_allocate_outputs)"
            )
        if lengths.size and lengths.max() > targets.shape[1]:
            raise RuntimeError(
                f"Expected tensor to have size at least {lengths.max()} at dimension 1, but "
                f"got size {targets.shape[1]} for argument #2 'targets' (while checking "
                "arguments for ctc_loss_allocate_outputs)"
            )


def _padded_targets(targets: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Targets as (N, max length), from padded (N, S) or concatenated (sum of lengths,)."""
    width = int(lengths.max()) if lengths.size else 0
    if targets.ndim == 2:
        return targets[:, :width]
    out = np.zeros((len(lengths), width), dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    for n, (start, length) in enumerate(zip(starts, lengths, strict=True)):
        out[n, :length] = targets[start : start + length]
    return out


def ctc_forward_backward(
    lp: np.ndarray, targets: np.ndarray, inputs: np.ndarray, lengths: np.ndarray, blank: int
) -> tuple[np.ndarray, np.ndarray]:
    """The negative log-likelihoods (N,) and torch's gradient of each with respect to
    `lp` (T, N, C) (see the module's docstring), for padded targets (N, S)."""
    steps, batch, classes = lp.shape
    width = targets.shape[1]
    states = 2 * width + 1
    ext = np.full((batch, states), blank, dtype=np.int64)
    ext[:, 1::2] = targets
    n_states = 2 * lengths + 1
    valid = np.arange(states)[None, :] < n_states[:, None]
    skip = np.zeros((batch, states), dtype=bool)  # the s - 2 transition is allowed
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    rows = np.arange(batch)[:, None]
    emit = np.transpose(lp, (1, 0, 2))[rows, :, ext].transpose(0, 2, 1)  # (N, T, S)
    neg = np.full((batch, states), -np.inf)

    alpha = np.full((batch, steps, states), -np.inf)
    start = neg.copy()
    start[:, 0] = emit[:, 0, 0] if steps else -np.inf
    has_label = lengths > 0
    start[has_label, 1] = emit[has_label, 0, 1] if steps else -np.inf
    if steps:
        alpha[:, 0] = np.where(valid & (inputs[:, None] > 0), start, -np.inf)
    for t in range(1, steps):
        prev = alpha[:, t - 1]
        one = np.concatenate([neg[:, :1], prev[:, :-1]], axis=1)
        two = np.where(skip, np.concatenate([neg[:, :2], prev[:, :-2]], axis=1), -np.inf)
        step = _logsumexp(prev, one, two) + emit[:, t]
        alive = np.asarray(t < inputs)[:, None]
        alpha[:, t] = np.where(valid & alive, step, -np.inf)

    beta = np.full((batch, steps, states), -np.inf)
    last_state = 2 * lengths
    for t in range(steps - 1, -1, -1):
        final = np.asarray(t == inputs - 1)[:, None]
        init = np.where(
            (np.arange(states)[None, :] == last_state[:, None])
            | ((np.arange(states)[None, :] == last_state[:, None] - 1) & has_label[:, None]),
            emit[:, t],
            -np.inf,
        )
        if t + 1 < steps:
            nxt = beta[:, t + 1]
            one = np.concatenate([nxt[:, 1:], neg[:, :1]], axis=1)
            skip_next = np.concatenate([skip[:, 2:], np.zeros((batch, 2), bool)], axis=1)
            two = np.where(skip_next, np.concatenate([nxt[:, 2:], neg[:, :2]], axis=1), -np.inf)
            step = _logsumexp(nxt, one, two) + emit[:, t]
        else:
            step = np.full((batch, states), -np.inf)
        value = np.where(final, init, step)
        beta[:, t] = np.where(valid & np.asarray(t < inputs)[:, None], value, -np.inf)

    ends = np.full((batch,), -np.inf)
    for n in range(batch):
        if inputs[n] == 0:
            ends[n] = 0.0 if lengths[n] == 0 else -np.inf
            continue
        last = alpha[n, inputs[n] - 1]
        terms = [last[last_state[n]]]
        if lengths[n] > 0:
            terms.append(last[last_state[n] - 1])
        ends[n] = _logsumexp(*[np.asarray(v) for v in terms])
    nll = -ends

    # torch's gradient: exp(lp) - exp(logsumexp over the states of class c of
    # alpha + beta, + nll - lp), for t < input length
    occupancy = np.full((batch, steps, classes), -np.inf)
    both = alpha + beta  # (N, T, S)
    for s in range(states):
        cls = ext[:, s]
        current = occupancy[np.arange(batch), :, cls]  # (N, T)
        occupancy[np.arange(batch), :, cls] = _logsumexp(current, both[:, :, s])
    lp_nt = np.transpose(lp, (1, 0, 2))
    with np.errstate(over="ignore", invalid="ignore"):
        grad = np.exp(lp_nt) - np.exp(occupancy + nll[:, None, None] - lp_nt)
    grad = np.where((np.arange(steps)[None, :] < inputs[:, None])[..., None], grad, 0.0)
    return nll, np.transpose(grad, (1, 0, 2))


def ctc_loss(
    log_probs: Tensor,
    targets: Any,
    input_lengths: Any,
    target_lengths: Any,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> Tensor:
    """The CTC loss of `log_probs` (T, N, C) (log_softmax outputs, or (T, C) for one
    sample) against `targets`, padded (N, S) or concatenated (sum(target_lengths),), as
    `torch.nn.functional.ctc_loss` (see the module's docstring). `reduction` "mean"
    divides each loss by its target length (at least 1), then averages over the batch;
    "sum" adds; "none" gives (N,).

    Raises:
        ValueError: an unknown `reduction`.
        RuntimeError: torch's: an empty batch, log_probs of neither 2 nor 3 dims, lengths
            not integral, of the wrong count or out of range, targets too short, or a
            blank outside [0, C); also, here, target labels outside [0, C).
    """
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    check_int("ctc_loss", "blank", blank)
    infinity_to_zero = check_bool("ctc_loss", "zero_infinity", zero_infinity)
    if not isinstance(log_probs, Tensor):
        raise TypeError(f"ctc_loss(): log_probs must be a Tensor, got {type(log_probs).__name__}")
    unbatched = log_probs.ndim == 2
    lp_t = log_probs.reshape(log_probs.shape[0], 1, log_probs.shape[1]) if unbatched else log_probs
    if lp_t.ndim != 3:
        raise RuntimeError(
            f"Expected 3-dimensional tensor, but got {log_probs.ndim}-dimensional tensor for "
            "argument #1 'log_probs' (while checking arguments for ctc_loss_allocate_outputs)"
        )
    if lp_t.data.size == 0:
        raise RuntimeError("log_probs tensor must not be empty")
    batch = lp_t.shape[1]
    tg = np.asarray(targets.data if isinstance(targets, Tensor) else targets)
    if unbatched:
        tg = tg.reshape(1, -1)
    tg = tg.astype(np.int64)
    inputs = _lengths("input_lengths", input_lengths, batch)
    lengths = _lengths("target_lengths", target_lengths, batch)
    lp = np.asarray(lp_t.data, dtype=np.float64)
    _check(lp, tg, inputs, lengths, blank)
    padded = _padded_targets(tg, lengths)
    used = np.arange(padded.shape[1])[None, :] < lengths[:, None]
    labels = padded[used]
    if labels.size and (labels.min() < 0 or labels.max() >= lp.shape[2]):
        raise RuntimeError(
            f"ctc_loss: target labels must be in [0, {lp.shape[2]}), got "
            f"{np.unique(labels[(labels < 0) | (labels >= lp.shape[2])])}"
        )
    padded = np.where(used, padded, blank)
    nll, grad = ctc_forward_backward(lp, padded, inputs, lengths, blank)
    if infinity_to_zero:
        infinite = np.isinf(nll)
        nll = np.where(infinite, 0.0, nll)
        grad = np.where(infinite[None, :, None], 0.0, grad)
    dtype = log_probs.dtype
    finite = np.isfinite(lp_t.data)
    # exactly 0, with gradient `grad` (entries that are not finite get none)
    moved = where(finite, lp_t, np.zeros((), dtype)) - np.where(finite, lp_t.data, 0).astype(dtype)
    bad = ~np.isfinite(grad)  # an infinite loss: torch's gradient is NaN there
    usable = np.where(bad, 0.0, grad).astype(dtype)
    loss = (moved * usable).sum(axis=(0, 2)) + nll.astype(dtype)
    if bad.any():  # adds 0, and the NaN gradient (0 * NaN) of those entries
        spoiled = (moved * np.where(bad, grad, 0.0).astype(dtype)).sum(axis=(0, 2))
        loss = loss + where(np.zeros(loss.shape, dtype=bool), spoiled, np.zeros((), dtype))
    if unbatched:
        loss = loss.reshape(())
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return (loss / np.maximum(lengths, 1).astype(dtype).reshape(loss.shape)).mean()


class CTCLoss(_Loss):
    """The CTC loss (`F.ctc_loss`) as a module, as `torch.nn.CTCLoss`: called
    `loss(log_probs, targets, input_lengths, target_lengths)`.

    Raises:
        ValueError: an unknown `reduction`.
    """

    def __init__(self, blank: int = 0, reduction: str = "mean", zero_infinity: bool = False):
        super().__init__(reduction)
        self.blank = check_int("CTCLoss", "blank", blank)
        self.zero_infinity = check_bool("CTCLoss", "zero_infinity", zero_infinity)

    def forward(  # type: ignore[override]
        self, log_probs: Tensor, targets: Any, input_lengths: Any, target_lengths: Any
    ) -> Tensor:
        return ctc_loss(
            log_probs,
            targets,
            input_lengths,
            target_lengths,
            self.blank,
            self.reduction,
            self.zero_infinity,
        )
