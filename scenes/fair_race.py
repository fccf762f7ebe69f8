"""A fair race on Rosenbrock: each optimizer at the learning rate that serves it best, chosen by anim.tune.

Point at tune.png, each optimizer's objective over its learning rates, before comparing the paths:
every one races at its best.
"""

# Compared at one shared learning rate, one optimizer looks good and the others look broken. Here
# every optimizer's lr is tuned on this very scene before the race is drawn: 60 values from its
# range, scored by the area under its loss curve (a path that gets low fast and stays low). The
# render prints the values chosen and writes tune.png, each objective over its range.

import torch

import anim
from anim import Camera, Optimizer, Scene
from anim.surfaces import rosenbrock

scene = Scene(
    name="fair_race",
    title="Each optimizer at its best learning rate",
    surface=rosenbrock,
    init=(-1.5, 2.0),
    steps=200,
    x_range=(-2, 2),
    y_range=(-1, 3),
    optimizers=[
        Optimizer("SGD", torch.optim.SGD, lr=anim.tune(1e-5, 1e-2, 60, "area")),
        Optimizer("Momentum SGD", torch.optim.SGD, momentum=0.9, lr=anim.tune(1e-5, 1e-2, 60, "area")),
        Optimizer("RMSprop", torch.optim.RMSprop, lr=anim.tune(1e-4, 1, 60, "area")),
        Optimizer("Adam", torch.optim.Adam, lr=anim.tune(1e-4, 1, 60, "area")),
    ],
    color_scale="log",
    camera=Camera(elevation=40, azimuth=(-120, 60)),
)
