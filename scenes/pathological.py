"""Pathological curvature: a ravine steep across w1 and shallow along w2 (lecture 6).

Point at how far each optimizer gets along the shallow w2 direction once the steep w1 direction has
shaped its first steps; these are the lecture's trajectories, bit for bit.
"""

import torch

from anim import Optimizer, Scene


def pathological_curve_loss(w1, w2):
    # Steep in w1 with its optimum at the centre, a slow slide towards the optimum along w2.
    x1_loss = torch.tanh(w1) ** 2 + 0.01 * torch.abs(w1)
    x2_loss = torch.sigmoid(w2)
    return x1_loss + x2_loss


scene = Scene(
    name="pathological",
    title="Pathological curvature",
    surface=pathological_curve_loss,
    init=(5, 5),
    steps=100,
    # Fitted to the trajectories as in the lecture: w1 symmetric about the ravine, w2 min to max.
    x_range="symmetric",
    y_range="auto",
    optimizers=[
        Optimizer("SGD", torch.optim.SGD, lr=10, color="red"),
        Optimizer("Momentum SGD", torch.optim.SGD, lr=10, momentum=0.9, color="blue"),
        Optimizer("Nesterov", torch.optim.SGD, lr=10, momentum=0.9, nesterov=True, color="darkred"),
        Optimizer("Adagrad", torch.optim.Adagrad, lr=10, color="snow"),
        Optimizer("RMSprop", torch.optim.RMSprop, lr=10, alpha=0.1, color="darkgreen"),
        Optimizer("Adam", torch.optim.Adam, lr=10, color="black"),
    ],
)
