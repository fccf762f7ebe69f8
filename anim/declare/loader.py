"""Loads the `scene` a scene file defines; every failure becomes a SceneError naming the file; and
contains what scene code does to the process (exits, the working directory, sys.argv)."""

import ast
import contextlib
import dataclasses
import difflib
import hashlib
import importlib
import importlib.util
import itertools
import os
import re
import sys
import traceback
from pathlib import Path

from anim.declare import reads
from anim.declare.landscape import Landscape
from anim.declare.scene import Scene, calls_numpy, one_line
from anim.errors import SceneError

_module_ids = itertools.count()


def load_scene(path):
    """Execute the scene file at `path` and return its validated `scene`."""
    path = Path(path)
    if not path.exists():
        raise SceneError(_not_found(path), path)
    if path.is_dir():
        raise SceneError("is a folder; give a scene file such as scenes/pathological.py", path)
    if path.suffix != ".py":
        raise SceneError("a scene file is a Python file ending in .py", path)
    module_name = f"optianim_scene_{next(_module_ids)}_{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        with contained(path), _folder_importable(path.parent):
            spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise SceneError(f"syntax error: {exc.msg}", path, exc.lineno) from exc
    except SceneError as exc:
        if exc.path is not None:  # contained's: it names the file and line already
            raise
        raise SceneError(one_line(exc), path, _declared_line(path, str(exc)) or _line_in(exc, path)) from exc
    except Exception as exc:
        if calls_numpy(exc):  # the file itself ran numpy on a tensor that needs gradients
            raise SceneError("numpy was called on a tensor that needs gradients: use torch operations "
                             "(torch.sin, torch.exp, ...), not numpy, so that the optimizers get gradients",
                             path, _line_in(exc, path)) from exc
        raise SceneError(f"{type(exc).__name__}: {one_line(exc)}{_field_hint(exc)}", path, _line_in(exc, path)) from exc
    finally:
        sys.modules.pop(module_name, None)
    scene = getattr(module, "scene", None)
    if scene is None:
        raise SceneError("defines no `scene`; end the file with scene = anim.Scene(...)", path)
    if not isinstance(scene, (Scene, Landscape)):
        raise SceneError(f"`scene` is a {type(scene).__name__}, not an anim.Scene or anim.Landscape", path)
    return scene


def _not_found(path):
    """'no such file', with the scene file or shipped scene of the closest name. A bare name was
    looked for in the current folder, then among the shipped scenes (library.find_scene)."""
    from anim.declare import library

    stem = path.name.removesuffix(".py")
    folder = path.parent if path.parent.is_dir() else None
    beside = {p.stem: p for p in folder.glob("*.py")} if folder else {}
    if path.parent == Path("."):
        close = difflib.get_close_matches(stem, [*beside, *library.shipped_names()], n=1, cutoff=0.6)
        meant = close and (beside.get(close[0]) or close[0])
        return "no such file, nor a shipped scene " + (f"(did you mean {meant}?)" if close else
                                                       "(optianim list shows the shipped scenes)")
    close = difflib.get_close_matches(stem, list(beside), n=1, cutoff=0.6)
    if close:
        return f"no such file (did you mean {beside[close[0]]}?)"
    if library.shipped(path.name):
        return f"no such file (a shipped scene has that name: give {stem} alone)"
    return "no such file"
class _ExitRefused(SystemExit):
    """os._exit called by scene code, refused: it would end optianim with no word."""


@contextlib.contextmanager
def contained(path=None):
    """Runs scene code (a scene file loading, or its surface, optimizers and model later) so that
    what it does to the process stays in it: it sees sys.argv as a script run alone would (an
    argparse in a helper finds no arguments); sys.exit, exit(), os._exit and an argparse error
    become a SceneError naming the file and line instead of ending optianim; running out of
    memory is a SceneError too; and a working directory it changes (os.chdir) is restored."""
    cwd, argv, end_process = os.getcwd(), list(sys.argv), os._exit

    def refused(status):
        raise _ExitRefused(status)

    sys.argv[:] = [str(path) if path is not None else ""]
    os._exit = refused
    try:
        yield
    except SystemExit as exc:
        call = "os._exit" if isinstance(exc, _ExitRefused) else "sys.exit"
        line = _line_in(exc, path) if path is not None else None
        raise SceneError(f"the scene exits ({call}({exc.code!r})) while optianim runs it; a scene file defines "
                         "`scene` and must not end the process", path, line) from None
    except MemoryError as exc:
        detail = f": {one_line(exc)}" if str(exc) else ""
        line = _line_in(exc, path) if path is not None else None
        raise SceneError(f"ran out of memory (MemoryError{detail}); give the scene fewer start points, optimizers "
                         "or steps", path, line) from None
    finally:
        os._exit = end_process
        sys.argv[:] = argv
        with contextlib.suppress(OSError):  # (a folder removed meanwhile: nothing to go back to)
            os.chdir(cwd)


@contextlib.contextmanager
def _folder_importable(folder):
    """While a scene file runs, the modules beside it import (`from common import bowl`), ahead of
    any module of the same name already imported; afterwards sys.path and sys.modules are as they
    were, so the next scene, from another folder, imports its own `common`. (The scene keeps the
    modules it imported: its functions hold them.)"""
    folder = folder.resolve()
    local = {p.stem if p.suffix == ".py" else p.name for p in folder.iterdir()
             if p.suffix == ".py" or (p / "__init__.py").is_file()}
    shadowed = {name: module for name, module in sys.modules.items() if name.partition(".")[0] in local}
    for name in shadowed:
        del sys.modules[name]
    before, path = set(sys.modules), list(sys.path)
    sys.path.insert(0, str(folder))
    importlib.invalidate_caches()  # a module written since the last import is seen
    try:
        yield
    finally:
        sys.path[:] = path
        reads.imported(set(sys.modules) - before)  # a render recording what the scene read sees them
        for name in set(sys.modules) - before:
            if _inside(sys.modules[name], folder):
                del sys.modules[name]
        sys.modules.update(shadowed)


def _inside(module, folder):
    file = getattr(module, "__file__", None)
    return file is not None and Path(file).resolve().is_relative_to(folder)


def located(exc, path):
    """A SceneError raised after the scene file at `path` loaded (by its surface, its optimizers,
    the checks), naming the file and the line to fix: where the error's cause failed in the file
    (a line of the surface), else where the field it names is declared (the Optimizer(...) of a
    label, the surface's def, a keyword of the Scene)."""
    cause, line = exc.__cause__, None
    while cause is not None and line is None:
        line, cause = _line_in(cause, path), cause.__cause__
    return SceneError(str(exc), path, line or _declared_line(path, str(exc)))


# The field a scene error names first: "surface: ...", "optimizers['SGD'].scheduler: ...", "x_range: ...".
_FIELD = re.compile(r"(?P<field>[a-z_]+)(?:\[(?P<key>[^\]]+)\])?[.:]")


def _declared_line(path, message):
    """The line of the scene file where the field a message begins with is declared, or None: an
    optimizer's Optimizer(...) call, found by its label (a sweep's 'SGD lr=0.1' by 'SGD'); the
    surface's def; else the field's keyword in the Scene (or Landscape) call."""
    from anim.declare.library import callee

    named = _FIELD.match(message)
    if named is None:
        return None
    try:
        tree = ast.parse(Path(path).read_bytes())
    except (OSError, SyntaxError, ValueError):
        return None
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    label = _literal(named["key"])
    if named["field"] == "optimizers" and isinstance(label, str):
        declared = [(len(node.args[0].value), node.lineno) for node in calls if callee(node) == "Optimizer"
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
                    and (label == node.args[0].value or label.startswith(node.args[0].value + " "))]
        if declared:
            return max(declared)[1]
    keywords = [keyword for node in calls if callee(node) in ("Scene", "Landscape") for keyword in node.keywords
                if keyword.arg == named["field"]]
    if not keywords:
        return None
    value = keywords[0].value
    if named["field"] == "surface" and isinstance(value, ast.Name):
        defined = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name == value.id]
        if defined:
            return defined[0]
    return value.lineno


def _literal(text):
    try:
        return ast.literal_eval(text) if text else None
    except (ValueError, SyntaxError):
        return None


def file_sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _line_in(exc, path):
    """The deepest line of `path` in the exception's traceback, or None."""
    target = str(Path(path).resolve())
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if str(Path(frame.filename).resolve()) == target:
            line = frame.lineno
    return line


def _field_hint(exc):
    """For a misspelt keyword of Scene or Camera, the field meant: ' (did you mean x_range?)'."""
    from anim.declare.scene import Camera

    unknown = re.search(r"(\w+)\.__init__\(\) got an unexpected keyword argument '(\w+)'", str(exc))
    classes = {"Scene": Scene, "Camera": Camera, "Landscape": Landscape}
    if not isinstance(exc, TypeError) or not unknown or unknown[1] not in classes:
        return ""
    names = [f.name for f in dataclasses.fields(classes[unknown[1]])]
    close = difflib.get_close_matches(unknown[2], names, n=1, cutoff=0.5)
    return f" (did you mean {close[0]}?)" if close else f" (its fields: {', '.join(names)})"
