"""`torch.random`'s place, so PyTorch code written as ``import autograd as torch`` finds
``torch.random.manual_seed(seed=42)``: the default generator's seeding and state, the
same functions as `autograd.manual_seed`, `autograd.seed`, ...."""

from autograd.creation import get_rng_state, initial_seed, manual_seed, seed, set_rng_state

__all__ = ["get_rng_state", "initial_seed", "manual_seed", "seed", "set_rng_state"]
