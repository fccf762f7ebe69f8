"""Why Adam and RMSprop cross a ravine evenly: they divide each coordinate's step by its own gradient scale.

Point at the update arrows and, with `--view inside`, at each coordinate's effective step: SGD's two
lines sit at lr, while RMSprop and Adam give the flat coordinate the larger step.
"""

import torch

from anim import Optimizer, Scene
from anim.surfaces import quadratic_bowl

scene = Scene(
    name="adam_explained",
    title="Adam and RMSprop: a step size per coordinate",
    surface=quadratic_bowl(condition=25),
    init=(-4.5, 2.0),
    steps=60,
    x_range=(-5, 5),
    y_range=(-2.5, 2.5),
    optimizers=[
        Optimizer("SGD", torch.optim.SGD, lr=0.07),
        Optimizer("RMSprop", torch.optim.RMSprop, lr=0.05),
        Optimizer("Adam", torch.optim.Adam, lr=0.1),
    ],
    overlays=["update"],
)
