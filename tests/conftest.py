"""Shared fixtures: the repository's paths and a small scene file factory."""

import os
import stat
import sys
import textwrap
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
ROOT = Path(__file__).resolve().parent.parent
SCENES = ROOT / "scenes"
sys.path.insert(0, str(Path(__file__).resolve().parent))  # for `import probe`


def fake_ffmpeg(folder, script):
    """An executable `folder/ffmpeg` shell script running `script`, to stand in for the real one."""
    fake = folder / "ffmpeg"
    fake.write_text("#!/bin/sh\n" + script)
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    return fake


@pytest.fixture
def scene_file(tmp_path):
    """write(body, name='scene.py') -> path of a scene file holding the dedented body."""

    def write(body, name="scene.py"):
        path = tmp_path / name
        path.write_text(textwrap.dedent(body))
        return path

    return write


@pytest.fixture
def tiny_scene(scene_file):
    """A fast scene: a quadratic bowl, two optimizers, 12 steps."""
    return scene_file("""
        import torch
        from anim import Scene, Optimizer, Camera

        scene = Scene(
            name="bowl", title="Bowl",
            surface=lambda w1, w2: w1 ** 2 + 3 * w2 ** 2,
            init=(1.5, -1.0), steps=12,
            x_range=(-2, 2), y_range=(-2, 2),
            optimizers=[
                Optimizer("SGD", torch.optim.SGD, lr=0.1, color="red"),
                Optimizer("Adam", torch.optim.Adam, lr=0.3, color="black"),
            ],
            camera=Camera(elevation=(20, 40), azimuth=(-60, 60)),
        )
    """, "bowl.py")


@pytest.fixture(autouse=True)
def _no_inherited_ffmpeg_override(monkeypatch):
    if os.environ.get("IMAGEIO_FFMPEG_EXE"):
        monkeypatch.delenv("IMAGEIO_FFMPEG_EXE")
