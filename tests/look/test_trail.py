"""A fading trail: the last N updates of each path, older parts fainter."""

import numpy as np
import pytest

from anim.compute.trajectory import Run


@pytest.mark.parametrize("position", [4, 4.25, 4.5, 5, 5.75, 9])
def test_a_fading_trail_keeps_its_length_as_the_heads_glide(position):
    from anim.look.trail import segments

    points = np.stack([np.arange(10), np.zeros(10), np.zeros(10)], axis=1).astype(np.float32)
    pieces, alphas = segments(Run("SGD", "red", 0, points), position, 3)
    assert pieces[0, 0, 0] == pytest.approx(position - 3) and pieces[-1, 1, 0] == pytest.approx(position)
    assert list(alphas) == sorted(alphas) and alphas[-1] > 0.8 and alphas[0] < 0.35  # older is fainter
