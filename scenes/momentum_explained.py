"""Why momentum wins in a ravine: SGD's gradient points across it, momentum's velocity builds up along it.

Point at the two arrows at each head: the gradient keeps pointing across the ravine while the
momentum arrow grows along it.
"""

import torch

from anim import Optimizer, Scene
from anim.surfaces import quadratic_bowl

scene = Scene(
    name="momentum_explained",
    title="Momentum: the gradient across, the velocity along",
    surface=quadratic_bowl(condition=25),
    init=(-4.5, 2.0),
    steps=40,
    x_range=(-5, 5),
    y_range=(-2.5, 2.5),
    optimizers=[
        Optimizer("SGD", torch.optim.SGD, lr=0.07),
        Optimizer("Momentum SGD", torch.optim.SGD, lr=0.07, momentum=0.6),
    ],
    overlays=["gradient", "momentum"],
)
