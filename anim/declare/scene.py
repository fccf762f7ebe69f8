"""The public scene API (Scene, Optimizer, Camera): frozen, validated data; no torch, no I/O."""

import inspect
import itertools
import math
from dataclasses import dataclass, field
from numbers import Integral, Real
from types import MappingProxyType

from anim.declare.starts import Starts
from anim.declare.tune import Tune, tuned_names

RANGE_MODES = ("auto", "symmetric")
COLOR_SCALES = ("linear", "log")
# What the legend says of each optimizer: its label and its non-default hyperparameters ("short"),
# every setting that made its run ("full"), or its label alone ("label"); see anim.look.legend.
LEGENDS = ("short", "full", "label")

# The default colours, in the order optimizers that name none get them (with more optimizers
# they repeat, each with its own marker). A declaration, checked where colours are judged
# (anim.look.colors states the rules, tests/look/test_colors.py checks every figure below).
# Found by search over sRGB, then ordered so that the first few are the farthest apart, to meet
# on both themes and over viridis, in normal vision and under each simulated deficiency:
# - a WCAG contrast of at least 3:1 against the light theme's white and the dark theme's #15171c
#   (a relative luminance between 0.126 and 0.300; measured 3.05-5.88:1 on either, 2.57:1 and
#   more on the dark legend's #23262e), and at least 2:1 against both ends of viridis (2.42:1
#   and more);
# - CIEDE2000 of at least 12 between any two of them (smallest: 12.9, #c18700 and #dd2e51 under
#   deuteranopia), from both backgrounds (22.1) and both ends of viridis (21.2);
# - CIEDE2000 of at least 20 (10 under a deficiency) from every colour of viridis (smallest: 21.1
#   in normal vision, 10.4 under deuteranopia): no blue, teal or green, which a thin line on
#   viridis would lose itself in (read as the map showing between the halos).
# Six is as many as the rules allow: the luminance band both themes leave is viridis' own middle.
PALETTE = ("#9c00ff", "#c18700", "#9d4965", "#596c00", "#b474ff", "#dd2e51")


def _is_number(value):
    """A finite real number (not a bool, nan or inf)."""
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def _invalid(field_name, message):
    from anim.errors import SceneError

    return SceneError(f"{field_name}: {message}")


def brief(value, limit=60):
    """repr(value) for a message: on one line and about `limit` characters at most, so an array, a
    long list or an object whose repr spans lines (a torch optimizer's) never floods it."""
    if _is_optimizer_object(value):
        return f"an optimizer object ({type(value).__name__})"
    text = repr(value)
    if "\n" not in text and len(text) <= limit:
        return text
    shape = getattr(value, "shape", None)
    if shape is not None and not callable(shape):
        kind = {"ndarray": "numpy array", "Tensor": "tensor", "Parameter": "tensor"}.get(type(value).__name__,
                                                                                        type(value).__name__)
        return f"a {kind} of shape {tuple(shape)}"
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    if isinstance(value, (list, tuple)):  # whole items: [0, 1, 2, ... (100 items)
        return f"{text[:limit].rsplit(', ', 1)[0]}, ... ({len(value)} items)"
    return f"{text[:limit]}..."


def one_line(text):
    """An error's text as one line: a list after a colon (torch's signatures it expected, one per
    line) joined with '; ', other lines with a space."""
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    if len(lines) <= 1:
        return str(text).strip()
    if lines[0].endswith(":"):
        return lines[0] + " " + "; ".join(line.removeprefix("* ") for line in lines[1:])
    return " ".join(lines)


# What torch says when numpy meets a tensor that needs gradients; its advice, .detach().numpy(),
# would cut the gradients the optimizers run on. NUMPY_SURFACE is what optianim says instead.
_TORCH_NUMPY = "Can't call numpy() on Tensor that requires grad"
NUMPY_SURFACE = ("surface: must use torch operations (torch.sin, torch.exp, ...), not numpy, "
                 "so that the optimizers get gradients")


def calls_numpy(exc):
    """Whether `exc` is torch refusing numpy() on a tensor that needs gradients: numpy was used on
    the weights."""
    return _TORCH_NUMPY in str(exc)


# What torch says when a surface uses a tensor of many points as one number or one truth value,
# and what optianim says instead.
_AS_NUMBER = ("only one element tensors can be converted to Python scalars", "cannot be converted to Scalar")
_AS_TRUTH = "Boolean value of Tensor with more than one value is ambiguous"


def tensor_misuse(exc):
    """The one-line fix for a surface that failed on a mesh of points because it used a tensor as
    one Python number (math.sin(w1), float(w1), w1.item()) or one truth value (if w1 > 0:), or None."""
    if any(text in str(exc) for text in _AS_NUMBER):
        return ("surface: turns a tensor into one Python number (math.sin, float(), .item(), ...); use torch "
                "functions such as torch.sin, which take a whole mesh of points and keep the gradient")
    if _AS_TRUTH in str(exc):
        return ("surface: uses a tensor as one truth value (if w1 > 0: ...); choose point by point with "
                "torch.where(w1 > 0, this, that), which takes a whole mesh of points")
    return None


def _is_optimizer_object(value):
    """A built optimizer (torch.optim.SGD([p], lr=0.1)) rather than its class; duck-typed, no torch."""
    return not isinstance(value, type) and hasattr(value, "param_groups") and callable(getattr(value, "step", None))


def _as_declared(label, optimizer_object):
    """How to declare what an optimizer object was built with: Optimizer('SGD', torch.optim.SGD, lr=0.1)."""
    cls = type(optimizer_object)
    name = f"torch.optim.{cls.__name__}" if cls.__module__.startswith("torch.optim") else cls.__name__
    keywords = ""
    try:
        group = optimizer_object.param_groups[0]
        parameters = inspect.signature(cls).parameters.values()
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        parameters, group = (), {}
    for parameter in parameters:
        if parameter.name in ("self", "params") or parameter.name not in group:
            continue
        value = group[parameter.name]
        try:
            default = parameter.default is not inspect.Parameter.empty and bool(value == parameter.default)
        except Exception:  # a value that does not compare to one truth value
            default = False
        if not default:
            keywords += f", {parameter.name}={brief(value)}"
    return name, f"Optimizer({label!r}, {name}{keywords})"


def _check_range(field_name, value):
    if isinstance(value, str):
        if value not in RANGE_MODES:
            raise _invalid(field_name, f"got {brief(value)}; use a (low, high) pair of numbers or one of "
                                       + ", ".join(repr(m) for m in RANGE_MODES))
        return value
    if (not isinstance(value, (tuple, list)) or len(value) != 2
            or not all(_is_number(v) for v in value)):
        raise _invalid(field_name, f"got {brief(value)}; use a (low, high) pair of numbers, 'auto' or 'symmetric'")
    low, high = float(value[0]), float(value[1])
    if not low < high:
        raise _invalid(field_name, f"low must be below high, got ({value[0]}, {value[1]})")
    return (low, high)


def _check_point(field_name, value, what="a start point"):
    if (not isinstance(value, (tuple, list)) or len(value) != 2
            or not all(_is_number(v) for v in value)):
        raise _invalid(field_name, f"got {brief(value)}; {what} is a pair of numbers (w1, w2)")
    return (float(value[0]), float(value[1]))


def _check_noise(field_name, value, allow_none):
    """grad_noise: a finite number >= 0 as a float (or None, to inherit the scene's), or a
    non-empty list of them: a sweep."""
    if value is None and allow_none:
        return None
    if isinstance(value, list):
        if not value:
            raise _invalid(field_name, "an empty list sweeps no value; give one or more")
        return [_check_noise(f"{field_name}[{i}]", v, False) for i, v in enumerate(value)]
    if not _is_number(value) or value < 0:
        raise _invalid(field_name, f"got {brief(value)}; use a finite number >= 0 (the standard deviation of the "
                                   "Gaussian noise added to each gradient), or a list of them to sweep")
    return float(value)


def _check_seed(field_name, value, allow_none):
    """noise_seed: a whole number >= 0 (or None, to inherit the scene's), or a non-empty list of them."""
    if value is None and allow_none:
        return None
    if isinstance(value, list):
        if not value:
            raise _invalid(field_name, "an empty list sweeps no value; give one or more")
        return [_check_seed(f"{field_name}[{i}]", v, False) for i, v in enumerate(value)]
    if not isinstance(value, Integral) or isinstance(value, bool) or value < 0:
        raise _invalid(field_name, f"got {brief(value)}; use a whole number >= 0, or a list of them to sweep")
    return int(value)


def _check_clip(field_name, value, allow_none=True):
    """clip_grad_norm / clip_grad_value: a finite number > 0 (or None: no clipping), or a non-empty
    list of them: a sweep."""
    if value is None and allow_none:
        return None
    if isinstance(value, list):
        if not value:
            raise _invalid(field_name, "an empty list sweeps no value; give one or more")
        return [_check_clip(f"{field_name}[{i}]", v, False) for i, v in enumerate(value)]
    if not _is_number(value) or value <= 0:
        raise _invalid(field_name, f"got {brief(value)}; use a finite number > 0 (the gradient is clipped to it "
                                   "before each step), None for no clipping, or a list of numbers to sweep")
    return float(value)


def _check_norm_type(field_name, value):
    """clip_norm_type: the p of the p-norm clip_grad_norm_ takes, a number > 0 or math.inf."""
    if isinstance(value, Real) and not isinstance(value, bool) and (value == math.inf or (_is_number(value)
                                                                                           and value > 0)):
        return float(value)
    raise _invalid(field_name, f"got {brief(value)}; use a number > 0 (2.0, the Euclidean norm, by default) "
                               "or math.inf")


def _check_name(name):
    """A scene's name names its output folder: letters, digits, '-', '_' or '.', not leading '.'."""
    if not isinstance(name, str) or not name or not all(c.isalnum() or c in "-_." for c in name) or name[0] == ".":
        raise _invalid("name", f"got {brief(name)}; use letters, digits, '-', '_' or '.' "
                               "(it names the output folder)")


def _check_surface(surface):
    """A function the views and optimizers can call as surface(w1, w2)."""
    if not callable(surface):
        raise _invalid("surface", f"got {brief(surface)}; use a function loss(w1, w2) of two tensors")
    try:
        signature = inspect.signature(surface)
    except (TypeError, ValueError):  # a builtin or extension function without one: tried when it runs
        return
    try:
        signature.bind(None, None)
    except TypeError:
        name = getattr(surface, "__name__", type(surface).__name__)
        takes = sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
                    for p in signature.parameters.values())
        raise _invalid("surface", f"{name}{signature} takes {takes} argument{'s' * (takes != 1)}; a surface is called "
                                  f"with the two weights, one tensor each: def {name}(w1, w2)") from None


def _check_color_scale(color_scale):
    if color_scale not in COLOR_SCALES:
        raise _invalid("color_scale", f"got {brief(color_scale)}; use one of "
                                      + ", ".join(repr(s) for s in COLOR_SCALES))


def _check_legend(legend):
    if legend not in LEGENDS:
        raise _invalid("legend", f"got {brief(legend)}; use one of " + ", ".join(repr(mode) for mode in LEGENDS))


def _check_minima(minima):
    """None (the surface's known minima, or the lowest point of the view where it is clear), a
    point (w1, w2) or a list of them; [] marks none."""
    if minima is None:
        return None
    if (isinstance(minima, (tuple, list)) and len(minima) == 2 and all(_is_number(v) for v in minima)):
        return (_check_point("minima", minima, "a minimum"),)
    if not isinstance(minima, (tuple, list)):
        raise _invalid("minima", f"got {brief(minima)}; use a list of (w1, w2) points to mark, [] for none, "
                                 "or None for the surface's own")
    return tuple(_check_point(f"minima[{i}]", p, "a minimum") for i, p in enumerate(minima))


def _check_camera(camera):
    if not isinstance(camera, Camera):
        raise _invalid("camera", f"got {brief(camera)}; use anim.Camera(elevation=..., azimuth=...)")


def checked_views(views):
    """A scene's `views` as a tuple of names, each once ("grid" alone is ("grid",)); the names are
    checked against the view registry when a render resolves them (anim.drive.settings)."""
    views = (views,) if isinstance(views, str) else views
    if not isinstance(views, (tuple, list)) or not all(isinstance(v, str) and v for v in views):
        raise _invalid("views", f"got {brief(views)}; use a list of view names such as ['grid'] or "
                                "['contour', 'dashboard']")
    return tuple(dict.fromkeys(views))


def _check_angle(field_name, value):
    if value == AUTO:
        return AUTO
    if _is_number(value):
        return (float(value), float(value))
    if (isinstance(value, (tuple, list)) and len(value) == 2
            and all(_is_number(v) for v in value)):
        return (float(value[0]), float(value[1]))
    raise _invalid(field_name, f"got {brief(value)}; use a number of degrees, a (from, to) pair or 'auto'")


AUTO = "auto"


@dataclass(frozen=True)
class Camera:
    """The 3-D view's camera: each angle is fixed (a number), moves linearly (from, to) over the
    video, or is "auto" (the default): chosen from the data when the scene renders, the pose that
    shows the most of every path unhidden, and a turn towards it (anim.look.camera)."""

    elevation: object = AUTO
    """Degrees above the (w1, w2) plane: a number, (from, to) over the video, or "auto"."""
    azimuth: object = AUTO
    """Degrees around the vertical axis: a number, (from, to) over the video, or "auto"."""

    def __post_init__(self):
        object.__setattr__(self, "elevation", _check_angle("camera.elevation", self.elevation))
        object.__setattr__(self, "azimuth", _check_angle("camera.azimuth", self.azimuth))

    @property
    def automatic(self):
        """Whether an angle is left to be chosen from the data."""
        return AUTO in (self.elevation, self.azimuth)

    def pose(self, t):
        """(elevation, azimuth) in degrees at t in [0, 1] of the video (of a camera whose angles
        are chosen: see `automatic`)."""
        if self.automatic:
            raise ValueError("the camera's 'auto' angles are chosen when the scene renders (anim.look.camera)")
        (e0, e1), (a0, a1) = self.elevation, self.azimuth
        return (e0 + (e1 - e0) * t, a0 + (a1 - a0) * t)


class Optimizer:
    """One optimizer in a scene: a label, a `factory(params, **hyperparameters)`, a colour and an
    optional learning-rate scheduler(torch_optimizer), stepped after every update.

    `grad_noise` (a standard deviation >= 0) adds seeded Gaussian noise to every gradient the
    optimizer is given, before its step; the surface and the recorded loss stay clean. None (the
    default) takes the scene's `grad_noise`, and likewise `noise_seed` the scene's `noise_seed`.

    `clip_grad_norm` clips the gradient before each step exactly as
    torch.nn.utils.clip_grad_norm_(params, clip_grad_norm, clip_norm_type) does (after any noise);
    `clip_grad_value` as torch.nn.utils.clip_grad_value_(params, clip_grad_value). One of them at most.

    A hyperparameter (or grad_noise, noise_seed, clip_grad_norm, clip_grad_value) given as a list is a
    sweep: `expanded()` makes one optimizer per value (one per combination, for several lists),
    labelled by its values. A tuple is one value (`betas`). `tuned` names the hyperparameters the
    tuner chose (anim.tune), once it has: their values are then in `hyperparameters`.
    """

    __slots__ = ("label", "factory", "hyperparameters", "color", "scheduler", "swept", "grad_noise", "noise_seed",
                 "clip_grad_norm", "clip_norm_type", "clip_grad_value", "tuned")

    def __init__(self, label, factory, *, color=None, scheduler=None, grad_noise=None, noise_seed=None,
                 clip_grad_norm=None, clip_norm_type=2.0, clip_grad_value=None, **hyperparameters):
        if not isinstance(label, str) or not label.strip():
            raise _invalid("optimizers", f"an optimizer's label must be a non-empty string, got {brief(label)}")
        if isinstance(factory, str):  # a name: looked up in pytorch_optimizer's registry (anim.declare.catalog)
            from anim.declare.catalog import resolve

            factory = resolve(factory, f"optimizers[{label!r}]")
        if _is_optimizer_object(factory):
            name, declared = _as_declared(label, factory)
            raise _invalid(f"optimizers[{label!r}]",
                           f"factory is an optimizer object ({type(factory).__name__}); pass the class, "
                           f"{name}, and its hyperparameters as keywords: {declared}")
        if not callable(factory):
            raise _invalid(f"optimizers[{label!r}]",
                           f"factory {brief(factory)} is not callable; pass a torch.optim class, a function "
                           "that takes a parameter list, or an optimizer's name ('lion')")
        if color is not None and not isinstance(color, str):
            raise _invalid(f"optimizers[{label!r}].color", f"got {brief(color)}; use a colour name or '#rrggbb'")
        if scheduler is not None and not callable(scheduler):
            raise _invalid(f"optimizers[{label!r}].scheduler",
                           f"got {brief(scheduler)}; use a function of the torch optimizer, such as "
                           "functools.partial(torch.optim.lr_scheduler.StepLR, step_size=30)")
        for name, value in hyperparameters.items():
            if isinstance(value, list) and not value:
                raise _invalid(f"optimizers[{label!r}].{name}", "an empty list sweeps no value; give one or more")
            if isinstance(value, list) and any(isinstance(v, Tune) for v in value):
                raise _invalid(f"optimizers[{label!r}].{name}", "anim.tune(...) cannot be one value of a sweep; "
                                                                "give it alone, as the hyperparameter's value")
        if len(tuned_names(hyperparameters)) > 1:
            raise _invalid(f"optimizers[{label!r}]", f"tunes {' and '.join(tuned_names(hyperparameters))}; "
                                                     "tune one hyperparameter per optimizer")
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "factory", factory)
        object.__setattr__(self, "hyperparameters", MappingProxyType(dict(hyperparameters)))
        object.__setattr__(self, "color", color)
        object.__setattr__(self, "scheduler", scheduler)
        object.__setattr__(self, "swept", ())  # names of the values a sweep set, once expanded
        object.__setattr__(self, "grad_noise", _check_noise(f"optimizers[{label!r}].grad_noise", grad_noise, True))
        object.__setattr__(self, "noise_seed", _check_seed(f"optimizers[{label!r}].noise_seed", noise_seed, True))
        field_name = f"optimizers[{label!r}]"
        object.__setattr__(self, "clip_grad_norm", _check_clip(f"{field_name}.clip_grad_norm", clip_grad_norm))
        object.__setattr__(self, "clip_norm_type", _check_norm_type(f"{field_name}.clip_norm_type", clip_norm_type))
        object.__setattr__(self, "clip_grad_value", _check_clip(f"{field_name}.clip_grad_value", clip_grad_value))
        object.__setattr__(self, "tuned", ())  # names of the hyperparameters a tuner chose, once tuned
        if self.clip_grad_norm is not None and self.clip_grad_value is not None:
            raise _invalid(field_name, "give clip_grad_norm or clip_grad_value, not both")
        if self.clip_grad_norm is None and self.clip_norm_type != 2.0:
            raise _invalid(f"{field_name}.clip_norm_type", "applies to clip_grad_norm, which is not given")

    def __setattr__(self, name, value):
        raise AttributeError("Optimizer is immutable")

    def __repr__(self):
        params = "".join(f", {k}={v!r}" for k, v in self.hyperparameters.items())
        noise = "".join(f", {k}={v!r}" for k, v in (("grad_noise", self.grad_noise), ("noise_seed", self.noise_seed),
                                                     ("clip_grad_norm", self.clip_grad_norm),
                                                     ("clip_grad_value", self.clip_grad_value)) if v is not None)
        if self.clip_norm_type != 2.0:
            noise += f", clip_norm_type={self.clip_norm_type!r}"
        name = getattr(self.factory, "__qualname__", repr(self.factory))
        return f"Optimizer({self.label!r}, {name}{params}{noise}, color={self.color!r})"

    @property
    def clipping(self):
        """How its gradient is clipped, in words ("clipped at 1", "clipped at 1 (inf-norm)", "values
        clipped at 0.5"), or None."""
        if self.clip_grad_norm is not None and not isinstance(self.clip_grad_norm, list):
            norm = "" if self.clip_norm_type == 2.0 else f" ({format(self.clip_norm_type, 'g')}-norm)"
            return f"clipped at {format(self.clip_grad_norm, 'g')}{norm}"
        if self.clip_grad_value is not None and not isinstance(self.clip_grad_value, list):
            return f"values clipped at {format(self.clip_grad_value, 'g')}"
        return None

    def with_color(self, color):
        return self._replace(color=color)

    def inheriting(self, grad_noise, noise_seed):
        """Itself with the scene's grad_noise and noise_seed where it sets none of its own."""
        return self._replace(grad_noise=self.grad_noise if self.grad_noise is not None else grad_noise,
                             noise_seed=self.noise_seed if self.noise_seed is not None else noise_seed)

    def _replace(self, **changes):
        now = dict(label=self.label, color=self.color, hyperparameters=self.hyperparameters, swept=self.swept,
                   grad_noise=self.grad_noise, noise_seed=self.noise_seed, clip_grad_norm=self.clip_grad_norm,
                   clip_norm_type=self.clip_norm_type, clip_grad_value=self.clip_grad_value, tuned=self.tuned)
        now.update(changes)
        copy = Optimizer(now["label"], self.factory, color=now["color"], scheduler=self.scheduler,
                         grad_noise=now["grad_noise"], noise_seed=now["noise_seed"],
                         clip_grad_norm=now["clip_grad_norm"], clip_norm_type=now["clip_norm_type"],
                         clip_grad_value=now["clip_grad_value"], **now["hyperparameters"])
        object.__setattr__(copy, "swept", now["swept"])
        object.__setattr__(copy, "tuned", tuple(now["tuned"]))
        return copy

    def with_value(self, name, value):
        """Itself with hyperparameter `name` set to `value` (such as an anim.tune(...))."""
        return self._replace(hyperparameters={**self.hyperparameters, name: value})

    def tuned_to(self, name, value):
        """Itself with hyperparameter `name` set to `value` by a tuner (see anim.tune), and `tuned` saying so."""
        return self._replace(hyperparameters={**self.hyperparameters, name: value}, tuned=(*self.tuned, name))

    def expanded(self):
        """One optimizer per value of each swept (list) hyperparameter, grad_noise, noise_seed,
        clip_grad_norm or clip_grad_value, in order, labelled 'SGD lr=0.1'; itself alone when nothing
        is swept."""
        values = {**self.hyperparameters, "grad_noise": self.grad_noise, "noise_seed": self.noise_seed,
                  "clip_grad_norm": self.clip_grad_norm, "clip_grad_value": self.clip_grad_value}
        swept = [name for name, value in values.items() if isinstance(value, list)]
        if not swept:
            return [self]
        combinations = [dict(zip(swept, chosen)) for chosen in itertools.product(*(values[name] for name in swept))]
        for shown in (_short, repr):  # in full where the short form would make two labels alike
            labels = [" ".join([self.label] + [f"{name}={shown(value)}" for name, value in chosen.items()])
                      for chosen in combinations]
            if len(set(labels)) == len(labels):
                break
        return [self._replace(label=label, swept=tuple(swept),
                              hyperparameters={k: chosen.get(k, v) for k, v in self.hyperparameters.items()},
                              grad_noise=chosen.get("grad_noise", self.grad_noise),
                              noise_seed=chosen.get("noise_seed", self.noise_seed),
                              clip_grad_norm=chosen.get("clip_grad_norm", self.clip_grad_norm),
                              clip_grad_value=chosen.get("clip_grad_value", self.clip_grad_value))
                for label, chosen in zip(labels, combinations)]


def _short(value):
    """A swept value as its label shows it: 0.1, 1e-05, 0.9, (0.9, 0.999)."""
    return format(value, "g") if isinstance(value, float) else str(value)


@dataclass(frozen=True)
class Scene:
    """A loss surface, the optimizers that descend it, where they start and how the views look."""

    name: str
    """Names the output folder, OUT/<name>/: letters, digits, '-', '_' or '.', not starting with '.'."""
    surface: object
    """The loss: an elementwise function loss(w1, w2) of two tensors, built from torch operations
    (it is sampled on a mesh for the views and differentiated at each point for the optimizers)."""
    optimizers: tuple
    """The optimizers (`Optimizer`), each run from every start point; a list hyperparameter sweeps."""
    init: object = (0.0, 0.0)
    """Where every optimizer starts: a point (w1, w2), a list of points, or a generator of
    `anim.starts` (grid, random, circle) for a swarm."""
    steps: int = 100
    """Points recorded per run: one before each update, as the lecture's train_curve records them."""
    title: str = ""
    """The title drawn on every view (mathtext works); the name when empty."""
    x_range: object = "auto"
    """The window along w1: (low, high), "auto" (fitted to the paths) or "symmetric" (±max|w1|)."""
    y_range: object = "auto"
    """The window along w2, as `x_range`."""
    camera: Camera = field(default_factory=Camera)
    """The 3-D view's camera path (`Camera`)."""
    zlabel: str = "loss"
    """The label of the loss axis and the colour bar."""
    color_scale: str = "linear"
    """Either "linear", or "log": contour levels and surface colours spaced by decades above the minimum."""
    grad_noise: object = 0.0
    """The standard deviation of Gaussian noise added to each gradient, for optimizers that set none
    (see `Optimizer`); a list sweeps."""
    noise_seed: object = 0
    """The seed of that noise (a whole number >= 0), for optimizers that set none; a list sweeps."""
    overlays: tuple = ()
    """Arrows drawn at each head: "gradient", "update", "momentum" or a state key such as
    "exp_avg_sq" (`--overlay` replaces them; anim.look.arrows)."""
    views: tuple = ()
    """The views a render draws unless --view says, such as ("grid",); () draws contour and surface."""
    minima: object = None
    """Points marked with a star: a point (w1, w2) or a list of them, [] for none; None marks the
    surface's known minima (anim.compute.minima)."""
    legend: str = "short"
    """What the legend says of each optimizer: "short" (its label and non-default hyperparameters),
    "full" (every setting that made its run) or "label" (its label alone)."""

    def __post_init__(self):
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        _check_name(self.name)
        _check_surface(self.surface)
        if not isinstance(self.steps, int) or isinstance(self.steps, bool) or self.steps < 1:
            raise _invalid("steps", f"got {brief(self.steps)}; use a whole number of updates >= 1")
        if not isinstance(self.title, str):
            raise _invalid("title", f"got {brief(self.title)}; use a string")
        set_("title", self.title or self.name)
        set_("x_range", _check_range("x_range", self.x_range))
        set_("y_range", _check_range("y_range", self.y_range))
        set_("init", self._checked_init(self.init, self.x_range, self.y_range))
        set_("grad_noise", _check_noise("grad_noise", self.grad_noise, False))
        set_("noise_seed", _check_seed("noise_seed", self.noise_seed, False))
        set_("optimizers", self._checked_optimizers(self.optimizers, self.grad_noise, self.noise_seed))
        _check_color_scale(self.color_scale)
        overlays = (self.overlays,) if isinstance(self.overlays, str) else self.overlays
        if not isinstance(overlays, (tuple, list)) or not all(isinstance(o, str) and o for o in overlays):
            raise _invalid("overlays", f"got {brief(self.overlays)}; use a list of overlay names such as "
                                       "['gradient', 'update', 'momentum'] or state keys such as 'exp_avg'")
        set_("overlays", tuple(dict.fromkeys(overlays)))
        _check_camera(self.camera)
        set_("views", checked_views(self.views))
        set_("minima", _check_minima(self.minima))
        _check_legend(self.legend)

    @staticmethod
    def _checked_init(init, x_range, y_range):
        if isinstance(init, Starts):
            if init.needs_window and (isinstance(x_range, str) or isinstance(y_range, str)):
                raise _invalid("init", f"{brief(init)} spreads over the window, which is fitted to the paths; "
                                       "give x_range and y_range as (low, high), or the generator x=(low, high) "
                                       "and y=(low, high)")
            init = init.points(x_range, y_range)
        if (isinstance(init, (tuple, list)) and len(init) == 2
                and all(_is_number(v) for v in init)):
            return (_check_point("init", init),)
        if isinstance(init, (tuple, list)) and init:
            return tuple(_check_point(f"init[{i}]", p) for i, p in enumerate(init))
        raise _invalid("init", f"got {brief(init)}; use a start point (w1, w2), a non-empty list of them, "
                               "or anim.starts.grid(n), random(n, seed) or circle(n, radius)")

    @staticmethod
    def _checked_optimizers(optimizers, grad_noise, noise_seed):
        if isinstance(optimizers, Optimizer):
            optimizers = [optimizers]
        if not isinstance(optimizers, (tuple, list)) or not optimizers:
            raise _invalid("optimizers", "declare at least one anim.Optimizer(label, factory, ...)")
        seen = set()
        checked = []
        for i, declared in enumerate(optimizers):
            if _is_optimizer_object(declared):
                name, example = _as_declared(type(declared).__name__, declared)
                raise _invalid(f"optimizers[{i}]", f"got {brief(declared)}; declare the class and its "
                                                   f"hyperparameters as keywords: anim.{example}")
            if not isinstance(declared, Optimizer):
                raise _invalid(f"optimizers[{i}]", f"got {brief(declared)}; use anim.Optimizer(label, factory, ...)")
            for opt in declared.inheriting(grad_noise, noise_seed).expanded():
                if opt.label in seen:
                    raise _invalid(f"optimizers[{i}]", f"duplicate label {opt.label!r}; labels must be unique")
                seen.add(opt.label)
                if opt.color is None:
                    opt = opt.with_color(PALETTE[len(checked) % len(PALETTE)])
                checked.append(opt)
        return tuple(checked)
