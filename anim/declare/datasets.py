"""Small classification data sets made in code (no downloads), for landscape scenes: spirals, two moons."""

import math


def spirals(n=1000, arms=2, noise=0.2, turns=1.5, seed=0):
    """`n` points on `arms` interleaved spiral arms in the plane, `noise` the standard deviation of
    the Gaussian jitter; (X float32 [n, 2], y int64 [n]) with y the arm of each point. The same
    `seed` gives the same points (a torch.Generator of its own: torch's global random state is
    neither used nor changed)."""
    import torch

    _check(n, arms, noise)
    generator = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % arms
    t = torch.linspace(0.0, 1.0, n // arms + 1)[torch.arange(n) // arms]  # along each arm, evenly
    radius = 0.3 + 2.7 * t
    angle = 2 * math.pi * turns * t + 2 * math.pi * y / arms
    X = torch.stack([radius * torch.cos(angle), radius * torch.sin(angle)], dim=1)
    X = X + noise * torch.randn(n, 2, generator=generator)
    return X.float(), y


def two_moons(n=1000, noise=0.1, seed=0):
    """`n` points on two interleaving half circles (class 0 the upper, 1 the lower, shifted), with
    Gaussian jitter of standard deviation `noise`; (X float32 [n, 2], y int64 [n]), seeded like
    `spirals`."""
    import torch

    _check(n, 2, noise)
    generator = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 2
    t = math.pi * torch.rand(n, generator=generator)
    upper = torch.stack([torch.cos(t), torch.sin(t)], dim=1)
    lower = torch.stack([1 - torch.cos(t), 0.5 - torch.sin(t)], dim=1)
    X = torch.where(y[:, None] == 0, upper, lower) + noise * torch.randn(n, 2, generator=generator)
    return X.float(), y


def _check(n, classes, noise):
    from anim.errors import SceneError

    if not isinstance(n, int) or isinstance(n, bool) or n < classes:
        raise SceneError(f"data: n={n!r}; use a whole number of points >= {classes}")
    if not (isinstance(noise, (int, float)) and noise >= 0):
        raise SceneError(f"data: noise={noise!r}; use a standard deviation >= 0")
