"""The scene library: which files of a folder are scene files and what each shows (read, never run), and new scene files."""

import ast
import re
from pathlib import Path

from anim.errors import AnimError

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

TEMPLATE = '''"""{title}: one line on what this scene teaches (optianim list shows it)."""

import torch

from anim import Camera, Optimizer, Scene, starts  # noqa: F401 (starts: for swarms, see init)
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
    camera=Camera(elevation=35, azimuth=(-60, 60)),  # the 3-D view turns from -60 to 60 degrees
)
'''


def describe(folder):
    """[(file name, first line of its docstring)] for every scene file in `folder`, by name."""
    return [(path.name, _first_docstring_line(path)) for path in scene_paths(folder)]


def scene_paths(folder):
    """The scene files in `folder`, by name (what `list` shows and a batch renders)."""
    return scan(folder)[0]


def scan(folder):
    """(scene files, [(path, why skipped)]) of the *.py files in `folder`, by name, decided by
    reading each file, never running it: a scene file is a regular file whose name does not
    start with '_' and that binds `scene` at its top level (`scene = ...`, or imports it); a
    file that does not parse is kept, so that the render reports its syntax error."""
    folder = Path(folder)
    if not folder.is_dir():
        raise AnimError(f"{folder}: not a folder of scene files")
    scenes, skipped = [], []
    for path in sorted(folder.glob("*.py")):
        why = _not_a_scene(path)
        if why:
            skipped.append((path, why))
        else:
            scenes.append(path)
    return scenes, skipped


def _not_a_scene(path):
    """Why `path` is no scene file, or None if it is one."""
    if path.name.startswith("_"):
        return "its name starts with '_'"
    if not path.is_file():  # a FIFO, a socket, a folder named *.py: reading it could hang
        return "not a regular file"
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (SyntaxError, ValueError):
        return None
    except OSError as exc:
        return f"unreadable: {exc.strerror}"
    return None if _binds_scene(tree.body) else "no top-level `scene = ...`"


def _binds_scene(statements):
    """Whether these statements (a module's body, or an if/try/with block in it) bind `scene`."""
    for node in statements:
        if isinstance(node, ast.Assign) and any(_names_scene(target) for target in node.targets):
            return True
        if isinstance(node, (ast.AnnAssign, ast.AugAssign)) and _names_scene(node.target):
            return True
        if isinstance(node, (ast.Import, ast.ImportFrom)) and any(
                (alias.asname or alias.name) == "scene" for alias in node.names):
            return True
        blocks = [getattr(node, name, []) for name in ("body", "orelse", "finalbody")]
        blocks += [handler.body for handler in getattr(node, "handlers", [])]
        if isinstance(node, (ast.If, ast.Try, ast.With)) and any(_binds_scene(block) for block in blocks):
            return True
    return False


def _names_scene(target):
    if isinstance(target, ast.Name):
        return target.id == "scene"
    return isinstance(target, (ast.Tuple, ast.List)) and any(_names_scene(t) for t in target.elts)


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
