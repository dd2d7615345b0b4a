"""PyTorch's `torch.func` (``from autograd.func import grad, vmap, ...``): function
transforms that compose, on functions of pytrees (tensors in nested tuples, lists
and dicts), with torch's names, signatures, results and errors.

How they work here (the numbers are torch's; the machinery is simpler):

* `grad`, `grad_and_value`, `vjp`, `jacrev` differentiate by reverse mode
  (`autograd.grad`) with respect to fresh copies of the chosen arguments.
* `jvp` and `jacfwd` have no forward mode under them: `jvp` uses the double
  vector-Jacobian product (the Jacobian-vector product is the gradient of
  ``<J^T u, v>`` with respect to ``u``), `jacfwd` computes what `jacrev` computes.
* `vmap` runs the function once per index of the mapped dimension and stacks the
  results: the semantics of torch's, without its vectorization.
* Nesting: a transform called inside another (``grad(grad(f))``, ``jvp(grad(f), ...)``,
  ``jacrev(jacrev(f))``) differentiates with ``create_graph=True`` so the outer one can
  differentiate its result. At the outermost level the results leave no graph behind
  (no ``grad_fn``, as torch's) unless an argument already requires grad: then the
  results are differentiable with respect to the user's own tensors, as torch's are.
  Differences from torch: tensors a function closes over that require grad are not
  followed at the outermost level (torch's results would have a ``grad_fn`` for them),
  and a closure over a tensor of an outer level is differentiated as one variable
  (torch tells the levels apart).
* No transform touches any tensor's ``.grad``.

Example:
    >>> import autograd
    >>> from autograd.func import grad, vmap
    >>> vmap(grad(lambda x: (x**3).sum()))(autograd.tensor([[1.0, 2.0], [3.0, 4.0]]))
    Tensor([[ 3., 12.],
            [27., 48.]])
"""

from autograd.func.mapping import vmap
from autograd.func.modules import functional_call, stack_module_state
from autograd.func.pytree import tree_flatten, tree_map, tree_unflatten
from autograd.func.transforms import grad, grad_and_value, hessian, jacfwd, jacrev, jvp, vjp

__all__ = [
    "functional_call",
    "grad",
    "grad_and_value",
    "hessian",
    "jacfwd",
    "jacrev",
    "jvp",
    "stack_module_state",
    "tree_flatten",
    "tree_map",
    "tree_unflatten",
    "vjp",
    "vmap",
]
