"""An ill-conditioned bowl (condition number 25): SGD zig-zags across the narrow axis, Adam does not.

Point at SGD's zig-zag across the narrow axis against Adam's straighter path: curvature that differs
by direction is what slows plain gradient descent.
"""

import torch

from anim import Optimizer, Scene
from anim.surfaces import quadratic_bowl

scene = Scene(
    name="ill_conditioned",
    title="Quadratic bowl, condition number 25",
    surface=quadratic_bowl(condition=25),
    init=(-4.5, 2.0),
    steps=60,
    x_range=(-5, 5),
    y_range=(-2.5, 2.5),
    optimizers=[
        Optimizer("SGD", torch.optim.SGD, lr=0.075, color="red"),
        Optimizer("Momentum SGD", torch.optim.SGD, lr=0.02, momentum=0.8, color="blue"),
        Optimizer("Adam", torch.optim.Adam, lr=0.3, color="black"),
    ],
)
