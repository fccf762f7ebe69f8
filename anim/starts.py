"""Start-point generators for swarms, as scene files use them: `from anim import starts`,
`starts.grid(20)` (the code: anim/declare/starts.py)."""

from anim.declare.starts import Starts, circle, grid, random

__all__ = ["Starts", "circle", "grid", "random"]
