"""The public Landscape scene: a real network's loss, optimizers and a plane through weight space;
frozen, validated data (no torch, no I/O)."""

from dataclasses import dataclass, field
from numbers import Integral

from anim.declare.scene import (
    Camera,
    Scene,
    _check_camera,
    _check_color_scale,
    _check_legend,
    _check_minima,
    _check_name,
    _check_range,
    _invalid,
    brief,
    checked_views,
)
from anim.declare.tune import tuned_names

PLANES = ("pca", "random")


@dataclass(frozen=True)
class Landscape:
    """A model trained by each optimizer from the same initial weights, drawn on one plane of
    weight space: `plane` is "pca" (the paths' two principal directions), "random" (two
    filter-normalised random directions, Li et al. 2018) or a pair of direction tensors; its
    centre is the initial weights, or `center` (an optimizer's label: its last weights; or a
    tensor of every weight). `resolution` samples per side of the plane's grid, shared by every view."""

    name: str
    model: object
    data: object
    loss: object
    optimizers: tuple
    steps: int = 100
    batch_size: object = None
    plane: object = "pca"
    center: object = None
    title: str = ""
    x_range: object = "auto"
    y_range: object = "auto"
    camera: Camera = field(default_factory=Camera)
    zlabel: str = "loss"
    color_scale: str = "linear"
    resolution: int = 51
    views: tuple = ()  # as Scene.views
    minima: object = None  # points of the plane marked with a star; None: its lowest point where clear
    legend: str = "short"  # what the legend says of each optimizer (see Scene.legend)

    def __post_init__(self):
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        _check_name(self.name)
        if not callable(self.model) or _is_module(self.model):
            what = "a module object" if _is_module(self.model) else brief(self.model)
            raise _invalid("model", f"got {what}; use a function returning a fresh torch.nn.Module "
                                    "(such as the class, or def make_model(): return nn.Sequential(...))")
        if not callable(self.data) and not (isinstance(self.data, (tuple, list)) and len(self.data) == 2):
            raise _invalid("data", f"got {brief(self.data)}; use (X, y), two tensors with one row per "
                                   "example, or a function returning them")
        if not callable(self.loss):
            raise _invalid("loss", f"got {brief(self.loss)}; use a function loss(model(X), y) returning one "
                                   "value, such as torch.nn.functional.cross_entropy")
        if not isinstance(self.steps, Integral) or isinstance(self.steps, bool) or self.steps < 1:
            raise _invalid("steps", f"got {brief(self.steps)}; use a whole number of updates >= 1")
        if self.batch_size is not None and (not isinstance(self.batch_size, Integral)
                                            or isinstance(self.batch_size, bool) or self.batch_size < 1):
            raise _invalid("batch_size", f"got {brief(self.batch_size)}; use None (full batch) or a whole "
                                         "number of examples >= 1")
        if isinstance(self.plane, str):
            if self.plane not in PLANES:
                raise _invalid("plane", f"got {brief(self.plane)}; use 'pca', 'random' or a pair of direction "
                                        "tensors (d1, d2)")
        elif not (isinstance(self.plane, (tuple, list)) and len(self.plane) == 2):
            raise _invalid("plane", f"got {brief(self.plane)}; use 'pca', 'random' or a pair of direction "
                                    "tensors (d1, d2)")
        if not isinstance(self.title, str):
            raise _invalid("title", f"got {brief(self.title)}; use a string")
        set_("title", self.title or self.name)
        set_("x_range", _check_range("x_range", self.x_range))
        set_("y_range", _check_range("y_range", self.y_range))
        _check_color_scale(self.color_scale)
        _check_camera(self.camera)
        set_("views", checked_views(self.views))
        set_("minima", _check_minima(self.minima))
        _check_legend(self.legend)
        if (not isinstance(self.resolution, Integral) or isinstance(self.resolution, bool)
                or not 3 <= self.resolution <= 401):
            raise _invalid("resolution", f"got {brief(self.resolution)}; use a whole number of samples per "
                                         "side from 3 to 401")
        optimizers = Scene._checked_optimizers(self.optimizers, 0.0, 0)
        for opt in optimizers:
            if opt.grad_noise:
                raise _invalid(f"optimizers[{opt.label!r}].grad_noise",
                               "adds noise to two weights of a surface; a landscape's noise is its minibatches "
                               "(batch_size)")
        for opt in optimizers:
            if tuned_names(opt.hyperparameters):
                raise _invalid(f"optimizers[{opt.label!r}].{tuned_names(opt.hyperparameters)[0]}",
                               "anim.tune(...) tunes on a Scene's surface; a Landscape takes a value, or a list "
                               "to sweep")
        set_("optimizers", optimizers)
        if isinstance(self.center, str) and self.center not in {o.label for o in optimizers}:
            raise _invalid("center", f"got {self.center!r}, which is no optimizer's label; use one of "
                                     + ", ".join(repr(o.label) for o in optimizers)
                                     + ", a tensor of every weight, or None (the initial weights)")


def _is_module(value):
    """A built torch.nn.Module (duck-typed, no torch): it has parameters() and a forward."""
    return not isinstance(value, type) and callable(getattr(value, "parameters", None)) and hasattr(value, "forward")
