"""The differentiable ops, grouped by kind: arith, elementwise, reduce, shape,
layers (the fused affine map and softmax cross entropy) and losses."""
