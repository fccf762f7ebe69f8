"""optianim: animate PyTorch optimizers on 2-D loss surfaces and on planes of a network's loss.

The public face: the scene classes, the API verbs and the errors, plus the modules scene files
import (`anim.starts`, `anim.surfaces`, `anim.datasets`). The code lives in six layers, each a
sub-package that imports only from those below it (pyproject.toml's import-linter contract):
declare -> compute -> look -> write -> drive -> faces."""

from anim import starts
from anim.declare.landscape import Landscape
from anim.declare.scene import Camera, Optimizer, Scene
from anim.declare.tune import tune
from anim.errors import AnimError, EncodeError, RenderError, SceneError, UsageError
from anim.faces.api import Plan, explore, info, load, render, render_many, show, still, trajectories, tune_lr
from anim.version import __version__

__all__ = ["AnimError", "Camera", "EncodeError", "Landscape", "Optimizer", "Plan", "RenderError", "Scene", "SceneError",
           "UsageError", "__version__", "explore", "info", "load", "render", "render_many", "show", "starts", "still",
           "trajectories", "tune", "tune_lr"]
