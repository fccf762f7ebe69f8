"""Scenes built in Python are validated and normalised, and every mistake names the field."""

import pytest
import torch

from anim import Camera, Optimizer, Scene
from anim.errors import SceneError


def bowl(w1, w2):
    return w1 ** 2 + w2 ** 2


def make(**changes):
    fields = dict(name="s", surface=bowl, optimizers=[Optimizer("SGD", torch.optim.SGD, lr=0.1)])
    fields.update(changes)
    return Scene(**fields)


def test_defaults_and_normalisation():
    scene = make(init=(5, 5), x_range=(-1, 2))
    assert scene.init == ((5.0, 5.0),)
    assert scene.x_range == (-1.0, 2.0) and scene.y_range == "auto"
    assert scene.title == "s" and scene.steps == 100
    assert scene.optimizers[0].color is not None
    assert scene.camera == Camera("auto", "auto") and scene.camera.automatic  # chosen when it renders
    assert scene.minima is None and scene.legend == "short"
    assert Camera(elevation=(10, 50), azimuth=0).pose(0.5) == (30.0, 0.0)


@pytest.mark.parametrize("changes, message", [
    (dict(steps=0), "steps: got 0; use a whole number of updates >= 1"),
    (dict(steps=2.5), "steps: got 2.5; use a whole number of updates >= 1"),
    (dict(x_range=(2, 1)), "x_range: low must be below high, got (2, 1)"),
    (dict(y_range=(1, 1)), "y_range: low must be below high, got (1, 1)"),
    (dict(x_range="wide"), "x_range: got 'wide'; use a (low, high) pair of numbers or one of 'auto', 'symmetric'"),
    (dict(init=(1, 2, 3)), "init[0]: got 1; a start point is a pair of numbers (w1, w2)"),
    (dict(init=("a", 1)), "init[0]: got 'a'; a start point is a pair of numbers (w1, w2)"),
    (dict(init="origin"), "init: got 'origin'; use a start point (w1, w2), a non-empty list of them, "
                           "or anim.starts.grid(n), random(n, seed) or circle(n, radius)"),
    (dict(init=[(1, 2), (float("nan"), 0)]), "init[1]: got (nan, 0); a start point is a pair of numbers (w1, w2)"),
    (dict(x_range=(0, float("inf"))), "x_range: got (0, inf); use a (low, high) pair of numbers, 'auto' or 'symmetric'"),
    (dict(optimizers=[]), "optimizers: declare at least one anim.Optimizer(label, factory, ...)"),
    (dict(optimizers=[Optimizer("A", torch.optim.SGD, lr=1), Optimizer("A", torch.optim.Adam)]),
     "optimizers[1]: duplicate label 'A'; labels must be unique"),
    (dict(optimizers=["SGD"]), "optimizers[0]: got 'SGD'; use anim.Optimizer(label, factory, ...)"),
    (dict(surface=3), "surface: got 3; use a function loss(w1, w2) of two tensors"),
    (dict(name="my scene"), "name: got 'my scene'; use letters, digits, '-', '_' or '.' (it names the output folder)"),
    (dict(camera=(30, 60)), "camera: got (30, 60); use anim.Camera(elevation=..., azimuth=...)"),
    (dict(color_scale="logarithmic"), "color_scale: got 'logarithmic'; use one of 'linear', 'log'"),
    (dict(views=["grid", 3]), "views: got ['grid', 3]; use a list of view names such as ['grid'] or "
                              "['contour', 'dashboard']"),
])
def test_invalid_fields_are_named(changes, message):
    with pytest.raises(SceneError) as error:
        make(**changes)
    assert str(error.value) == message


def test_a_scene_declares_its_views_as_names_each_once():
    assert make().views == ()  # none declared: a render draws contour and surface
    assert make(views="grid").views == ("grid",)
    assert make(views=["grid", "dashboard", "grid"]).views == ("grid", "dashboard")


def test_optimizer_factory_must_be_callable():
    with pytest.raises(SceneError) as error:
        Optimizer("SGD", 3, lr=1)
    assert str(error.value) == ("optimizers['SGD']: factory 3 is not callable; pass a torch.optim class, a function "
                                "that takes a parameter list, or an optimizer's name ('lion')")
