"""The scene library: what each scene file in a folder shows (read, never run), and new scene files."""

import ast
import re
from pathlib import Path

from anim.errors import AnimError

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

TEMPLATE = '''"""{title}: one line on what this scene teaches (optianim list shows it)."""

import torch

from anim import Camera, Optimizer, Scene, starts  # noqa: F401 (Camera and starts: see camera and init)
from anim.surfaces import quadratic_bowl  # or rosenbrock, himmelblau, saddle, ...; see anim/surfaces.py


def loss(w1, w2):
    """The surface: an elementwise torch function of two tensors (it is also sampled on a mesh)."""
    return quadratic_bowl(condition=10)(w1, w2) + 0.2 * torch.sin(3 * w1)


scene = Scene(
    name="{name}",                        # the output folder: media/{name}/
    title="{title}",                      # mathtext works: r"$w_1^2 + 10 w_2^2$"
    surface=loss,
    init=(-2.5, 1.5),                     # one start point (w1, w2), a list of them, or a swarm:
                                          # starts.grid(10), starts.random(200, seed=0), starts.circle(12)
    steps=80,                             # points recorded: one before each update
    x_range=(-3, 3),                      # (low, high), "auto" (fit the paths) or "symmetric"
    y_range=(-2, 2),
    optimizers=[                          # any torch.optim class (or your own), with its hyperparameters;
                                          # a list sweeps (lr=[0.01, 0.05]: one optimizer per value, see
                                          # --view grid); scheduler=functools.partial(
                                          #     torch.optim.lr_scheduler.StepLR, step_size=20) per optimizer
        Optimizer("SGD", torch.optim.SGD, lr=0.05, color="red"),
        Optimizer("Momentum SGD", torch.optim.SGD, lr=0.05, momentum=0.9, color="blue"),
        Optimizer("Adam", torch.optim.Adam, lr=0.1, color="black"),
    ],
    # The 3-D view's camera is chosen from the paths: the pose that shows the most of each of them
    # unhidden, turned to over the video. To fix it: camera=Camera(elevation=35, azimuth=(-60, 60)).
    # A star marks the surface's minimum (its own, or the lowest point of the view where it is clear):
    # minima=[(0, 0)] to name it, [] for none. legend="full" shows every setting, "label" the label alone.
)
'''


def describe(folder):
    """[(file name, first line of its docstring)] for every scene file in `folder`, by name."""
    return [(path.name, _first_docstring_line(path)) for path in scene_paths(folder)]


def scene_paths(folder):
    """The scene files in `folder`, by name: every *.py not starting with '_' (what `list` shows
    and a batch renders)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise AnimError(f"{folder}: not a folder of scene files")
    return [path for path in sorted(folder.glob("*.py")) if not path.name.startswith("_")]


def _first_docstring_line(path):
    try:
        docstring = ast.get_docstring(ast.parse(path.read_bytes(), filename=str(path)))
    except SyntaxError as exc:
        return f"(syntax error at line {exc.lineno})"
    except (OSError, ValueError) as exc:
        return f"(unreadable: {exc})"
    return docstring.strip().splitlines()[0] if docstring and docstring.strip() else "(no docstring)"


def new_scene(name, folder="."):
    """Write `folder/<name>.py`, a commented scene that renders as it is; returns its path.
    Never overwrites a file."""
    if not NAME.match(name):
        raise AnimError(f"scene name {name!r}: use letters, digits and '_', not starting with a digit "
                        "(it names the file and the output folder)")
    path = Path(folder) / f"{name}.py"
    title = name.replace("_", " ").capitalize()
    try:
        with open(path, "x") as handle:
            handle.write(TEMPLATE.format(name=name, title=title))
    except FileExistsError:
        raise AnimError(f"{path} already exists; choose another name or remove it") from None
    except OSError as exc:
        raise AnimError(f"cannot write {path}: {exc.strerror}") from exc
    return path
