"""Monkey saddle: SGD lingers at the flat centre, Adam turns off early, momentum runs through.

Point at the flat centre, where the gradient vanishes in every direction, and at how long each
optimizer takes to leave it.
"""

import torch

from anim import Optimizer, Scene
from anim.surfaces import monkey_saddle

# w1^3 - 3 w1 w2^2 is flat to second order at (0, 0) and falls away in three valleys (towards
# w1 < 0 and at +-60 degrees). Start on the ridge w2 = 0, a hair to its side. The gradient
# shrinks like the square of the distance to the centre, so SGD slows down as it nears it and
# only after ~100 steps peels off into the nearer valley. Adam's normalised steps turn into that
# valley at once; momentum coasts over the flat centre into the opposite valley, and since the
# surface has no bottom it speeds up and leaves the view (~step 55, then diverges).
scene = Scene(
    name="monkey_saddle",
    title=r"Monkey saddle $w_1^3 - 3 w_1 w_2^2$",
    surface=monkey_saddle,
    init=(1.5, 0.01),
    steps=150,
    x_range=(-2.5, 2.5),
    y_range=(-2.5, 2.5),
    optimizers=[
        Optimizer("SGD", torch.optim.SGD, lr=0.01, color="red"),
        Optimizer("Momentum SGD", torch.optim.SGD, lr=0.005, momentum=0.9, color="blue"),
        Optimizer("Adam", torch.optim.Adam, lr=0.01, color="black"),
    ],
)
