"""Ackley: SGD stalls on the bumpy plain, Adam on the rim of the hole; momentum rolls in.

Point at the bumps that catch SGD on the plain and at momentum carrying through them into the
central hole.
"""

import torch

from anim import Optimizer, Scene
from anim.surfaces import ackley

# Start on a bump top far out on the plain, where the pull towards the hole is weak and every dent
# is a local minimum. SGD stays in the first dent; Adam's early large steps carry it across the
# plain and just past the hole, into a dent on its far rim; heavy momentum rolls in (~step 130).
scene = Scene(
    name="ackley",
    title="Ackley: a bumpy plain around one deep hole",
    surface=ackley,
    init=(-6.5, 4.5),
    steps=200,
    x_range=(-7, 7),
    y_range=(-7, 7),
    optimizers=[
        Optimizer("SGD", torch.optim.SGD, lr=0.01, color="red"),
        Optimizer("Adam", torch.optim.Adam, lr=0.5, color="black"),
        Optimizer("Momentum SGD", torch.optim.SGD, lr=0.01, momentum=0.95, color="blue"),
    ],
)
