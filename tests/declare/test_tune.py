"""anim.tune(...): validated where it is declared, one per optimizer, not in a sweep, not on a Landscape."""

import pytest
import torch
from torch import nn

import anim
from anim import Landscape, Optimizer
from anim.declare.tune import Tune, tuned_names
from anim.errors import SceneError


def test_tune_is_public_and_its_defaults_are_documented():
    declared = anim.tune(1e-4, 10)
    assert declared == Tune(1e-4, 10.0, candidates=100, objective="final_loss", minimum=None)
    assert declared.objective_name == "final_loss"
    assert anim.tune(1, 2, objective=len).objective_name == "len"
    assert anim.tune(1, 2, objective="distance", minimum=[1, 3]).minimum == (1.0, 3.0)


@pytest.mark.parametrize("arguments, message", [
    ((0, 1), "tune: got the range (0, 1); give low and high with 0 < low < high, such as anim.tune(1e-4, 10)"),
    ((1, 1), "tune: got the range (1, 1); give low and high with 0 < low < high, such as anim.tune(1e-4, 10)"),
    ((1e-3, float("inf")), "tune: got the range (0.001, inf); give low and high with 0 < low < high"),
    ((1e-3, 1, 1), "tune: candidates: got 1; use a whole number of values from 2 to 10,000"),
    ((1e-3, 1, 10, "loss"), "tune: objective: got 'loss'; use one of 'final_loss', 'distance', 'area', or a function "
                            "of a run's points (a (steps, 3) array of w1, w2, loss) returning a number, lower is better"),
    ((1e-3, 1, 10, "distance"), "tune: minimum: got None; objective 'distance' needs the minimum as a point (w1, w2)"),
    ((1e-3, 1, 10, "final_loss", (1, 1)), "tune: minimum: applies to objective 'distance' only"),
])
def test_a_bad_tune_says_what_would_be_valid(arguments, message):
    with pytest.raises(SceneError) as error:
        anim.tune(*arguments)
    assert str(error.value).startswith(message), str(error.value)


def test_one_tuned_hyperparameter_per_optimizer_and_never_inside_a_sweep():
    with pytest.raises(SceneError, match=r"optimizers\['Adam'\]: tunes lr and eps; tune one hyperparameter per "
                                         r"optimizer"):
        Optimizer("Adam", torch.optim.Adam, lr=anim.tune(1e-4, 1), eps=anim.tune(1e-9, 1e-6))
    with pytest.raises(SceneError, match=r"optimizers\['SGD'\].lr: anim.tune\(...\) cannot be one value of a sweep"):
        Optimizer("SGD", torch.optim.SGD, lr=[0.1, anim.tune(1e-4, 1)])
    # a sweep of another hyperparameter expands, each value tuned on its own
    swept = Optimizer("SGD", torch.optim.SGD, lr=anim.tune(1e-4, 1), momentum=[0.5, 0.9]).expanded()
    assert [o.label for o in swept] == ["SGD momentum=0.5", "SGD momentum=0.9"]
    assert all(tuned_names(o.hyperparameters) == ["lr"] for o in swept)


def test_a_landscape_refuses_a_tune():
    with pytest.raises(SceneError) as error:
        Landscape(name="net", model=lambda: nn.Linear(2, 2), data=(torch.zeros(4, 2), torch.zeros(4).long()),
                  loss=torch.nn.functional.cross_entropy,
                  optimizers=[Optimizer("Adam", torch.optim.Adam, lr=anim.tune(1e-4, 1))])
    assert str(error.value) == ("optimizers['Adam'].lr: anim.tune(...) tunes on a Scene's surface; a Landscape takes "
                                "a value, or a list to sweep")


def test_a_tuned_optimizer_says_which_hyperparameter_the_tuner_chose():
    declared = Optimizer("Adam", torch.optim.Adam, lr=anim.tune(1e-4, 1), clip_grad_norm=1.0)
    assert declared.tuned == ()
    chosen = declared.tuned_to("lr", 0.24)
    assert chosen.tuned == ("lr",) and chosen.hyperparameters["lr"] == 0.24 and chosen.clip_grad_norm == 1.0
    assert chosen.with_color("red").tuned == ("lr",)  # copies keep it
