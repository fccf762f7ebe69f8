"""Imported once by the server that forks each scene's process (anim.drive.isolation): torch and
its compiler front end, matplotlib with the 3-D toolkit, and optianim's render path with every
view, so that a scene's process starts with them instead of importing them (about 2.5 s of CPU)."""

import mpl_toolkits.mplot3d  # noqa: F401
import torch  # noqa: F401
import torch._dynamo  # noqa: F401  (what a torch.optim optimizer's first step imports: about 1 s)

import anim.drive.outcome  # noqa: F401
from anim.look.views import VIEWS, view_class

for _name in VIEWS:
    view_class(_name)
