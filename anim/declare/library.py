"""The scene library: the scenes shipped with optianim and scenes by name, which files of a folder
are scene files and what each shows (read, never run), and new scene files."""

import ast
import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from anim.errors import AnimError, UsageError

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


def shipped_folder():
    """The scenes shipped with optianim: installed as anim/scenes/ by the wheel, or the source
    tree's scenes/ (a clone, an editable install), which is what the wheel copies."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "scenes"
    return installed if installed.is_dir() else package.parent / "scenes"


def shipped_names():
    """The names of the shipped scenes (pathological, ...), by name."""
    return [path.stem for path in sorted(shipped_folder().glob("*.py")) if not path.name.startswith("_")]


def shipped(name):
    """The shipped scene file called `name` (pathological or pathological.py), or None."""
    stem = name.removesuffix(".py")
    path = shipped_folder() / f"{stem}.py"
    return path if NAME.match(stem) and path.is_file() else None


@dataclass(frozen=True)
class Found:
    """Where a scene argument points: `path`, and `shadows`, the shipped scene of the same name
    that a file in the current folder won over (None if none did)."""

    path: Path
    shadows: Path = None


def find_scene(given):
    """The scene file (or folder) an argument names: a path that exists, as it is; a bare name
    (pathological, or pathological.py) is the current folder's file of that name, else the shipped
    scene. Anything else is returned as given, for the loader to say what is missing."""
    path = Path(given)
    if path.exists() or path.parent != Path(".") or shipped(path.name) is None:
        return Found(path)
    here = Path(f"{path.name.removesuffix('.py')}.py")
    if here.is_file():
        return Found(here, shipped(path.name))
    return Found(shipped(path.name))


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


def new_scene(name, folder=".", source=None):
    """Write `folder/<name>.py`, a commented scene that renders as it is, or a copy of the scene
    file `source` (a path or a shipped scene's name) with its scene renamed `name`, so that it
    renders into a folder of its own; returns its path. Never overwrites a file."""
    if not NAME.match(name):
        raise UsageError(_name_fix(name))
    path = Path(folder) / f"{name}.py"
    if source is None:
        text = TEMPLATE.format(name=name, title=name.replace("_", " ").capitalize())
    else:
        text = _renamed(_source_text(source), name)
    try:
        with open(path, "x") as handle:
            handle.write(text)
    except FileExistsError:
        raise AnimError(f"{path} already exists; choose another name or remove it") from None
    except OSError as exc:
        raise AnimError(f"cannot write {path}: {exc.strerror}") from exc
    return path


def _name_fix(name):
    """Why `name` cannot name a new scene, and what would."""
    path = Path(name)
    stem = path.name.removesuffix(".py")
    if NAME.match(stem) and path.parent != Path("."):
        return f"scene name {name!r}: give the folder with -d: optianim new {stem} -d {path.parent}"
    if NAME.match(stem):
        return f"scene name {name!r}: drop the .py (optianim new {stem} writes {stem}.py)"
    return (f"scene name {name!r}: use letters, digits and '_', not starting with a digit "
            "(it names the file and the output folder)")


def _source_text(source):
    """The text of the scene file `source` names (as `find_scene` finds it)."""
    path = find_scene(source).path
    if not path.is_file():
        close = _close_shipped(Path(source).name)
        raise AnimError(f"--from {source}: no such scene file or shipped scene"
                        + (f" (did you mean {close}?)" if close else "; optianim list shows the shipped scenes"))
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AnimError(f"--from {source}: cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from exc


def _close_shipped(name):
    close = difflib.get_close_matches(name.removesuffix(".py"), shipped_names(), n=1, cutoff=0.6)
    return close[0] if close else None


def _renamed(text, name):
    """The scene file `text` with the string given as `name=` to its Scene or Landscape replaced by
    `name` (left as it is where the name is not a plain string)."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return text
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and callee(node) in ("Scene", "Landscape"):
            for keyword in node.keywords:
                value = keyword.value
                if keyword.arg == "name" and isinstance(value, ast.Constant) and isinstance(value.value, str):
                    data = text.encode()  # ast's columns count UTF-8 bytes
                    lines = data.splitlines(keepends=True)
                    start = sum(map(len, lines[:value.lineno - 1])) + value.col_offset
                    end = sum(map(len, lines[:value.end_lineno - 1])) + value.end_col_offset
                    return (data[:start] + f'"{name}"'.encode() + data[end:]).decode()
    return text


def callee(call):
    """The name an ast.Call calls: Scene for Scene(...) and anim.Scene(...)."""
    return getattr(call.func, "id", None) or getattr(call.func, "attr", None)
