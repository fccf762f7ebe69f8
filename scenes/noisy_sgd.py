"""Noisy gradients on a clean bowl: SGD jitters around the valley floor; momentum averages the noise into a smooth path.

Point at the surface, which stays clean, and at the two paths: the same noisy gradients, averaged
away by momentum.
"""

import torch

from anim import Optimizer, Scene
from anim.surfaces import quadratic_bowl

# The surface is exact (and drawn so); the optimizers are given noisy gradients: grad_noise=5 adds
# Gaussian noise of standard deviation 5 to each gradient before every step, the same draws for
# both noisy optimizers (same start point, same noise_seed). They start on the valley floor
# w2 = 0, so every step off it is the noise. Plain SGD (lr 0.03) takes each draw at face value and
# zig-zags, then never settles at the minimum; momentum (same effective step, lr 0.003 / (1 - 0.9))
# moves by an average of recent gradients: it wanders, smoothly. The exact gradient glides along
# the floor into (0, 0). The recorded losses are the clean losses at the points.
scene = Scene(
    name="noisy_sgd",
    title="Noisy gradients: SGD jitters, momentum smooths",
    surface=quadratic_bowl(condition=10),
    init=(-4.5, 0.0),
    steps=150,
    x_range=(-5, 1),
    y_range=(-1.25, 1.25),
    optimizers=[
        Optimizer("SGD, noisy gradient", torch.optim.SGD, lr=0.03, grad_noise=5.0, color="red"),
        Optimizer("Momentum, same noise", torch.optim.SGD, lr=0.003, momentum=0.9, grad_noise=5.0, color="blue"),
        Optimizer("Exact gradient", torch.optim.SGD, lr=0.03, color="black"),
    ],
)
