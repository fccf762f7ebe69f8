"""The fitted view window equals a hand computation: the finite points' extent (or the largest
distance from 0, for 'symmetric') plus 3 % on each side, leaving out where a run ran off."""

from types import SimpleNamespace

import numpy as np
import pytest

from anim.compute import window as windows
from anim.compute.trajectory import Run


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


def test_a_run_zig_zagging_slowly_outward_is_drawn_until_it_leaves_for_good():
    # SGD at lr=0.084 on the bowl of condition 25 (scenes/lr_sweep.py): w2 is multiplied by
    # 1 - 0.084 * 25 = -1.1 at each update: 2, -2.2, 2.42, -2.66, 2.93, -3.22, 3.54, -3.90, 4.29, ...
    # Beside SGD at lr=0.03, which settles at w2 = 0, it ran off (60 steps: w2 reaches 550). The
    # settled run's window has w2 from -0.06 to 2.06 (2.12 high): "far" is below -2.18 or above 4.18.
    # The zig-zag is out of reach at step 1 already, but back at step 2, out at 3, back at 4, ...: it
    # leaves for good at step 7.
    import torch

    from anim import Optimizer, Scene
    from anim.compute import trajectory
    from anim.declare.surfaces import quadratic_bowl

    scene = Scene(name="sweep", surface=quadratic_bowl(condition=25), init=(-4.5, 2.0), steps=60,
                  optimizers=[Optimizer("SGD", torch.optim.SGD, lr=[0.03, 0.084])])
    settles, zigzag = trajectory.compute(scene)
    w2 = zigzag.points[:, 1]
    others = windows.view_window(scene, [settles])
    assert others[1] == pytest.approx((-0.06, 2.06))
    far = (w2 < -2.18) | (w2 > 4.18)
    assert far[:9].tolist() == [False, True, False, True, False, True, False, True, True] and far[7:].all()
    assert windows.left_view_step(zigzag, others) == 7  # was 1: cut at its first update
    # the window is fitted to its zig-zag up to there (w2 from -3.22 to 3.54, plus 3 %) ...
    fitted = windows.view_window(scene, [settles, zigzag])
    assert fitted[1] == pytest.approx((w2[5] - 0.03 * (w2[6] - w2[5]), w2[6] + 0.03 * (w2[6] - w2[5])))
    # ... and against that window it is drawn until step 18, where it is gone for good (2 * 1.1^18 = 11.1)
    assert windows.mark_exits([settles, zigzag], fitted)[1].left_view_at == 18


def test_a_run_that_goes_far_and_comes_back_has_not_left_until_it_goes_for_good():
    near = ((0, 0.4), (0, 0.4))  # far: beyond 0.8
    assert windows.left_view_step(runs_through([(0, 0), (1, 1), (0.5, 0.5)])[0], near) is None
    assert windows.left_view_step(runs_through([(0, 0), (1, 1), (0.5, 0.5), (9, 9), (2, 2)])[0], near) == 3
    # gone far, then not finite: it left (where it diverged is marked apart)
    assert windows.left_view_step(runs_through([(0, 0), (5, 5), (np.inf, np.nan)])[0], near) == 1


def test_when_most_runs_explode_the_window_shows_the_explosion():
    runs = runs_through([(0, 0), (1, 1)], [(0.5, 0.5), (1000, 0.5)], [(0.5, 0.5), (0.5, -800)])
    # Two of three ran far: fewer than half may run off, so all points count.
    # w1 from 0 to 1000 (30 each side), w2 from -800 to 1 (24.03 each side)
    assert window("auto", "auto", runs) == (pytest.approx((-30, 1030)), pytest.approx((-824.03, 25.03)))


def runs_with_losses(*paths):
    """One Run per list of (w1, w2, loss) points."""
    return [Run(f"r{k}", "red", 0, np.array(path, dtype=float)) for k, path in enumerate(paths)]


def test_one_of_two_runs_that_ran_off_and_ended_worse_is_left_out():
    stays = [(5, 5, 2), (-5, -5, 1.5), (0, -10, 1)]
    off = [(5, 5, 2), (-10000, 3, 101), (20000, 3, 201)]
    runs = runs_with_losses(stays, off)
    # Without `off` the paths and start points span 15 (w2 from -10 to 5), with it 30,000: more than
    # 50 times, and one of two runs may go because it ended worse (201 > 1). The others' window is
    # w1 -5.3..5.3 (10 wide), w2 -10.45..5.45 (15 high); `off` is far beyond -5.3 - 10.6 at step 1,
    # so only its start counts: w1 from -5 to 5, w2 from -10 to 5.
    fitted = window("auto", "auto", runs)
    assert fitted == (pytest.approx((-5.3, 5.3)), pytest.approx((-10.45, 5.45)))
    assert [run.left_view_at for run in windows.mark_exits(runs, fitted)] == [None, 1]


def test_two_runs_that_both_explode_are_both_in_the_window():
    runs = runs_with_losses([(0, 0, 1), (1000, 0.5, 9)], [(0, 0, 1), (0.5, -800, 5)])
    # Leaving either out leaves a span of 800 or 1000 of 1000: nothing ran off, though the first
    # ended worse. w1 from 0 to 1000
    # (30 each side), w2 from -800 to 0.5 (800.5 high: 24.015 each side)
    assert window("auto", "auto", runs) == (pytest.approx((-30, 1030)), pytest.approx((-824.015, 24.515)))


def test_one_of_two_runs_that_went_far_but_did_better_stays_unless_it_went_100000_times_farther():
    stays = [(5, 5, 2), (-5, -5, 1.5), (0, -10, 1)]
    # An unbounded surface: the run going off reaches a lower loss. 10,000 / 15 is 667 times: kept.
    runs = runs_with_losses(stays, [(5, 5, 2), (-10000, 3, -50)])
    # w1 from -10000 to 5 (10005 wide: 300.15 each side), w2 from -10 to 5 (0.45 each side)
    assert window("auto", "auto", runs) == (pytest.approx((-10300.15, 305.15)), pytest.approx((-10.45, 5.45)))
    # 1e7 / 15 is more than 100,000 times: it ran off however low it got.
    runs = runs_with_losses(stays, [(5, 5, 2), (-1e7, 3, -5e4)])
    assert window("auto", "auto", runs) == (pytest.approx((-5.3, 5.3)), pytest.approx((-10.45, 5.45)))


def test_a_run_stuck_at_its_start_does_not_make_the_one_that_found_a_minimum_run_off():
    stuck = [(0, 0, 1), (0.001, 0, 0.999)]
    found = [(0, 0, 1), (0.5, 0.5, 0.6), (1, 1, 0.2)]
    # Without `found` the span is 0.001, with it 1 (1000 times), but it ended better (0.2 < 0.999).
    # w1 and w2 from 0 to 1: 0.03 each side.
    assert window("auto", "auto", runs_with_losses(stuck, found)) == (pytest.approx((-0.03, 1.03)),
                                                                       pytest.approx((-0.03, 1.03)))


def test_the_fitted_window_keeps_every_start_point():
    runs = runs_with_losses([(0, 0, 1), (0.01, 0, 1)], [(0.1, 0, 1), (0.1, 0.01, 1)],
                            [(1000, 1000, 1), (1000.02, 1000, 2)])
    # The third run moves 0.02 but starts 1,400 away: leaving its path out leaves its start, so the
    # extent does not shrink and nothing ran off. w1 from 0 to 1000.02 (30.0006 each side), w2 from
    # 0 to 1000 (30 each side).
    assert window("auto", "auto", runs) == (pytest.approx((-30.0006, 1030.0206)), pytest.approx((-30, 1030)))


def test_the_ravine_with_sgd_at_lr_1e6_beside_adam_fits_adam():
    import dataclasses

    import torch
    from conftest import SCENES

    from anim import Optimizer
    from anim.compute import trajectory
    from anim.declare.loader import load_scene

    ravine = load_scene(SCENES / "pathological.py")
    scene = dataclasses.replace(ravine, x_range="auto", y_range="auto", optimizers=(
        Optimizer("SGD", torch.optim.SGD, lr=1e6, color="red"), Optimizer("Adam", torch.optim.Adam, lr=10, color="k")))
    sgd, adam = runs = trajectory.compute(scene)
    (x0, x1), (y0, y1) = fitted = windows.view_window(scene, runs)
    assert np.abs(sgd.points[:, :2]).max() > 1e4  # it jumps 10,000 units at its first update
    assert x0 <= adam.points[:, 0].min() and adam.points[:, 0].max() <= x1 and x1 - x0 < 100
    assert y0 <= adam.points[:, 1].min() and adam.points[:, 1].max() <= y1 and y1 - y0 < 100
    assert [run.left_view_at for run in windows.mark_exits(runs, fitted)] == [1, None]


def test_the_steep_optima_keep_both_sgd_stuck_at_the_start_and_nesterov_in_a_well():
    import dataclasses

    from conftest import SCENES

    from anim.compute import trajectory
    from anim.declare.loader import load_scene

    steep = load_scene(SCENES / "steep_optima.py")
    scene = dataclasses.replace(steep, x_range="auto", y_range="auto",
                                optimizers=tuple(o for o in steep.optimizers if o.label in ("SGD", "Nesterov")))
    sgd, nesterov = runs = trajectory.compute(scene)
    spans = [np.ptp(run.points[:, :2], axis=0).max() for run in runs]
    assert spans[1] > 100 * spans[0]  # SGD barely moves
    (x0, x1), (y0, y1) = windows.view_window(scene, runs)
    for run in runs:
        assert x0 <= run.points[:, 0].min() and run.points[:, 0].max() <= x1
        assert y0 <= run.points[:, 1].min() and run.points[:, 1].max() <= y1
