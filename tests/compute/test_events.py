"""The events a description names, found in scenes whose facts are known by arithmetic: one optimizer
diverges at step 3, one reaches the minimum at step 4, one stalls at its start, one zig-zags from step
1 to step 21; a swarm splits between two known minima by the sign of its start points."""

import numpy as np
import pytest
import torch
from torch import nn

from anim import Landscape, Optimizer, Scene, datasets, starts
from anim.compute import events, training, trajectory, window
from anim.compute.events import DIVERGES, FLOOR, LEAVES, OSCILLATES, REACHES, STALLS


def cliff_bowl(w1, w2):
    """w1^2 + w2^2, whose loss is not finite left of w1 = -3 (the log of a negative number, times 0)."""
    return w1 ** 2 + w2 ** 2 + 0 * torch.log(w1 + 3)


# From (1, 0), SGD multiplies w1 by 1 - 2 lr at every update (w2 stays 0):
# lr 1.5: x(-2), 1, -2, 4, -8: the loss is not finite at step 3 (w1 = -8 < -3), inside the window;
# lr 0.25: halved, exactly in float32: loss 4^-t, within 1 % of its drop (1) first at t = 4 (1/256 <= 0.01 < 1/64);
# lr 1e-9: moves 2e-9 per update, under 0.1 % of the window's diagonal (0.014) from the start;
# lr 0.9: x(-0.8): every update turns back; updates 1.8 * 0.8^t stay longer than 0.014 up to t = 21, so
#   the turns (at points 1, 2, ...) last to point 21; loss 0.64^t within 1 % first at t = 11 (0.0074).
KNOWN = Scene(name="known", surface=cliff_bowl, init=(1.0, 0.0), steps=40, x_range=(-5, 5), y_range=(-5, 5),
              optimizers=[Optimizer("Too fast", torch.optim.SGD, lr=1.5),
                          Optimizer("Halving", torch.optim.SGD, lr=0.25),
                          Optimizer("Frozen", torch.optim.SGD, lr=1e-9),
                          Optimizer("Zig-zag", torch.optim.SGD, lr=0.9)])


def story_of(scene):
    runs = trajectory.compute(scene)
    view = window.view_window(scene, runs)
    runs = window.mark_exits(runs, view)
    return events.find(scene, runs, view), runs


def test_each_known_fact_is_an_event_at_its_step_and_nothing_else_is():
    story, runs = story_of(KNOWN)
    assert [r.diverged_at for r in runs] == [3, None, None, None]  # the arithmetic above, as torch ran it
    found = {(e.kind, e.label): e for e in story.events}
    assert set(found) == {(DIVERGES, "Too fast"), (REACHES, "Halving"), (STALLS, "Frozen"),
                          (OSCILLATES, "Zig-zag"), (REACHES, "Zig-zag")}
    assert found[DIVERGES, "Too fast"].step == 3 and found[DIVERGES, "Too fast"].seen == 2  # its path ends at 2
    assert found[REACHES, "Halving"].step == 4 and found[REACHES, "Halving"].where[:2] == (1 / 16, 0.0)
    assert found[STALLS, "Frozen"].step == 0
    assert (found[OSCILLATES, "Zig-zag"].step, found[OSCILLATES, "Zig-zag"].until) == (1, 21)
    assert found[REACHES, "Zig-zag"].step == 11
    # in the order the video shows them
    assert [(e.seen, e.label) for e in story.events] == [(0, "Frozen"), (1, "Zig-zag"), (2, "Too fast"),
                                                          (4, "Halving"), (11, "Zig-zag")]
    # ranked by the last loss; the one that diverged last
    assert [f.label for f in story.finals] == ["Halving", "Zig-zag", "Frozen", "Too fast"]
    assert story.finals[-1].loss is None and story.finals[-1].diverged == 1 and story.finals[-1].stopped_at == 3
    assert story.lowest == pytest.approx(0.25 ** 39 * 1.0, rel=1e-6)  # Halving's last loss, (2^-39)^2
    assert story.floor_tested and not story.plane


def test_a_run_that_leaves_the_view_is_an_event_where_it_left():
    scene = Scene(name="gone", surface=lambda w1, w2: w1 ** 2 + w2 ** 2, init=(1.0, 0.0), steps=10,
                  x_range=(-2, 2), y_range=(-2, 2), optimizers=[Optimizer("Away", torch.optim.SGD, lr=1.5)])
    story, runs = story_of(scene)
    # x(-2): 1, -2, 4, -8: |w1| = 8 is more than a window's size (4) past the edge (2) at step 3
    assert runs[0].left_view_at == 3
    assert [(e.kind, e.step, e.seen) for e in story.events] == [(LEAVES, 3, 2)]
    assert story.finals[0].left == 1 and story.finals[0].loss is None


def ravine(w1, w2):
    """Steep across w1, sloping along w2 (the lecture's ravine without its plateau)."""
    return 10 * w1 ** 2 + w2


def test_the_valley_floor_is_where_the_loss_rises_on_both_sides_across_the_valley():
    """SGD from w1 = 3 comes down the wall (w1 x0.6 per update) long before it slides down the valley
    to the lowest loss (w2 - 0.02 per update, 2.02 at the end: within 1 % of its drop of 92 when
    4 - 0.02 t <= 2.02 + 0.92, from step 54). The curvature
    is all across (along w1), so the floor is |w1| < half the test's reach, 1 % of the diagonal."""
    scene = Scene(name="floor", surface=ravine, init=(3.0, 4.0), steps=100, x_range=(-5, 5), y_range=(-5, 5),
                  optimizers=[Optimizer("SGD", torch.optim.SGD, lr=0.02)])
    story, runs = story_of(scene)
    reach = 0.01 * np.hypot(10, 10)
    on_floor = np.abs(runs[0].points[:, 0]) < reach / 2
    assert on_floor.any() and not on_floor[0]
    assert [(e.kind, e.step) for e in story.events] == [(FLOOR, int(np.argmax(on_floor))), (REACHES, 54)]
    assert int(np.argmax(on_floor)) == 8  # 3 * 0.6^8 = 0.050 < 0.0707 < 3 * 0.6^7


def double_well(w1, w2):
    return (w1 ** 2 - 1) ** 2 + w2 ** 2


double_well.minima = [(-1.0, 0.0), (1.0, 0.0)]  # known minima, as anim.surfaces' carry them


def test_a_swarm_is_summed_up_per_known_minimum_with_the_split_its_starts_decide():
    """Gradient descent never crosses w1 = 0 on the double well: each start goes to the minimum on its side."""
    init = starts.random(1000, seed=0, x=(-1.5, 1.5), y=(-1.5, 1.5))
    scene = Scene(name="wells", surface=double_well, init=init, steps=150, x_range=(-2, 2), y_range=(-2, 2),
                  optimizers=[Optimizer("SGD", torch.optim.SGD, lr=0.05)])
    story, runs = story_of(scene)
    points = np.array(scene.init)
    left = int((points[:, 0] < 0).sum())
    assert 400 < left < 600
    reached = {e.minimum: e for e in story.events if e.kind == REACHES}
    assert {m: (e.count, e.runs) for m, e in reached.items()} == {(-1.0, 0.0): (left, 1000),
                                                                  (1.0, 0.0): (1000 - left, 1000)}
    first = [r for r in runs if r.run == int(np.argmin([
        np.argmax(r.points[:, 2] <= 0.01 * r.points[0, 2]) if r.points[0, 0] < 0 else 10 ** 9 for r in runs]))]
    assert reached[-1.0, 0.0].step == int(np.argmax(first[0].points[:, 2] <= 0.01 * first[0].points[0, 2]))
    assert story.minima == ((-1.0, 0.0), (1.0, 0.0)) and story.lowest == 0.0


def test_a_network_landscape_gets_its_events_without_the_valley_floor():
    def mlp():
        return nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))

    landscape = Landscape(name="moons", model=mlp, data=datasets.two_moons(64, seed=1),
                          loss=torch.nn.functional.cross_entropy, steps=12,
                          optimizers=[Optimizer("Adam", torch.optim.Adam, lr=0.05)])
    trained = training.compute(landscape)
    view = window.view_window(trained.scene, trained.runs)
    story = events.find(trained.scene, window.mark_exits(trained.runs, view), view, plane=True)
    assert story.plane and not story.floor_tested and not story.minima
    assert FLOOR not in {e.kind for e in story.events}
    assert story.lowest == pytest.approx(float(trained.runs[0].points[:, 2].min()))
    assert [f.label for f in story.finals] == ["Adam"]


def test_the_story_is_the_same_every_time():
    assert story_of(KNOWN)[0] == story_of(KNOWN)[0]
