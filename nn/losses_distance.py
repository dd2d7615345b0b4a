"""torch's `nn.TripletMarginWithDistanceLoss`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autograd import Tensor
from nn.functional_distance import triplet_margin_with_distance_loss
from nn.losses import _Loss


class TripletMarginWithDistanceLoss(_Loss):
    """max(margin + d(anchor, positive) - d(anchor, negative), 0) with any distance
    `d` (default `nn.PairwiseDistance()`, a child module as in torch), called
    `loss(anchor, positive, negative)`; see `F.triplet_margin_with_distance_loss`.

    Raises:
        ValueError: margin <= 0, or an unknown `reduction`.
    """

    def __init__(
        self,
        *,
        distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
        margin: float = 1.0,
        swap: bool = False,
        reduction: str = "mean",
    ) -> None:
        super().__init__(reduction)
        if margin <= 0:
            raise ValueError(
                "TripletMarginWithDistanceLoss: expected margin to be greater than 0, got "
                f"{margin} instead"
            )
        if distance_function is None:
            from nn import PairwiseDistance

            distance_function = PairwiseDistance()
        self.distance_function = distance_function
        self.margin = margin
        self.swap = swap

    def options(self) -> dict[str, Any]:
        return {
            "distance_function": self.distance_function,
            "margin": self.margin,
            "swap": self.swap,
        }

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:  # type: ignore[override]
        return triplet_margin_with_distance_loss(
            anchor, positive, negative, reduction=self.reduction, **self.options()
        )
