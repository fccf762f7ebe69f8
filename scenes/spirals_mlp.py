"""A real network (an MLP on two spirals) on its paths' PCA plane: SGD crawls near the start; momentum and Adam descend into valleys; RMSprop rattles.

Point at the axes, two directions in the network's weight space, and at the dashed plane loss beside
the true loss: the plane is a slice of the landscape, not all of it.
"""

import torch
from torch import nn

from anim import Landscape, Optimizer
from anim.datasets import spirals


def make_mlp():
    """2 inputs -> 64 -> 64 -> 2 classes, tanh: 4,482 parameters."""
    return nn.Sequential(nn.Linear(2, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 2))


scene = Landscape(
    name="spirals_mlp", title="An MLP on two spirals, on its paths' PCA plane",
    model=make_mlp,                                   # a fresh model; every optimizer starts from its weights
    data=spirals(1000, noise=0.15),                   # (X, y): 1,000 points on two arms
    loss=torch.nn.functional.cross_entropy,
    steps=200,                                        # full-batch updates
    optimizers=[
        Optimizer("SGD", torch.optim.SGD, lr=0.2),
        Optimizer("Momentum SGD", torch.optim.SGD, lr=0.2, momentum=0.9),
        Optimizer("Adam", torch.optim.Adam, lr=0.005),
        Optimizer("RMSprop", torch.optim.RMSprop, lr=0.001),
    ],
    plane="pca",                                      # the plane of the paths' two principal directions
)
