"""A real network: an MLP on two spirals, SGD, momentum, Adam and RMSprop from the same weights on the paths' PCA plane."""

import torch
from torch import nn

from anim import Camera, Landscape, Optimizer
from anim.datasets import spirals


def make_mlp():
    """2 inputs -> 64 -> 64 -> 2 classes, tanh: 4,482 parameters."""
    return nn.Sequential(nn.Linear(2, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 2))


scene = Landscape(
    name="spirals_mlp", title="An MLP on two spirals: four optimizers, one PCA plane",
    model=make_mlp,
    data=spirals(1000, noise=0.15),
    loss=torch.nn.functional.cross_entropy,
    steps=200,
    optimizers=[
        Optimizer("SGD", torch.optim.SGD, lr=0.5),
        Optimizer("Momentum SGD", torch.optim.SGD, lr=0.1, momentum=0.9),
        Optimizer("Adam", torch.optim.Adam, lr=0.01),
        Optimizer("RMSprop", torch.optim.RMSprop, lr=0.003),
    ],
    plane="pca",
    camera=Camera(elevation=35, azimuth=(-60, 120)),
)
