"""Which minima a view marks: the scene's, the surface's known ones, or the lowest point of the window
where it lies in one clear basin."""

import pytest
import torch

from anim import Optimizer, Scene
from anim.compute import minima
from anim.surfaces import himmelblau, quadratic_bowl, rosenbrock, saddle

SGD = [Optimizer("SGD", torch.optim.SGD, lr=0.01)]
WINDOW = ((-2.0, 2.0), (-1.0, 3.0))


def scene(surface, **fields):
    return Scene(name="s", surface=surface, optimizers=SGD, **fields)


def test_a_classic_surface_is_marked_at_its_known_minima_inside_the_window():
    marks = minima.marked(scene(rosenbrock), WINDOW)
    assert marks == minima.Marks(((1.0, 1.0),), "minimum")
    marks = minima.marked(scene(himmelblau), ((-5, 5), (-5, 5)))
    assert len(marks.points) == 4 and marks.label == "minima"
    assert minima.marked(scene(himmelblau), ((0, 5), (0, 5))).points == ((3.0, 2.0),)  # the others lie outside


def test_the_scene_names_its_own_minima_or_none():
    assert minima.marked(scene(rosenbrock, minima=[(0.5, 0.25)]), WINDOW).points == ((0.5, 0.25),)
    assert minima.marked(scene(rosenbrock, minima=(0.5, 0.25)), WINDOW).points == ((0.5, 0.25),)
    assert minima.marked(scene(rosenbrock, minima=[]), WINDOW) is None
    assert minima.marked(scene(saddle), WINDOW) is None  # a saddle has none


def test_an_unknown_surface_gets_its_lowest_point_when_it_is_one_clear_basin():
    marks = minima.marked(scene(lambda w1, w2: (w1 - 0.337) ** 2 + 2 * (w2 - 1.291) ** 2), WINDOW)
    assert marks.label == "lowest on grid"
    (x, y), = marks.points
    assert x == pytest.approx(0.337, abs=0.01) and y == pytest.approx(1.291, abs=0.01)  # placed between the nodes


@pytest.mark.parametrize("surface", [
    lambda w1, w2: (w1 ** 2 - 1) ** 2 + w2 ** 2,    # two equal wells: no single basin
    lambda w1, w2: w1 + w2,                         # a slope: the lowest point is the window's corner
    lambda w1, w2: 0 * w1 + 0 * w2,                 # flat
])
def test_no_star_where_the_lowest_point_is_not_a_clear_basin(surface):
    assert minima.marked(scene(surface), ((-2, 2), (-2, 2))) is None


def test_a_bowl_built_by_its_function_knows_its_minimum():
    assert quadratic_bowl(25).minima == ((0.0, 0.0),)


@pytest.mark.parametrize("value, message", [
    ("origin", "minima: got 'origin'; use a list of (w1, w2) points to mark, [] for none, or None for the surface's own"),
    ([(0, 0), (1,)], "minima[1]: got (1,); a minimum is a pair of numbers (w1, w2)"),
])
def test_bad_minima_are_named(value, message):
    from anim.errors import SceneError

    with pytest.raises(SceneError) as error:
        scene(rosenbrock, minima=value)
    assert str(error.value) == message
