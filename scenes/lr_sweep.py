"""SGD at four learning rates on a bowl of condition 25: crawl, converge, zig-zag, diverge.

Point at the four panels in order: too small a learning rate crawls, a good one converges, a larger
one zig-zags and the largest diverges.
"""

# A sweep: a hyperparameter given as a list expands into one optimizer per value, labelled by
# it ("SGD lr=0.04"). The largest curvature is 25, so SGD is stable only below lr = 2/25 = 0.08.
# Best seen as small multiples, one panel per learning rate: the scene asks for the grid view.

import torch

from anim import Optimizer, Scene
from anim.surfaces import quadratic_bowl

scene = Scene(
    name="lr_sweep",
    title="One optimizer, four learning rates (condition number 25)",
    surface=quadratic_bowl(condition=25),
    init=(-4.5, 2.0),
    steps=60,
    x_range=(-5, 5),
    y_range=(-2.5, 2.5),
    optimizers=[Optimizer("SGD", torch.optim.SGD, lr=[0.005, 0.03, 0.075, 0.084])],
    views=["grid"],                    # what a render draws unless --view says otherwise
)
