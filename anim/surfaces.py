"""The classic 2-D test surfaces, as scene files import them: `from anim.surfaces import
rosenbrock` (the code: anim/declare/surfaces.py)."""

from anim.declare.surfaces import (
                                   ackley,
                                   beale,
                                   booth,
                                   himmelblau,
                                   monkey_saddle,
                                   quadratic_bowl,
                                   rastrigin,
                                   rosenbrock,
                                   saddle,
                                   six_hump_camel,
)

__all__ = ["ackley", "beale", "booth", "himmelblau", "monkey_saddle", "quadratic_bowl", "rastrigin", "rosenbrock",
           "saddle", "six_hump_camel"]
