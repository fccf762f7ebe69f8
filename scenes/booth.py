"""Booth: an easy tilted bowl; SGD, momentum and Adam all reach (1, 3), each by its own path.

Point at three routes to one minimum: on an easy surface the optimizers show their characters, not
their failures.
"""

import torch

from anim import Optimizer, Scene
from anim.surfaces import booth

# A plain quadratic whose curvatures differ 9 times, tilted 45 degrees. SGD falls straight into
# the valley, then slides along it; momentum overshoots and swings round the minimum; Adam's
# per-coordinate steps head off at 45 degrees, wherever the minimum is, and arc back. On a bowl
# this easy, well-tuned plain SGD is first (~50 steps), then momentum (~90) and Adam (~115).
scene = Scene(
    name="booth",
    title="Booth: a tilted bowl, minimum at (1, 3)",
    surface=booth,
    init=(-9.0, 8.0),
    steps=150,
    x_range=(-10, 5),
    y_range=(0, 11),
    optimizers=[
        Optimizer("SGD", torch.optim.SGD, lr=0.05, color="red"),
        Optimizer("Momentum SGD", torch.optim.SGD, lr=0.005, momentum=0.9, color="blue"),
        Optimizer("Adam", torch.optim.Adam, lr=0.3, color="black"),
    ],
)
