"""The fitted view window equals a hand computation: the finite points' extent (or the largest
distance from 0, for 'symmetric') plus 3 % on each side, leaving out where a run ran off."""

from types import SimpleNamespace

import numpy as np
import pytest

from anim import window as windows
from anim.trajectory import Run


def runs_through(*paths):
    """One Run per list of (w1, w2) points, each point's loss 1."""
    return [Run("SGD", "red", k, np.array([[x, y, 1.0] for x, y in path], dtype=float))
            for k, path in enumerate(paths)]


def window(x_range, y_range, runs):
    return windows.view_window(SimpleNamespace(x_range=x_range, y_range=y_range), runs)


def test_auto_window_is_the_finite_points_extent_with_3_percent_margins():
    runs = runs_through([(-1, 2), (3, 2.5)], [(0, 4), (np.nan, np.nan), (1, 3)])
    # w1 from -1 to 3 (4 wide: 0.12 each side), w2 from 2 to 4 (2 high: 0.06 each side)
    (x0, x1), (y0, y1) = window("auto", "auto", runs)
    assert (x0, x1, y0, y1) == pytest.approx((-1.12, 3.12, 1.94, 4.06))


def test_symmetric_window_is_centred_on_zero_and_a_fixed_range_is_kept():
    runs = runs_through([(-1, 2), (3, 2.5)], [(0.5, 4)])
    # w1: the farthest from 0 is 3: -3 to 3, 6 wide, 0.18 each side
    assert window("symmetric", (-5, 7), runs) == (pytest.approx((-3.18, 3.18)), (-5, 7))
    # w2: farthest is 4: -4 to 4, 8 high, 0.24 each side
    assert window("auto", "symmetric", runs) == (pytest.approx((-1.12, 3.12)), pytest.approx((-4.24, 4.24)))


def test_all_points_on_one_spot_get_a_window_two_wide():
    runs = runs_through([(2, -1), (2, -1)])
    # no extent: 1 to 3 and -2 to 0, then 3 % of 2 each side
    assert window("auto", "auto", runs) == (pytest.approx((0.94, 3.06)), pytest.approx((-2.06, 0.06)))


def test_a_run_that_ran_off_is_fitted_only_up_to_where_it_left_the_others_window():
    inside = [[(0, 0), (1, 1)], [(0, 1), (0.5, 0.5)], [(1, 0), (0.2, 0.8)], [(0.5, 0.5), (1, 1)]]
    off = [(0.5, 0.5), (1.5, 0.5), (3, 0.5), (1000, 0.5)]
    runs = runs_through(*inside, off)
    # Without it the paths span 1, with it 1000 (> 50 times more): it ran off. The others' window
    # is -0.03..1.03 both ways; it leaves it "far" beyond 1.03 + 1.06 = 2.09, at w1 = 3 (step 2),
    # so its points 0 and 1 count: w1 from 0 to 1.5 (0.045 each side), w2 from 0 to 1.
    assert window("auto", "auto", runs) == (pytest.approx((-0.045, 1.545)), pytest.approx((-0.03, 1.03)))
    assert windows.left_view_step(runs[-1], ((-0.03, 1.03), (-0.03, 1.03))) == 2


def test_when_most_runs_explode_the_window_shows_the_explosion():
    runs = runs_through([(0, 0), (1, 1)], [(0.5, 0.5), (1000, 0.5)], [(0.5, 0.5), (0.5, -800)])
    # Two of three ran far: fewer than half may run off, so all points count.
    # w1 from 0 to 1000 (30 each side), w2 from -800 to 1 (24.03 each side)
    assert window("auto", "auto", runs) == (pytest.approx((-30, 1030)), pytest.approx((-824.03, 25.03)))
