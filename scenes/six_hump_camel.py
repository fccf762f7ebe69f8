"""Six-hump camel: SGD stops in the four side minima; momentum finds the two global ones.

Point at where each start ends: SGD in the nearest side minimum, momentum in one of the two global
ones.
"""

import torch

from anim import Optimizer, Scene
from anim.surfaces import six_hump_camel

# Four starts on the outer slopes, symmetric about the origin. Each has a local minimum close by:
# two high ones (2.10, at (+-1.61, +-0.57)) and two lower ones (-0.22, at (+-1.70, -+0.80)).
# SGD settles in that nearest one; momentum carries on over the ridge to the global minima
# (-1.03, at (0.09, -0.71) and (-0.09, 0.71)). So all six minima are reached.
scene = Scene(
    name="six_hump_camel",
    title="Six-hump camel: six minima, two of them global",
    surface=six_hump_camel,
    init=[(-2.0, -0.5), (-2.0, 0.5), (2.0, 0.5), (2.0, -0.5)],
    steps=120,
    x_range=(-2.2, 2.2),
    y_range=(-1.2, 1.2),
    optimizers=[
        Optimizer("SGD", torch.optim.SGD, lr=0.02, color="red"),
        Optimizer("Momentum SGD", torch.optim.SGD, lr=0.015, momentum=0.9, color="blue"),
    ],
)
