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
    bit (tests/compute/test_clipping.py); None when the optimizer does not clip. With `weights`
    None, the function takes the gradients to clip in place as rows: an (n, 2) tensor.

    The norm is computed as torch does for one (2,) gradient: the vector norm of its two values
    (reduced along contiguous rows: a strided reduction rounds differently), then the norm of that
    one norm (torch's total over its parameters), then max_norm / (total + 1e-6) clamped at 1."""
    if optimizer.clip_grad_norm is None and optimizer.clip_grad_value is None:
        return None
    clip = _value_rows if optimizer.clip_grad_value is not None else _norm_rows
    if weights is None:
        return lambda rows: clip(torch, optimizer, rows)

    def clip_columns():
        with torch.no_grad():
            rows = weights.grad.T.contiguous()
            clip(torch, optimizer, rows)
            weights.grad.copy_(rows.T)

    return clip_columns


def _norm_rows(torch, optimizer, rows):
    with torch.no_grad():
        norms = torch.linalg.vector_norm(rows, optimizer.clip_norm_type, dim=1)
        total = torch.linalg.vector_norm(norms.reshape(-1, 1), optimizer.clip_norm_type, dim=1)
        rows.mul_(torch.clamp(optimizer.clip_grad_norm / (total + 1e-6), max=1.0).reshape(-1, 1))


def _value_rows(torch, optimizer, rows):
    with torch.no_grad():
        rows.clamp_(min=-optimizer.clip_grad_value, max=optimizer.clip_grad_value)
