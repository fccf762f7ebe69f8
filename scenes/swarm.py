"""Himmelblau from 400 starts: SGD follows the gradient into a basin, Adam cuts across borders.

Point at the basin borders: SGD's runs keep to the basin they start in, Adam's cross into the next
one.
"""

# A swarm: `init` is a generator, and every optimizer runs from every one of its points in a
# single vectorized torch run. Best seen as small multiples, one panel per optimizer: the scene
# asks for the grid view (`--view contour` still draws the swarms over one another).

import torch

from anim import Optimizer, Scene, starts
from anim.surfaces import himmelblau

scene = Scene(
    name="swarm",
    title="Himmelblau from a 20 x 20 grid of starts",
    surface=himmelblau,
    init=starts.grid(20),
    steps=100,
    x_range=(-5, 5),
    y_range=(-5, 5),
    optimizers=[
        Optimizer("SGD", torch.optim.SGD, lr=0.005, color="#e6194b"),
        Optimizer("Adam", torch.optim.Adam, lr=0.1, color="#4363d8"),
    ],
    views=["grid"],                    # what a render draws unless --view says otherwise
)
