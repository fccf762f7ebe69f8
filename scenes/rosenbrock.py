"""Rosenbrock's banana valley: every optimizer finds the valley at once, then crawls along it.

Point at how fast every path reaches the curved valley and how slowly it then moves along the floor,
whose shape the log colour scale shows.
"""

import torch

from anim import Optimizer, Scene
from anim.surfaces import rosenbrock

scene = Scene(
    name="rosenbrock",
    title="Rosenbrock's valley",
    surface=rosenbrock,
    init=(-1.5, 2.0),
    steps=300,
    x_range=(-2, 2),
    y_range=(-1, 3),
    optimizers=[
        Optimizer("SGD", torch.optim.SGD, lr=1e-3, color="red"),
        Optimizer("Momentum SGD", torch.optim.SGD, lr=1e-3, momentum=0.9, color="blue"),
        Optimizer("RMSprop", torch.optim.RMSprop, lr=0.02, color="darkgreen"),
        Optimizer("Adam", torch.optim.Adam, lr=0.1, color="black"),
    ],
    color_scale="log",  # the valley floor is thousands of times lower than the walls
)
