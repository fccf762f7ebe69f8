"""The tuner: each anim.tune(low, high) gets the value whose runs on the scene score lowest, found
before the race by a survey of its range and rounds around the best (batched where it can be)."""

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from anim.compute import trajectory
from anim.declare.tune import Tune, tuned_names
from anim.errors import SceneError


@dataclass(frozen=True)
class Tuning:
    """How one optimizer's hyperparameter `name` was tuned: its `tune` (range, objective), every
    candidate value and its score (inf where a run diverged or scored no finite number), and the
    value chosen, the lowest score's (the lowest value on a tie). `batched`: the candidates ran as
    one torch run."""

    label: str
    name: str
    tune: Tune
    values: np.ndarray
    scores: np.ndarray
    batched: bool

    @property
    def best(self):
        return int(np.argmin(self.scores))

    @property
    def chosen(self):
        return float(self.values[self.best])

    @property
    def score(self):
        return float(self.scores[self.best])

    def described(self):
        """The manifest's entry: what was tuned, how, the value chosen and the objective's curve."""
        return {
            "optimizer": self.label, "hyperparameter": self.name, "chosen": self.chosen, "score": self.score,
            "objective": self.tune.objective_name, "minimum": None if self.tune.minimum is None else list(self.tune.minimum),
            "range": [self.tune.low, self.tune.high], "candidates": len(self.values), "batched": self.batched,
            "values": [float(v) for v in self.values],
            "scores": [float(s) if math.isfinite(s) else None for s in self.scores],
        }


def tunes(scene):
    """Whether any optimizer of the scene has a hyperparameter to tune."""
    return any(tuned_names(o.hyperparameters) for o in scene.optimizers)


def probe(scene):
    """The scene with each tuned hyperparameter at the low end of its range: what checks build and
    step before the tuner runs."""
    if not tunes(scene):
        return scene
    return _with(scene, [_at(o, lambda tune: tune.low) for o in scene.optimizers])


def tune(scene):
    """(the scene with every tuned hyperparameter set to its chosen value, a Tuning for each)."""
    if not tunes(scene):
        return scene, []
    optimizers, tunings = [], []
    for optimizer in scene.optimizers:
        names = tuned_names(optimizer.hyperparameters)
        if not names:
            optimizers.append(optimizer)
            continue
        tuning = _tuned(scene, optimizer, names[0])
        tunings.append(tuning)
        optimizers.append(optimizer.tuned_to(names[0], tuning.chosen))
    return _with(scene, optimizers), tunings


def _tuned(scene, optimizer, name):
    """Search `name`'s range: a survey of a third of the candidates evenly spaced in log, then rounds
    that each add values between the best values so far and their nearest neighbours (see
    `refinements`), until every candidate has run; each scored by the objective."""
    declared = optimizer.hyperparameters[name]
    batched = name == "lr" and trajectory.batches_lrs(scene, _at(optimizer, lambda tune: tune.low))
    values = np.array(declared.survey())
    scores = _scores(scene, optimizer, name, declared, values, batched)
    while len(values) < declared.candidates:
        new = refinements(values, scores, declared.candidates - len(values), declared.candidates)
        if not len(new):
            break
        values, scores = np.concatenate([values, new]), np.concatenate(
            [scores, _scores(scene, optimizer, name, declared, new, batched)])
    order = np.argsort(values, kind="stable")
    values, scores = values[order], scores[order]
    if not np.isfinite(scores).any():
        raise SceneError(f"optimizers[{optimizer.label!r}].{name}: every one of the {len(values)} values of "
                         f"tune({declared.low:g}, {declared.high:g}) diverged or scored no finite "
                         f"{declared.objective_name}; choose another range")
    return Tuning(optimizer.label, name, declared, values, scores, batched)


REFINED = 10  # each round refines around this many of the best values so far


def refinements(values, scores, budget, candidates):
    """The next round's values: between each of the REFINED best values so far (the lowest value
    first on a tie) and its nearest neighbours among those run, max(1, candidates // 100) values
    each, evenly spaced in log in the gaps on either side; at most `budget` of them, none run yet."""
    order = np.argsort(values, kind="stable")
    ranked = sorted(range(len(values)), key=lambda i: (scores[order][i], i))
    per_window = max(1, candidates // 100)
    sorted_values, new = values[order], []
    for i in ranked[:REFINED]:
        if not np.isfinite(scores[order][i]):
            break
        gaps = [(sorted_values[j], sorted_values[i]) for j in (i - 1,) if j >= 0]
        gaps += [(sorted_values[i], sorted_values[j]) for j in (i + 1,) if j < len(sorted_values)]
        for k, (a, b) in enumerate(gaps):
            count = (per_window + (len(gaps) - 1 - k)) // len(gaps)  # the left gap gets the odd one
            new.extend(np.exp(np.linspace(np.log(a), np.log(b), count + 2)[1:-1]))
    fresh = [v for v in dict.fromkeys(new) if v not in set(values.tolist())]
    return np.array(fresh[:budget])


def _scores(scene, optimizer, name, declared, values, batched):
    """Each value's score: the mean over the start points of its runs' scores."""
    if batched:
        points = trajectory.lr_points(scene, optimizer, values)
    else:  # one value after another, each exactly as the race would run it
        points = [[run.points for run in trajectory.compute(_with(scene, [optimizer.tuned_to(name, float(value))]))]
                  for value in values]
    return np.array([np.mean([_score(declared, runs) for runs in candidate]) for candidate in points])


def _score(declared, points):
    """One run's score by the objective (lower is better): inf if it is not a finite number."""
    objective = declared.objective
    with np.errstate(invalid="ignore", over="ignore"):
        if objective == "final_loss":
            value = points[-1, 2]
        elif objective == "distance":
            value = math.hypot(points[-1, 0] - declared.minimum[0], points[-1, 1] - declared.minimum[1])
        elif objective == "area":
            value = np.sum(points[:, 2], dtype=np.float64)
        else:
            try:
                value = objective(points.copy())
            except Exception as exc:
                raise SceneError(f"tune: the objective {declared.objective_name} raised {type(exc).__name__}: "
                                 f"{exc}") from exc
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise SceneError(f"tune: the objective {declared.objective_name} returned {value!r}; return a number, "
                         "lower is better") from None
    return value if math.isfinite(value) else math.inf


def _at(optimizer, pick):
    """The optimizer with its tuned hyperparameter at `pick(tune)`."""
    names = tuned_names(optimizer.hyperparameters)
    if not names:
        return optimizer
    return optimizer.with_value(names[0], pick(optimizer.hyperparameters[names[0]]))


def _with(scene, optimizers):
    """The scene with these optimizers (already expanded and coloured)."""
    return dataclasses.replace(scene, optimizers=tuple(optimizers))
