"""A saddle point: SGD started near the ridge line lingers at the saddle; momentum and Adam leave it fast.

Point at the ridge line: where the gradient across it vanishes SGD is held at the saddle, while
momentum and Adam leave it fast.
"""

import torch

from anim import Optimizer, Scene
from anim.surfaces import saddle

scene = Scene(
    name="saddle",
    title=r"Saddle point $w_1^2 - w_2^2$",
    surface=saddle,
    init=(1.5, 1e-3),
    steps=80,
    x_range=(-2, 2),
    y_range=(-2, 2),
    optimizers=[
        Optimizer("SGD", torch.optim.SGD, lr=0.05, color="red"),
        Optimizer("Momentum SGD", torch.optim.SGD, lr=0.05, momentum=0.9, color="blue"),
        Optimizer("Adam", torch.optim.Adam, lr=0.05, color="black"),
    ],
)
