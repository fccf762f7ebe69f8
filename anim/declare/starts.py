"""Start-point generators for swarms: a grid, uniform random points or a circle of points."""

import math
import numbers

from anim.errors import SceneError


class Starts:
    """Start points made once the scene's window is known: `points(x_range, y_range)` lists them
    as (w1, w2) pairs. `needs_window` says whether they depend on that window."""

    def __init__(self, description, make, needs_window):
        self.description, self._make, self.needs_window = description, make, needs_window

    def __repr__(self):
        return self.description

    def points(self, x_range=None, y_range=None):
        if self.needs_window and (x_range is None or y_range is None):
            raise SceneError(f"{self.description} spreads over the window: give x_range and y_range")
        return [(float(a), float(b)) for a, b in self._make(x_range, y_range)]


def grid(n, x=None, y=None):
    """n x n start points evenly over the window (or over the given x and y ranges), its edges
    left out by half a cell so no start sits on the frame."""
    _check_count("grid", n)
    x, y = _range("grid", "x", x), _range("grid", "y", y)

    def make(x_range, y_range):
        xs, ys = ([low + (i + 0.5) * (high - low) / n for i in range(n)] for low, high in (x or x_range, y or y_range))
        return [(a, b) for b in ys for a in xs]

    return Starts(f"starts.grid({n})", make, needs_window=x is None or y is None)


def random(n, seed=0, x=None, y=None):
    """n start points uniformly at random in the window (or the given ranges); the same for a seed."""
    _check_count("random", n)
    if not _is_whole(seed):
        raise SceneError(f"starts.random: seed: got {seed!r}; use a whole number")
    x, y = _range("random", "x", x), _range("random", "y", y)

    def make(x_range, y_range):
        import numpy as np  # here: `import anim` (and so `optianim --help`) stays free of numpy

        rng = np.random.default_rng(seed)
        return np.column_stack([rng.uniform(*(x or x_range), n), rng.uniform(*(y or y_range), n)])

    return Starts(f"starts.random({n}, seed={seed})", make, needs_window=x is None or y is None)


def circle(n, radius=1.0, center=(0.0, 0.0)):
    """n start points evenly around a circle, the first on its right (at angle 0)."""
    _check_count("circle", n)
    if not _is_number(radius) or radius <= 0:
        raise SceneError(f"starts.circle: radius: got {radius!r}; use a number > 0")
    if not _is_pair(center):
        raise SceneError(f"starts.circle: center: got {center!r}; use a pair of numbers (w1, w2)")
    cx, cy = (float(c) for c in center)
    angles = [2 * math.pi * i / n for i in range(n)]
    points = [(cx + radius * math.cos(a), cy + radius * math.sin(a)) for a in angles]
    return Starts(f"starts.circle({n}, radius={radius})", lambda x_range, y_range: points, needs_window=False)


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _is_pair(value):
    """Two finite numbers: a tuple, a list or an array of them."""
    return hasattr(value, "__len__") and len(value) == 2 and all(map(_is_number, value))


def _is_whole(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_count(name, n):
    if not _is_whole(n) or n < 1:
        raise SceneError(f"starts.{name}: got n={n!r}; use a whole number >= 1")


def _range(generator, name, value):
    if value is None:
        return None
    if not _is_pair(value) or not value[0] < value[1]:
        raise SceneError(f"starts.{generator}: {name}: got {value!r}; use a (low, high) pair of numbers, "
                     "low below high")
    return (float(value[0]), float(value[1]))
