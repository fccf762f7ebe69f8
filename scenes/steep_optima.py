"""Steep optima: a flat plain with three narrow, deep wells (lecture 6).

Point at the flat plain, where the gradient is almost zero, and at which optimizers find one of the
narrow wells at all.
"""

import math

import torch

from anim import Optimizer, Scene


def bivar_gaussian(w1, w2, x_mean=0.0, y_mean=0.0, x_sig=1.0, y_sig=1.0):
    norm = 1 / (2 * math.pi * x_sig * y_sig)
    x_exp = (-1 * (w1 - x_mean) ** 2) / (2 * x_sig ** 2)
    y_exp = (-1 * (w2 - y_mean) ** 2) / (2 * y_sig ** 2)
    return norm * torch.exp(x_exp + y_exp)


def comb_func(w1, w2):
    z = -bivar_gaussian(w1, w2, x_mean=1.0, y_mean=-0.5, x_sig=0.2, y_sig=0.2)
    z -= bivar_gaussian(w1, w2, x_mean=-1.0, y_mean=0.5, x_sig=0.2, y_sig=0.2)
    z -= bivar_gaussian(w1, w2, x_mean=-0.5, y_mean=-0.8, x_sig=0.2, y_sig=0.2)
    return z


scene = Scene(
    name="steep_optima",
    title="Steep optima",
    surface=comb_func,
    init=(0, 0),
    minima=[(1.0, -0.5), (-1.0, 0.5), (-0.5, -0.8)],  # the three wells' floors
    steps=100,
    x_range=(-2, 2),
    y_range=(-2, 2),
    optimizers=[
        Optimizer("SGD", torch.optim.SGD, lr=0.05, color="red"),
        Optimizer("Momentum SGD", torch.optim.SGD, lr=0.05, momentum=0.9, color="blue"),
        Optimizer("Nesterov", torch.optim.SGD, lr=0.05, momentum=0.9, nesterov=True, color="darkred"),
        Optimizer("Adagrad", torch.optim.Adagrad, lr=0.05, color="snow"),
        Optimizer("RMSprop", torch.optim.RMSprop, lr=0.05, alpha=0.1, color="darkgreen"),
        Optimizer("Adam", torch.optim.Adam, lr=0.05, color="black"),
    ],
)
