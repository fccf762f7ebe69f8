"""Loads the `scene` a scene file defines; every failure becomes a SceneError naming the file; and
contains what scene code does to the process (exits, the working directory, sys.argv)."""

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

from anim.declare.landscape import Landscape
from anim.declare.scene import Scene, calls_numpy, one_line
from anim.errors import SceneError

_module_ids = itertools.count()


def load_scene(path):
    """Execute the scene file at `path` and return its validated `scene`."""
    path = Path(path)
    if not path.exists():
        raise SceneError("no such file", path)
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
        raise SceneError(one_line(exc), path, _line_in(exc, path)) from exc
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
        for name in set(sys.modules) - before:
            if _inside(sys.modules[name], folder):
                del sys.modules[name]
        sys.modules.update(shadowed)


def _inside(module, folder):
    file = getattr(module, "__file__", None)
    return file is not None and Path(file).resolve().is_relative_to(folder)


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
