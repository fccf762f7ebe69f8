"""optianim: animate PyTorch optimizers on 2-D loss surfaces (the public scene API lives here)."""

from anim.scene import Camera, Optimizer, Scene

__all__ = ["Camera", "Optimizer", "Scene"]
__version__ = "0.1.0"
