"""What the legend says of each optimizer: its settings, so that a picture can be reproduced from itself."""

import functools

import pytest
import torch

import anim
from anim import Optimizer, Scene
from anim.drive.settings import Settings
from anim.errors import SceneError, UsageError
from anim.look import legend


def bowl(w1, w2):
    return w1 ** 2 + 3 * w2 ** 2


def test_the_short_text_gives_the_hyperparameters_that_differ_from_the_defaults_and_the_learning_rate():
    assert legend.text(Optimizer("Adam", torch.optim.Adam, lr=0.1)) == "Adam  lr 0.1"
    assert legend.text(Optimizer("SGD", torch.optim.SGD, lr=10, momentum=0.9)) == "SGD  lr 10, momentum 0.9"
    # momentum=0 and eps are the defaults: left out; the lr is shown even at its default
    assert legend.text(Optimizer("SGD", torch.optim.SGD, momentum=0, nesterov=False)) == "SGD  lr 0.001"
    assert legend.text(Optimizer("N", torch.optim.SGD, lr=1e-5, momentum=0.9, nesterov=True)) == \
        "N  lr 1e-5, momentum 0.9, nesterov"
    assert legend.text(Optimizer("A", torch.optim.Adam, lr=0.1, betas=(0.9, 0.99), foreach=False)) == \
        "A  lr 0.1, betas (0.9, 0.99)"  # foreach chooses an implementation, not the update


def test_the_full_text_names_the_class_every_given_value_the_scheduler_and_the_noise():
    scene = Scene(name="s", surface=bowl, init=(1, 1), grad_noise=0.5, noise_seed=3, optimizers=[
        Optimizer("Adam", torch.optim.Adam, lr=0.1, eps=1e-8,
                  scheduler=functools.partial(torch.optim.lr_scheduler.StepLR, step_size=30, gamma=0.5))])
    assert legend.text(scene.optimizers[0], "full") == (
        "Adam  torch.optim.Adam, lr 0.1, eps 1e-08, StepLR(step_size=30, gamma=0.5), grad noise 0.5 (seed 3)")
    assert legend.text(scene.optimizers[0]) == "Adam  lr 0.1, StepLR, grad noise 0.5"
    assert legend.text(scene.optimizers[0], "label") == "Adam"


def test_a_swept_value_is_said_once_by_the_label():
    scene = Scene(name="s", surface=bowl, init=(1, 1),
                  optimizers=[Optimizer("SGD", torch.optim.SGD, lr=[0.01, 0.1], momentum=0.9)])
    assert [legend.text(o) for o in scene.optimizers] == ["SGD lr=0.01  momentum 0.9", "SGD lr=0.1  momentum 0.9"]


class Tuned(Optimizer):
    """An optimizer as issue 29's tuner and clipping leave it: attributes the legend reads when present."""


def test_clipping_and_tuned_values_show_when_the_optimizer_carries_them():
    opt = Tuned("Adam", torch.optim.Adam, lr=0.24)
    for name, value in (("clip_grad_norm", 1.0), ("tuned", ("lr",))):
        object.__setattr__(opt, name, value)
    assert legend.text(opt) == "Adam  lr 0.24 (tuned), clipped at 1"
    object.__setattr__(opt, "clip_norm_type", 1.0)
    object.__setattr__(opt, "clip_grad_value", 0.5)
    assert legend.text(opt) == "Adam  lr 0.24 (tuned), clipped at 1 (L1 norm), clipped at \u00b10.5"


def _legend_texts(scene, view, **keywords):
    from anim.compute import window
    from anim.drive import pipeline
    from anim.look.views import view_class, view_data

    prepared = pipeline.prepare(scene)
    settings = Settings(views=(view,), width=640, height=360, **keywords)
    data = view_data(prepared.scene, prepared.runs, window.view_window(prepared.scene, prepared.runs), view, settings)
    built = view_class(view)(data, 640, 360)
    if view == "grid":
        return [" ".join(panel.ax.get_title().split()) for panel in built.panels]
    return [" ".join(t.get_text().split()) for t in built.fig.legends[0].get_texts()]


@pytest.mark.parametrize("view", ["contour", "surface", "grid"])
def test_each_view_says_the_settings_and_the_setting_chooses_how_much(view):
    scene = Scene(name="s", surface=bowl, init=(1.5, 1.0), steps=8, x_range=(-2, 2), y_range=(-2, 2),
                  optimizers=[Optimizer("SGD", torch.optim.SGD, lr=0.05, momentum=0.9),
                              Optimizer("Adam", torch.optim.Adam, lr=0.1)])
    shown = _legend_texts(scene, view)
    assert shown[:2] == ["SGD lr 0.05, momentum 0.9", "Adam lr 0.1"]
    assert _legend_texts(scene, view, legend="label")[:2] == ["SGD", "Adam"]
    assert _legend_texts(Scene(**{**vars(scene), "legend": "label"}), view)[:2] == ["SGD", "Adam"]


def test_a_bad_legend_setting_is_named():
    with pytest.raises(SceneError, match="^legend: got 'long'; use one of 'short', 'full', 'label'$"):
        Scene(name="s", surface=bowl, optimizers=[Optimizer("SGD", torch.optim.SGD)], legend="long")
    with pytest.raises(UsageError, match="^legend: got 'long'; use one of short, full, label"):
        Settings(legend="long")


def test_the_cli_takes_legend(tmp_path, tiny_scene):
    from click.testing import CliRunner

    from anim.faces.cli import main

    result = CliRunner().invoke(main, ["still", str(tiny_scene), "-o", str(tmp_path), "--view", "contour",
                                       "--format", "svg", "--legend", "full"])
    assert result.exit_code == 0, result.output
    svg = (tmp_path / "bowl" / "contour-still.svg").read_text()
    assert "torch.optim.SGD, lr 0.1" in svg
    result = CliRunner().invoke(main, ["still", str(tiny_scene), "-o", str(tmp_path), "--legend", "long"])
    assert result.exit_code == 2 and "'long' is not one of 'short', 'full', 'label'" in result.output
    assert anim.Scene.__dataclass_fields__["legend"].default == "short"
