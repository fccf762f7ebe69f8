"""What happens in a scene, found in its runs as drawn: the events a description names, each defined
here once and counted in steps, and the optimizers ranked by where they end.

For a run's drawn points (up to where it diverged or left the view), with D the diagonal of the view
window and the *lowest loss* L* the loss at the scene's known minima if it has some, else the lowest
loss any run reaches in view:

- REACHES at the first step whose loss is within TOLERANCE of the run's own drop from its start
  loss to L* (loss - L* <= 1 % of it; never for a run that starts at L*); with known minima, the one
  nearest that point is named.
- FLOOR (the valley floor) at the first point where the loss rises on both sides across the valley:
  at ACROSS * D either way along the direction in which the surface curves up most (the Hessian's
  larger eigenvector), the loss is higher than at the point. Reported only before the run reaches
  L*; not tested on a network's plane (its paths leave the plane).
- OSCILLATES at the first of TURNS updates in a row that each turn back on the update before (their
  dot product is negative), both of them moving (at least STILL * D long); `until` is the last.
- STALLS at the first step from which every update to the end is shorter than STILL * D, for at
  least LINGER of the steps (and 3 updates), in a run that never reaches L* and is drawn to the end.
- DIVERGES and LEAVES at the run's `diverged_at` / `left_view_at`, whichever stopped it.

An optimizer with several runs (a swarm, or several start points) gets one event per kind: how
many of its runs have it, the first step among them and their median step."""

import math
from dataclasses import dataclass

import numpy as np

from anim.compute.trajectory import DIVERGED, LEFT_VIEW

TOLERANCE = 0.01  # share of a run's drop from its start loss to the lowest loss
ACROSS = 0.01     # share of the window's diagonal, each side of a point, that the floor test looks
STILL = 0.001     # share of the window's diagonal: an update shorter than this does not move
TURNS = 3         # updates in a row turning back on the one before: an oscillation
LINGER = 0.1      # share of the steps a stall lasts at least

FLOOR, REACHES, OSCILLATES, STALLS, DIVERGES, LEAVES = "floor", "reaches", "oscillates", "stalls", "diverges", "leaves"
KINDS = (FLOOR, REACHES, OSCILLATES, STALLS, DIVERGES, LEAVES)  # the order of events at one step


@dataclass(frozen=True)
class Event:
    """`kind` happens to `count` of the `runs` runs of optimizer `label`: the first of them at
    `step`, which the video shows when its heads reach `seen` (a stopped run's path ends one point
    before its stop). `median`: the median step of those runs; `until`: the last turn of a run's
    oscillation; `where`: that run's point (w1, w2, loss) at `step`; `minimum`: the known minimum
    reached, (w1, w2), if the scene has known minima."""

    kind: str
    label: str
    step: int
    seen: int
    where: tuple
    count: int = 1
    runs: int = 1
    median: object = None
    until: object = None
    minimum: object = None


@dataclass(frozen=True)
class Final:
    """Where optimizer `label` ends: `loss` is the last loss of its run drawn to the end (for
    several runs the median over those drawn to the end; None if none is), `diverged` and `left`
    count the runs that stopped so, `stopped_at` the first step one of them stopped (or None)."""

    label: str
    runs: int
    loss: object
    diverged: int = 0
    left: int = 0
    stopped_at: object = None


@dataclass(frozen=True)
class Story:
    """Everything a description says: the events in the order the video shows them, the finals
    ranked (lowest loss first, then optimizers whose every run stopped, the longest-lasting first),
    and the numbers the definitions used."""

    events: tuple
    finals: tuple
    lowest: float
    minima: tuple         # the known minima (w1, w2) the lowest loss is taken at; () if it is the lowest seen
    floor_tested: bool    # False for a network's plane, or a surface torch cannot differentiate twice
    plane: bool           # the surface is a network's loss on a plane through its weights
    diagonal: float       # of the view window
    labels: tuple         # the optimizers, in the scene's order


def find(scene, runs, window, plane=False):
    """The Story of `runs` (as drawn: marked where they left `window`) of `scene`; `plane` says the
    surface is a network's loss on a plane, where the valley floor is not tested."""
    diagonal = math.hypot(window[0][1] - window[0][0], window[1][1] - window[1][0])
    drawn = [run.points[:_end(run)] for run in runs]
    minima, lowest = _lowest(scene, drawn, plane)
    floors = None if plane else _floors(scene.surface, drawn, ACROSS * diagonal)
    per_run = []
    for index, (run, points) in enumerate(zip(runs, drawn)):
        floor = None if floors is None else floors[index]
        per_run.append(_run_events(run, points, lowest, STILL * diagonal, floor, minima))
    events, finals = [], []
    labels = list(dict.fromkeys(run.label for run in runs))
    for label in labels:
        mine = [i for i, run in enumerate(runs) if run.label == label]
        events += _gathered(label, [per_run[i] for i in mine])
        finals.append(_final(label, [runs[i] for i in mine], [drawn[i] for i in mine]))
    order = {label: i for i, label in enumerate(labels)}
    events.sort(key=lambda e: (e.seen, e.step, KINDS.index(e.kind), order[e.label]))
    ranked = sorted((f for f in finals if f.loss is not None), key=lambda f: f.loss)
    ranked += sorted((f for f in finals if f.loss is None), key=lambda f: -f.stopped_at)
    return Story(tuple(events), tuple(ranked), lowest, minima, floors is not None, plane, diagonal, tuple(labels))


def _end(run):
    return len(run.points) if run.stop is None else run.stop.step


def _lowest(scene, drawn, plane):
    """(known minima, the lowest loss): the loss at the scene's known minima (Scene.minima, else
    the surface's own `minima`) where it has them, else the lowest loss any run reaches in view."""
    minima = () if plane else _known_minima(scene)
    if minima:
        import torch

        points = torch.tensor(minima, dtype=torch.float32)
        try:
            with torch.no_grad(), torch.random.fork_rng(devices=[]):
                losses = scene.surface(points[:, 0], points[:, 1]).detach().to(torch.float32).numpy()
        except Exception:  # a minimum the surface cannot be evaluated at is no help
            losses = np.array([np.nan])
        if np.isfinite(losses).all():
            return minima, float(losses.min())
    seen = [float(points[:, 2].min()) for points in drawn if len(points)]
    return (), min(seen, default=0.0)


def _known_minima(scene):
    minima = getattr(scene, "minima", None)
    if minima is None:
        minima = getattr(scene.surface, "minima", None)
    try:
        return tuple((float(x), float(y)) for x, y in minima or ())
    except (TypeError, ValueError):
        return ()


def _floors(surface, drawn, across):
    """Per run, whether each drawn point lies on a valley floor (see the module's docstring); None
    if the surface cannot be differentiated twice by torch."""
    import torch

    points = np.concatenate([p[:, :2] for p in drawn]) if drawn else np.empty((0, 2), np.float32)
    if not len(points):
        return [np.zeros(0, bool) for _ in drawn]
    try:
        with torch.random.fork_rng(devices=[]):  # a noisy surface leaves the random state as it was
            w1 = torch.tensor(points[:, 0], dtype=torch.float32, requires_grad=True)
            w2 = torch.tensor(points[:, 1], dtype=torch.float32, requires_grad=True)
            loss = surface(w1, w2)
            g1, g2 = torch.autograd.grad(loss.sum(), (w1, w2), create_graph=True)
            h11, h12 = _second(torch, g1, (w1, w2))
            _, h22 = _second(torch, g2, (w1, w2))
            # the eigenvector of [[h11, h12], [h12, h22]] with the larger eigenvalue
            angle = 0.5 * torch.atan2(2 * h12, h11 - h22)
            dx, dy = across * torch.cos(angle), across * torch.sin(angle)
            with torch.no_grad():
                here = loss.detach()
                ahead, behind = surface(w1 + dx, w2 + dy), surface(w1 - dx, w2 - dy)
                floor = ((ahead > here) & (behind > here)).numpy()
    except Exception:
        return None
    return np.split(floor, np.cumsum([len(p) for p in drawn])[:-1])


def _second(torch, gradient, weights):
    """The derivatives of one gradient component by each weight (zero where it does not depend on it)."""
    if not gradient.requires_grad:
        return [torch.zeros_like(w) for w in weights]
    found = torch.autograd.grad(gradient.sum(), weights, retain_graph=True, allow_unused=True)
    return [torch.zeros_like(w) if d is None else d.detach() for w, d in zip(weights, found)]


def _run_events(run, points, lowest, still, floor, minima):
    """{kind: (step, seen, extra, point)} of one run's events."""
    found = {}
    if len(points):
        drop = float(points[0, 2]) - lowest  # a run that starts at the lowest loss has no way down to it
        reached = np.flatnonzero(points[:, 2] - lowest <= TOLERANCE * drop) if drop > 0 else []
        if len(reached):
            step = int(reached[0])
            found[REACHES] = (step, step, {"minimum": _nearest(minima, points[step])})
        if floor is not None and floor.any():
            step = int(np.argmax(floor))
            if REACHES not in found or step < found[REACHES][0]:
                found[FLOOR] = (step, step, {})
    moves = np.linalg.norm(np.diff(points[:, :2], axis=0), axis=1)  # moves[t]: update t, point t -> t+1
    moving = moves >= still
    turns = (np.einsum("ij,ij->i", np.diff(points[:-1, :2], axis=0), np.diff(points[1:, :2], axis=0)) < 0) \
        if len(points) > 2 else np.zeros(0, bool)
    turns &= moving[:-1] & moving[1:]  # turns[t]: at point t + 1
    stretch = _first_stretch(turns, TURNS)
    if stretch is not None:
        first, last = stretch
        found[OSCILLATES] = (first + 1, first + 1, {"until": last + 1})
    if run.stop is None and REACHES not in found and len(moves):
        still_from = len(moves) - int(np.argmax(moving[::-1])) if moving.any() else 0
        if len(moves) - still_from >= max(3, LINGER * (len(points) - 1)):
            found[STALLS] = (still_from, still_from, {})
    if run.stop is not None:
        kind = DIVERGES if run.stop.reason == DIVERGED else LEAVES
        found[kind] = (run.stop.step, max(run.stop.step - 1, 0), {})
    return {kind: (step, seen, extra, points[min(step, len(points) - 1)] if len(points) else None)
            for kind, (step, seen, extra) in found.items()}


def _first_stretch(flags, length):
    """(first, last) index of the first run of at least `length` True values in `flags`, or None."""
    count = 0
    for i, flag in enumerate(flags):
        count = count + 1 if flag else 0
        if count == length:
            last = i
            while last + 1 < len(flags) and flags[last + 1]:
                last += 1
            return i - length + 1, last
    return None


def _nearest(minima, point):
    if not minima:
        return None
    return min(minima, key=lambda m: math.hypot(m[0] - point[0], m[1] - point[1]))


def _gathered(label, per_run):
    """The events of one optimizer's runs: a run's own, or one per kind (and per known minimum
    reached) for several runs."""
    events = []
    if len(per_run) == 1:
        for kind, (step, seen, extra, point) in per_run[0].items():
            events.append(Event(kind, label, step, seen, _point(point), until=extra.get("until"),
                                minimum=extra.get("minimum")))
        return events
    for kind in KINDS:
        having = [found[kind] for found in per_run if kind in found]
        groups = {}
        for entry in having:  # reaching known minima: one event per minimum reached
            groups.setdefault(entry[2].get("minimum"), []).append(entry)
        for minimum, group in groups.items():
            step, seen, _, point = min(group, key=lambda entry: (entry[1], entry[0]))
            median = int(np.median([entry[0] for entry in group]))
            events.append(Event(kind, label, step, seen, _point(point), len(group), len(per_run), median,
                                minimum=minimum))
    return events


def _point(point):
    return None if point is None else tuple(float(v) for v in point)


def _final(label, runs, drawn):
    ended = [float(points[-1, 2]) for run, points in zip(runs, drawn) if run.stop is None and len(points)]
    stops = [run.stop for run in runs if run.stop is not None]
    return Final(label, len(runs), float(np.median(ended)) if ended else None,
                 sum(stop.reason == DIVERGED for stop in stops), sum(stop.reason == LEFT_VIEW for stop in stops),
                 min((stop.step for stop in stops), default=None))
