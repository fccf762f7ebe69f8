"""The public scene API (Scene, Optimizer, Camera): frozen, validated data; no torch, no I/O."""

import itertools
import math
from dataclasses import dataclass, field
from numbers import Real
from types import MappingProxyType

from anim.colors import PALETTE
from anim.starts import Starts

RANGE_MODES = ("auto", "symmetric")
COLOR_SCALES = ("linear", "log")

# Used when an optimizer names no colour: see anim.colors.PALETTE for the rules it meets.
DEFAULT_COLORS = PALETTE


def _is_number(value):
    """A finite real number (not a bool, nan or inf)."""
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def _invalid(field_name, message):
    from anim.errors import SceneError

    return SceneError(f"{field_name}: {message}")


def _check_range(field_name, value):
    if isinstance(value, str):
        if value not in RANGE_MODES:
            raise _invalid(field_name, f"got {value!r}; use a (low, high) pair of numbers or one of "
                                       + ", ".join(repr(m) for m in RANGE_MODES))
        return value
    if (not isinstance(value, (tuple, list)) or len(value) != 2
            or not all(_is_number(v) for v in value)):
        raise _invalid(field_name, f"got {value!r}; use a (low, high) pair of numbers, 'auto' or 'symmetric'")
    low, high = float(value[0]), float(value[1])
    if not low < high:
        raise _invalid(field_name, f"low must be below high, got ({value[0]}, {value[1]})")
    return (low, high)


def _check_point(field_name, value):
    if (not isinstance(value, (tuple, list)) or len(value) != 2
            or not all(_is_number(v) for v in value)):
        raise _invalid(field_name, f"got {value!r}; a start point is a pair of numbers (w1, w2)")
    return (float(value[0]), float(value[1]))


def _check_angle(field_name, value):
    if _is_number(value):
        return (float(value), float(value))
    if (isinstance(value, (tuple, list)) and len(value) == 2
            and all(_is_number(v) for v in value)):
        return (float(value[0]), float(value[1]))
    raise _invalid(field_name, f"got {value!r}; use a number of degrees or a (from, to) pair")


@dataclass(frozen=True)
class Camera:
    """The 3-D view's camera: each angle is fixed (a number) or moves linearly (from, to) over the video."""

    elevation: object = 30
    azimuth: object = (-60, 300)

    def __post_init__(self):
        object.__setattr__(self, "elevation", _check_angle("camera.elevation", self.elevation))
        object.__setattr__(self, "azimuth", _check_angle("camera.azimuth", self.azimuth))

    def pose(self, t):
        """(elevation, azimuth) in degrees at t in [0, 1] of the video."""
        (e0, e1), (a0, a1) = self.elevation, self.azimuth
        return (e0 + (e1 - e0) * t, a0 + (a1 - a0) * t)


class Optimizer:
    """One optimizer in a scene: a label, a factory(params, **hyperparameters), a colour and an
    optional learning-rate scheduler(torch_optimizer), stepped after every update.

    A hyperparameter given as a list is a sweep: `expanded()` makes one optimizer per value (one
    per combination, for several lists), labelled by its values. A tuple is one value (`betas`).
    """

    __slots__ = ("label", "factory", "hyperparameters", "color", "scheduler", "swept")

    def __init__(self, label, factory, *, color=None, scheduler=None, **hyperparameters):
        if not isinstance(label, str) or not label.strip():
            raise _invalid("optimizers", f"an optimizer's label must be a non-empty string, got {label!r}")
        if not callable(factory):
            raise _invalid(f"optimizers[{label!r}]",
                           f"factory {factory!r} is not callable; pass a torch.optim class or a function "
                           "that takes a parameter list")
        if color is not None and not isinstance(color, str):
            raise _invalid(f"optimizers[{label!r}].color", f"got {color!r}; use a colour name or '#rrggbb'")
        if scheduler is not None and not callable(scheduler):
            raise _invalid(f"optimizers[{label!r}].scheduler",
                           f"got {scheduler!r}; use a function of the torch optimizer, such as "
                           "functools.partial(torch.optim.lr_scheduler.StepLR, step_size=30)")
        for name, value in hyperparameters.items():
            if isinstance(value, list) and not value:
                raise _invalid(f"optimizers[{label!r}].{name}", "an empty list sweeps no value; give one or more")
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "factory", factory)
        object.__setattr__(self, "hyperparameters", MappingProxyType(dict(hyperparameters)))
        object.__setattr__(self, "color", color)
        object.__setattr__(self, "scheduler", scheduler)
        object.__setattr__(self, "swept", ())  # names of the hyperparameters a sweep set, once expanded

    def __setattr__(self, name, value):
        raise AttributeError("Optimizer is immutable")

    def __repr__(self):
        params = "".join(f", {k}={v!r}" for k, v in self.hyperparameters.items())
        name = getattr(self.factory, "__qualname__", repr(self.factory))
        return f"Optimizer({self.label!r}, {name}{params}, color={self.color!r})"

    def with_color(self, color):
        return self._copy(self.label, color, self.hyperparameters, self.swept)

    def _copy(self, label, color, hyperparameters, swept):
        copy = Optimizer(label, self.factory, color=color, scheduler=self.scheduler, **hyperparameters)
        object.__setattr__(copy, "swept", swept)
        return copy

    def expanded(self):
        """One optimizer per value of each swept (list) hyperparameter, in order, labelled
        'SGD lr=0.1'; itself alone when nothing is swept."""
        swept = [name for name, value in self.hyperparameters.items() if isinstance(value, list)]
        if not swept:
            return [self]
        combinations = [dict(zip(swept, values))
                        for values in itertools.product(*(self.hyperparameters[name] for name in swept))]
        for shown in (_short, repr):  # in full where the short form would make two labels alike
            labels = [" ".join([self.label] + [f"{name}={shown(value)}" for name, value in chosen.items()])
                      for chosen in combinations]
            if len(set(labels)) == len(labels):
                break
        return [self._copy(label, self.color, {**self.hyperparameters, **chosen}, tuple(swept))
                for label, chosen in zip(labels, combinations)]


def _short(value):
    """A swept value as its label shows it: 0.1, 1e-05, 0.9, (0.9, 0.999)."""
    return format(value, "g") if isinstance(value, float) else str(value)


@dataclass(frozen=True)
class Scene:
    """A loss surface, the optimizers that descend it, where they start and how the views look."""

    name: str
    surface: object
    optimizers: tuple
    init: object = (0.0, 0.0)
    steps: int = 100
    title: str = ""
    x_range: object = "auto"
    y_range: object = "auto"
    camera: Camera = field(default_factory=Camera)
    zlabel: str = "loss"
    color_scale: str = "linear"  # "log": contour levels and colours spaced by decades above the minimum

    def __post_init__(self):
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        if not isinstance(self.name, str) or not self.name or not all(
                c.isalnum() or c in "-_." for c in self.name) or self.name.startswith("."):
            raise _invalid("name", f"got {self.name!r}; use letters, digits, '-', '_' or '.' "
                                   "(it names the output folder)")
        if not callable(self.surface):
            raise _invalid("surface", f"got {self.surface!r}; use a function loss(w1, w2) of two tensors")
        if not isinstance(self.steps, int) or isinstance(self.steps, bool) or self.steps < 1:
            raise _invalid("steps", f"got {self.steps!r}; use a whole number of updates >= 1")
        if not isinstance(self.title, str):
            raise _invalid("title", f"got {self.title!r}; use a string")
        set_("title", self.title or self.name)
        set_("x_range", _check_range("x_range", self.x_range))
        set_("y_range", _check_range("y_range", self.y_range))
        set_("init", self._checked_init(self.init, self.x_range, self.y_range))
        set_("optimizers", self._checked_optimizers(self.optimizers))
        if self.color_scale not in COLOR_SCALES:
            raise _invalid("color_scale", f"got {self.color_scale!r}; use one of "
                                          + ", ".join(repr(s) for s in COLOR_SCALES))
        if not isinstance(self.camera, Camera):
            raise _invalid("camera", f"got {self.camera!r}; use anim.Camera(elevation=..., azimuth=...)")

    @staticmethod
    def _checked_init(init, x_range, y_range):
        if isinstance(init, Starts):
            if init.needs_window and (isinstance(x_range, str) or isinstance(y_range, str)):
                raise _invalid("init", f"{init!r} spreads over the window, which is fitted to the paths; "
                                       "give x_range and y_range as (low, high), or the generator x=(low, high) "
                                       "and y=(low, high)")
            init = init.points(x_range, y_range)
        if (isinstance(init, (tuple, list)) and len(init) == 2
                and all(_is_number(v) for v in init)):
            return (_check_point("init", init),)
        if isinstance(init, (tuple, list)) and init:
            return tuple(_check_point(f"init[{i}]", p) for i, p in enumerate(init))
        raise _invalid("init", f"got {init!r}; use a start point (w1, w2), a non-empty list of them, "
                               "or anim.starts.grid(n), random(n, seed) or circle(n, radius)")

    @staticmethod
    def _checked_optimizers(optimizers):
        if isinstance(optimizers, Optimizer):
            optimizers = [optimizers]
        if not isinstance(optimizers, (tuple, list)) or not optimizers:
            raise _invalid("optimizers", "declare at least one anim.Optimizer(label, factory, ...)")
        seen = set()
        checked = []
        for i, declared in enumerate(optimizers):
            if not isinstance(declared, Optimizer):
                raise _invalid(f"optimizers[{i}]", f"got {declared!r}; use anim.Optimizer(label, factory, ...)")
            for opt in declared.expanded():
                if opt.label in seen:
                    raise _invalid(f"optimizers[{i}]", f"duplicate label {opt.label!r}; labels must be unique")
                seen.add(opt.label)
                if opt.color is None:
                    opt = opt.with_color(DEFAULT_COLORS[len(checked) % len(DEFAULT_COLORS)])
                checked.append(opt)
        return tuple(checked)
