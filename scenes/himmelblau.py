"""Himmelblau's four minima: where Adam ends up depends on where it starts.

Point at each start point and the minimum its run ends in: the basin it starts in, not the
optimizer, decides the answer.
"""

import torch

from anim import Optimizer, Scene
from anim.surfaces import himmelblau

scene = Scene(
    name="himmelblau",
    title="Himmelblau: four minima, eight starts",
    surface=himmelblau,
    init=[(0.0, 0.0), (-0.5, 0.5), (0.5, -0.5), (-1.0, -1.0), (1.0, 1.0), (-4.5, 0.0), (4.5, 0.0), (0.0, -4.5)],
    steps=120,
    x_range=(-5, 5),
    y_range=(-5, 5),
    optimizers=[Optimizer("Adam", torch.optim.Adam, lr=0.1, color="black")],
)
