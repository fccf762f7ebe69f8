"""optianim: animate PyTorch optimizers on 2-D loss surfaces and on planes of a network's loss. The public face: the scene classes,
the API verbs and the errors; everything else is imported when first used."""

__version__ = "0.1.0"

from anim import starts  # noqa: E402 (the modules below read __version__)
from anim.api import Plan, info, load, render, render_many, show, still, trajectories
from anim.errors import AnimError, EncodeError, RenderError, SceneError, UsageError
from anim.landscape import Landscape
from anim.scene import Camera, Optimizer, Scene

__all__ = ["AnimError", "Camera", "EncodeError", "Landscape", "Optimizer", "Plan", "RenderError", "Scene", "SceneError",
           "UsageError", "info", "load", "render", "render_many", "show", "starts", "still", "trajectories"]
