"""Small classification data sets made in code, as landscape scenes import them: `from
anim.datasets import spirals` (the code: anim/declare/datasets.py)."""

from anim.declare.datasets import spirals, two_moons

__all__ = ["spirals", "two_moons"]
