"""optianim: animate PyTorch optimizers on 2-D loss surfaces (the public scene API lives here)."""

from anim import starts
from anim.scene import Camera, Optimizer, Scene

__all__ = ["Camera", "Optimizer", "Scene", "starts"]
__version__ = "0.1.0"
