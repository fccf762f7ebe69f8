"""Descriptions in words: a swarm summed up with its counts, labels kept safe in WebVTT and HTML, the
manifest's small stable shape."""

import re

import numpy as np
import torch

from anim import Optimizer, Scene, starts
from anim.drive.settings import Settings
from anim.drive.timeline import timeline
from anim.write import describe
from compute.test_events import KNOWN, double_well, story_of


def described(scene, views=("contour",)):
    settings = Settings()
    story, _ = story_of(scene)
    return describe.describe(scene, story, list(views), timeline(scene, settings), settings.fps)


def test_a_swarm_is_summed_up_with_its_counts_per_known_minimum():
    init = starts.random(1000, seed=0, x=(-1.5, 1.5), y=(-1.5, 1.5))
    scene = Scene(name="wells", title="Two wells", surface=double_well, init=init, steps=150, x_range=(-2, 2),
                  y_range=(-2, 2), optimizers=[Optimizer("SGD", torch.optim.SGD, lr=0.05)])
    left = int((np.array(scene.init)[:, 0] < 0).sum())
    words = described(scene)
    alt = words.alt["contour"]
    for count, minimum in ((left, r"\(-1, 0\)"), (1000 - left, r"\(1, 0\)")):
        assert re.search(rf"\b{count:,} of 1,000 SGD runs \(the first at step \d+\) reach the minimum at {minimum}", alt)
    assert "1 optimizer (SGD) each from 1,000 start points over 150 steps" in words.alt["contour"]
    text = words.text()
    assert f"{left:,} of 1,000 SGD runs reach the minimum at (-1, 0): the first here" in text
    assert "SGD ends with the lowest median loss" in words.alt["contour"]
    assert "(the median of 1,000 runs drawn to the end)" in text
    assert "the lowest loss is the loss at the scene's known minima, 0;" in text


def test_labels_are_escaped_in_webvtt_and_html():
    scene = Scene(name="odd", surface=KNOWN.surface, init=(1.0, 0.0), steps=12, x_range=(-5, 5), y_range=(-5, 5),
                  optimizers=[Optimizer("<b>SGD</b> & co --> fast", torch.optim.SGD, lr=1.5)])
    words = described(scene)
    vtt = words.vtt("contour")
    assert "&lt;b&gt;SGD&lt;/b&gt; &amp; co --&gt; fast diverges" in vtt and "<b>" not in vtt
    assert vtt.count("-->") == len(words.lines) == 1
    assert "&lt;b&gt;SGD&lt;/b&gt; &amp; co --&gt; fast diverges" in words.html()


def test_the_manifest_shape():
    words = described(KNOWN, views=("contour", "surface"))
    shape = words.as_dict()
    assert set(shape) == {"file", "summary", "events", "ranking", "rules"}
    assert set(shape["events"][0]) == {"time", "frame", "step", "kind", "optimizer", "text"}
    assert set(words.alt) == {"contour", "surface"}
    assert words.alt["surface"].startswith("A 3-D surface of known: 4 optimizers")


def test_a_network_landscape_is_described_on_its_plane_without_the_valley_floor():
    from torch import nn

    from anim import Landscape, datasets
    from anim.compute import events, training, window

    landscape = Landscape(name="moons", model=lambda: nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2)),
                          data=datasets.two_moons(64, seed=1), loss=torch.nn.functional.cross_entropy, steps=12,
                          optimizers=[Optimizer("Adam", torch.optim.Adam, lr=0.05)])
    trained = training.compute(landscape)
    view = window.view_window(trained.scene, trained.runs)
    story = events.find(trained.scene, window.mark_exits(trained.runs, view), view, plane=True)
    settings = Settings()
    words = describe.describe(trained.scene, story, ["contour"], timeline(trained.scene, settings), settings.fps)
    assert ("1 optimizer (Adam) from the network's initial weights, on a plane through its weights, over 12 steps"
            in words.alt["contour"])
    assert "The valley floor is not tested on a network's plane" in words.text()
