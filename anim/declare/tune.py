"""anim.tune(low, high): a hyperparameter whose value the tuner chooses from a log range before the
race is drawn, by a documented objective; frozen, validated data (no torch)."""

import math
from dataclasses import dataclass
from numbers import Integral, Real

# What a candidate value is scored by, lower is better (anim.compute.tuning computes them):
OBJECTIVES = {
    "final_loss": "the loss at the last recorded point",
    "distance": "the distance from the last recorded point to `minimum`",
    "area": "the area under the loss curve: the sum of the loss at every recorded point",
}
MAX_CANDIDATES = 10_000


def _invalid(message):
    from anim.errors import SceneError

    return SceneError(f"tune: {message}")


def _finite(value):
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class Tune:
    """`candidates` values from `low` to `high`: a third evenly spaced in log, the rest around the best
    of them; the one whose runs score lowest by `objective` is chosen (the lowest value on a tie).
    See `tune`."""

    low: float
    high: float
    candidates: int = 100
    objective: object = "final_loss"
    minimum: object = None

    def __post_init__(self):
        if not (_finite(self.low) and _finite(self.high) and 0 < self.low < self.high):
            raise _invalid(f"got the range ({self.low!r}, {self.high!r}); give low and high with 0 < low < high, "
                           "such as anim.tune(1e-4, 10)")
        if (not isinstance(self.candidates, Integral) or isinstance(self.candidates, bool)
                or not 2 <= self.candidates <= MAX_CANDIDATES):
            raise _invalid(f"candidates: got {self.candidates!r}; use a whole number of values from 2 to "
                           f"{MAX_CANDIDATES:,}")
        if not callable(self.objective) and self.objective not in OBJECTIVES:
            raise _invalid(f"objective: got {self.objective!r}; use one of {', '.join(map(repr, OBJECTIVES))}, or a "
                           "function of a run's points (a (steps, 3) array of w1, w2, loss) returning a number, "
                           "lower is better")
        if self.objective == "distance":
            point = self.minimum
            if not (isinstance(point, (tuple, list)) and len(point) == 2 and all(_finite(v) for v in point)):
                raise _invalid(f"minimum: got {point!r}; objective 'distance' needs the minimum as a point "
                               "(w1, w2)")
            object.__setattr__(self, "minimum", (float(point[0]), float(point[1])))
        elif self.minimum is not None:
            raise _invalid("minimum: applies to objective 'distance' only")
        object.__setattr__(self, "low", float(self.low))
        object.__setattr__(self, "high", float(self.high))

    @property
    def objective_name(self):
        """The objective as the manifest and the terminal name it: its key, or the function's name."""
        if callable(self.objective):
            return getattr(self.objective, "__qualname__", repr(self.objective))
        return self.objective

    def survey(self):
        """The first values tried: a third of the candidates (at least 2), from low to high evenly
        spaced in log; the tuner adds the rest around the best of them (anim.compute.tuning)."""
        count = max(2, math.ceil(self.candidates / 3))
        step = (math.log(self.high) - math.log(self.low)) / (count - 1)
        inner = [math.exp(math.log(self.low) + k * step) for k in range(1, count - 1)]
        return [self.low, *inner, self.high]


def tune(low, high, candidates=100, objective="final_loss", minimum=None):
    """A hyperparameter tuned before the race: `Optimizer("Adam", torch.optim.Adam,
    lr=anim.tune(1e-4, 10))` runs the scene with `candidates` values from `low` to `high` (a third
    evenly spaced in log, then, round by round, the rest between each of the 10 best values so far and
    its nearest neighbours) and races at the one that scores lowest by `objective`: "final_loss" (the
    default: the loss at the last recorded point), "distance" (from the last point to `minimum`,
    a point (w1, w2)), "area" (the sum of the loss over the recorded points), or a function of a
    run's points (a (steps, 3) array of w1, w2, loss) returning a number. With several start points,
    a value's score is the mean over them; a run that diverges scores infinity."""
    return Tune(low, high, candidates, objective, minimum)


def tuned_names(hyperparameters):
    """The names of the hyperparameters given as anim.tune(...)."""
    return [name for name, value in hyperparameters.items() if isinstance(value, Tune)]
