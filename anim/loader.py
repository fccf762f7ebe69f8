"""Loads the `scene` a scene file defines; every failure becomes a SceneError naming the file."""

import dataclasses
import difflib
import hashlib
import importlib.util
import itertools
import re
import sys
import traceback
from pathlib import Path

from anim.errors import SceneError
from anim.landscape import Landscape
from anim.scene import Scene, one_line

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
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise SceneError(f"syntax error: {exc.msg}", path, exc.lineno) from exc
    except SceneError as exc:
        raise SceneError(one_line(exc), path, _line_in(exc, path)) from exc
    except Exception as exc:
        from anim.trajectory import calls_numpy

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
    from anim.scene import Camera

    unknown = re.search(r"(\w+)\.__init__\(\) got an unexpected keyword argument '(\w+)'", str(exc))
    classes = {"Scene": Scene, "Camera": Camera, "Landscape": Landscape}
    if not isinstance(exc, TypeError) or not unknown or unknown[1] not in classes:
        return ""
    names = [f.name for f in dataclasses.fields(classes[unknown[1]])]
    close = difflib.get_close_matches(unknown[2], names, n=1, cutoff=0.5)
    return f" (did you mean {close[0]}?)" if close else f" (its fields: {', '.join(names)})"
