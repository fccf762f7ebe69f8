"""A hand-written optimizer: Lion's sign steps ignore the curvature that makes SGD zig-zag.

Point at the scene file first, a whole optimizer in a few lines, then at Lion's steps of equal size
in both coordinates.
"""

# Any torch.optim.Optimizer subclass written in the scene file works like torch's own. Lion
# (Chen et al., 2023, "Symbolic Discovery of Optimization Algorithms") moves every weight by
# exactly lr per update, in the direction of the sign of an interpolated momentum: on a bowl
# of condition number 25 its path runs at 45 degrees to the long axis, then along it at full
# speed, and ends hovering within lr of the minimum.

import torch

from anim import Optimizer, Scene
from anim.surfaces import quadratic_bowl


class Lion(torch.optim.Optimizer):
    """Lion: p -= lr * (sign(beta1 * m + (1 - beta1) * g) + weight_decay * p); m = beta2 * m + (1 - beta2) * g."""

    elementwise = True  # each weight's update uses only its own gradient: swarms run in one go

    def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=betas, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for weight in group["params"]:
                if weight.grad is None:
                    continue
                momentum = self.state[weight].setdefault("momentum", torch.zeros_like(weight))
                direction = torch.sign(momentum * beta1 + weight.grad * (1 - beta1))
                weight.mul_(1 - group["lr"] * group["weight_decay"])
                weight.add_(direction, alpha=-group["lr"])
                momentum.mul_(beta2).add_(weight.grad, alpha=1 - beta2)


scene = Scene(
    name="custom_optimizer",
    title="Lion, written in the scene file, beside Adam and SGD",
    surface=quadratic_bowl(condition=25),
    init=(-4.5, 2.0),
    steps=80,
    x_range=(-5, 5),
    y_range=(-2.5, 2.5),
    optimizers=[
        Optimizer("Lion (scene file)", Lion, lr=0.1, color="#e6194b"),
        Optimizer("Adam", torch.optim.Adam, lr=0.1, color="black"),
        Optimizer("SGD", torch.optim.SGD, lr=0.07, color="#4363d8"),
    ],
)
