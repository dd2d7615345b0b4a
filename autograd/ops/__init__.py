"""The differentiable ops, grouped by kind: arith, elementwise, reduce, shape."""
