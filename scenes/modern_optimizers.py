"""Modern optimizers in a tilted valley, one panel each: Lion moves each weight by lr, Muon steps one length, Prodigy grows its step size d.

Point at the step lengths in each panel: Lion's equal steps per weight, Muon's steps of one length,
Prodigy's overshoot while its d grows.
"""

import math

import torch

from anim import Optimizer, Scene

# Needs the optimizers extra: pip install 'optianim[optimizers]' (pytorch_optimizer and schedulefree).


def tilted_valley(w1, w2):
    # A bowl 10 times steeper across than along, turned 45 degrees: no weight's axis lies along it,
    # so per-weight step sizes (Adam's, Lion's) meet the curvature of both directions at once.
    along = (w1 + w2) / math.sqrt(2)
    across = (w1 - w2) / math.sqrt(2)
    return 0.5 * along ** 2 + 5 * across ** 2


scene = Scene(
    name="modern_optimizers",
    title="Modern optimizers in a tilted valley",
    surface=tilted_valley,
    init=(-3.5, -0.5),
    steps=100,
    x_range=(-4, 2.5),
    y_range=(-3, 2.5),
    color_scale="log",
    optimizers=[
        Optimizer("Adam", torch.optim.Adam, lr=0.1),
        Optimizer("SOAP", "soap", lr=0.1),                       # Adam in the eigenbasis of a Shampoo preconditioner
        Optimizer("Muon", torch.optim.Muon, lr=0.1),             # on the point as a 1x2 matrix: steps of about lr
        Optimizer("Lion", "lion", lr=0.05),                      # sign steps: every weight moves by lr
        Optimizer("Schedule-Free", "schedulefree.AdamWScheduleFree", lr=0.3),  # AdamW; its averaged x is recorded too
        Optimizer("Prodigy", "prodigy", lr=1.0),                 # lr scales its own estimate d, which starts tiny
    ],
    views=["grid"],                    # one panel per optimizer: six paths in one contour tangle
)
