"""Rastrigin: SGD stops in the nearest local minimum; momentum rolls over bumps to (0, 0).

Point at the regular bumps: SGD settles in the first dip it meets, while momentum's speed carries it
over them to the global minimum.
"""

import torch

from anim import Optimizer, Scene
from anim.surfaces import rastrigin

# Start on a bump top at (3.5, -2.5); every dent of the egg-crate is a local minimum, each one
# deeper towards the centre. SGD drops into the next dent; Adam's first big steps clear a bump or
# two before it settles; heavy momentum keeps enough speed to roll over the bumps to the global
# minimum by step ~160. (Plain SGD cannot hop instead: above lr = 2/397 it settles in no dent.)
scene = Scene(
    name="rastrigin",
    title="Rastrigin: a bowl of local minima",
    surface=rastrigin,
    init=(3.5, -2.5),
    steps=200,
    x_range=(-1.5, 4.5),
    y_range=(-3.5, 1.5),
    optimizers=[
        Optimizer("SGD", torch.optim.SGD, lr=0.002, color="red"),
        Optimizer("Adam", torch.optim.Adam, lr=0.5, color="black"),
        Optimizer("Momentum SGD", torch.optim.SGD, lr=0.002, momentum=0.97, color="blue"),
    ],
)
