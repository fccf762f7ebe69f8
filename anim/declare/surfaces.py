"""Classic 2-D test surfaces, elementwise in torch, for scene files to reuse.

Each takes two tensors (w1, w2) and returns the loss at every pair; the parameterised ones are
built by a function of their parameter. Each carries its global minima as `minima`, (w1, w2)
points the views mark with a star (an empty tuple: it has none); they are given in each docstring.
"""

import math

import torch


def _minima(*points):
    """Attach the surface's global minima, (w1, w2) points, as its `minima`."""
    def attach(surface):
        surface.minima = tuple((float(x), float(y)) for x, y in points)
        return surface
    return attach


@_minima((1, 1))
def rosenbrock(w1, w2, a=1.0, b=100.0):
    """A long curved valley, easy to find and slow to follow; minimum 0 at (a, a^2): (1, 1) for the
    default a (a surface of another a declares its own: Scene(minima=[(a, a ** 2)]))."""
    return (a - w1) ** 2 + b * (w2 - w1 ** 2) ** 2


@_minima((3, 2), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126))
def himmelblau(w1, w2):
    """Four equal minima (0 at (3, 2), (-2.805, 3.131), (-3.779, -3.283), (3.584, -1.848)):
    where an optimizer ends depends on where it starts."""
    return (w1 ** 2 + w2 - 11) ** 2 + (w1 + w2 ** 2 - 7) ** 2


@_minima((3, 0.5))
def beale(w1, w2):
    """Flat plateaus and sharp ridges at the corners; minimum 0 at (3, 0.5)."""
    return ((1.5 - w1 + w1 * w2) ** 2 + (2.25 - w1 + w1 * w2 ** 2) ** 2
            + (2.625 - w1 + w1 * w2 ** 3) ** 2)


@_minima((0, 0))
def rastrigin(w1, w2, a=10.0):
    """A bowl covered in a regular grid of local minima; global minimum 0 at (0, 0)."""
    return 2 * a + w1 ** 2 - a * torch.cos(2 * math.pi * w1) + w2 ** 2 - a * torch.cos(2 * math.pi * w2)


@_minima((0, 0))
def ackley(w1, w2):
    """A nearly flat, bumpy plain around one deep, narrow hole; minimum 0 at (0, 0)."""
    radius = torch.sqrt(0.5 * (w1 ** 2 + w2 ** 2) + 1e-12)  # (+1e-12: a finite gradient at the minimum)
    waves = 0.5 * (torch.cos(2 * math.pi * w1) + torch.cos(2 * math.pi * w2))
    return -20 * torch.exp(-0.2 * radius) - torch.exp(waves) + math.e + 20


@_minima((1, 3))
def booth(w1, w2):
    """A plain, tilted quadratic bowl; minimum 0 at (1, 3)."""
    return (w1 + 2 * w2 - 7) ** 2 + (2 * w1 + w2 - 5) ** 2


@_minima((0.0898, -0.7126), (-0.0898, 0.7126))
def six_hump_camel(w1, w2):
    """Six minima, two of them global (-1.0316 at (0.0898, -0.7126) and (-0.0898, 0.7126))."""
    return (4 - 2.1 * w1 ** 2 + w1 ** 4 / 3) * w1 ** 2 + w1 * w2 + (-4 + 4 * w2 ** 2) * w2 ** 2


@_minima()
def saddle(w1, w2):
    """x^2 - y^2: a saddle point at (0, 0), where the gradient vanishes but nothing is minimal."""
    return w1 ** 2 - w2 ** 2


@_minima()
def monkey_saddle(w1, w2):
    """x^3 - 3xy^2: a saddle with three ways down, flat to second order at (0, 0)."""
    return w1 ** 3 - 3 * w1 * w2 ** 2


def quadratic_bowl(condition=10.0):
    """The bowl (w1^2 + condition * w2^2) / 2: its curvatures differ `condition` times, so one
    learning rate is too small along w1 or too big along w2; minimum 0 at (0, 0)."""
    if not condition >= 1:
        raise ValueError(f"condition must be >= 1, got {condition}")

    def bowl(w1, w2):
        return 0.5 * (w1 ** 2 + condition * w2 ** 2)

    bowl.__doc__ = f"Quadratic bowl of condition number {condition:g}."
    bowl.minima = ((0.0, 0.0),)
    return bowl
