"""Beale: steep walls cap SGD's step, so it crawls the flat valley; Adam reaches (3, 0.5).

Point at SGD's short steps along the flat valley floor, held back by the steep walls, against Adam's
steps, which reach the minimum.
"""

import torch

from anim import Optimizer, Scene
from anim.surfaces import beale

# Start high on the steep wall above the minimum (3, 0.5). The wall caps SGD's learning rate: at
# 0.02 SGD is thrown off it and diverges within three steps; at 0.01 it bounces into the valley,
# then crawls along the flat floor and is still short of (3, 0.5) after 200 steps. Adam's
# normalised steps keep their size on the flat floor: it arrives by step ~105.
scene = Scene(
    name="beale",
    title="Beale: steep walls, flat valley, minimum at (3, 0.5)",
    surface=beale,
    init=(2.5, 1.25),
    steps=200,
    x_range=(1, 3.75),
    y_range=(-1, 1.35),
    optimizers=[
        Optimizer("SGD, lr 0.01", torch.optim.SGD, lr=0.01, color="red"),
        Optimizer("SGD, lr 0.02", torch.optim.SGD, lr=0.02, color="darkorange"),
        Optimizer("Adam", torch.optim.Adam, lr=0.2, color="black"),
    ],
    color_scale="log",  # the valley floor is thousands of times lower than the walls
)
