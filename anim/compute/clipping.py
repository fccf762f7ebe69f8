"""Gradient clipping before each step, exactly as torch.nn.utils.clip_grad_norm_ and clip_grad_value_
do: on one run's parameters (torch's own functions), or on every column of a swarm at once."""


def clipper(torch, optimizer, parameters):
    """A function clipping the gradients of `parameters` (one run: the point, or a network's
    weights) as `optimizer` declares, by torch's own clip_grad_norm_ / clip_grad_value_; None
    when it does not clip."""
    if optimizer.clip_grad_norm is not None:
        return lambda: torch.nn.utils.clip_grad_norm_(parameters, optimizer.clip_grad_norm, optimizer.clip_norm_type)
    if optimizer.clip_grad_value is not None:
        return lambda: torch.nn.utils.clip_grad_value_(parameters, optimizer.clip_grad_value)
    return None


def column_clipper(torch, optimizer, weights):
    """A function clipping each column of the (2, n) gradient of `weights` (column r: start point r
    of a swarm) as clip_grad_norm_ / clip_grad_value_ clip that start point's gradient alone, bit for
    bit (tests/compute/test_clipping.py); None when the optimizer does not clip.

    The norm is computed as torch does for one (2,) gradient: the vector norm of its two values
    (reduced along contiguous rows: a strided reduction rounds differently), then the norm of that
    one norm (torch's total over its parameters), then max_norm / (total + 1e-6) clamped at 1."""
    if optimizer.clip_grad_value is not None:
        value = optimizer.clip_grad_value
        return lambda: weights.grad.clamp_(min=-value, max=value)
    if optimizer.clip_grad_norm is None:
        return None
    max_norm, norm_type = optimizer.clip_grad_norm, optimizer.clip_norm_type

    def clip():
        with torch.no_grad():
            grad = weights.grad
            norms = torch.linalg.vector_norm(grad.T.contiguous(), norm_type, dim=1)
            total = torch.linalg.vector_norm(norms.reshape(-1, 1), norm_type, dim=1)
            grad.mul_(torch.clamp(max_norm / (total + 1e-6), max=1.0))

    return clip
