"""Shared fixtures: the repository's paths, a small scene file factory, one way to run
`optianim render`, and a null encoder for tests of pipeline logic."""

import hashlib
import json
import os
import stat
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import numpy as np
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


# A fast scene: a quadratic bowl, two optimizers, 12 steps (87 frames at 30 fps).
TINY_SCENE = """
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
"""


@pytest.fixture
def tiny_scene(scene_file):
    """bowl.py, holding TINY_SCENE."""
    return scene_file(TINY_SCENE, "bowl.py")


@pytest.fixture(autouse=True)
def _no_render_cache(request, tmp_path_factory, monkeypatch):
    """Renders draw every frame, as the tests of drawing and encoding expect (a second render of the
    same scene would otherwise come from the cache), except in tests marked `render_cache`, which
    get an empty cache of their own; none ever touches the user's ~/.cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
    if request.node.get_closest_marker("render_cache") is None:
        from anim.write.cache import Cache

        monkeypatch.setattr(Cache, "chosen", classmethod(lambda cls, option: None))


@pytest.fixture(autouse=True)
def _no_inherited_ffmpeg_override(monkeypatch):
    if os.environ.get("IMAGEIO_FFMPEG_EXE"):
        monkeypatch.delenv("IMAGEIO_FFMPEG_EXE")


@dataclass
class Rendered:
    """What `optianim render` did: its exit code and output; for a render that ended well, the
    scene's folder, manifest.json and its records by file name."""

    exit_code: int
    output: str
    folder: Path = None
    manifest: dict = None

    @property
    def records(self):
        return {record["file"]: record for record in self.manifest["files"]}


@pytest.fixture
def render():
    """render(scene, out, *options, exit_code=0) -> Rendered: `optianim render SCENE -o OUT OPTIONS`
    run in this process (click's CliRunner), its exit code checked."""
    from click.testing import CliRunner

    from anim.faces.cli import main

    def run(scene, out, *options, exit_code=0):
        result = CliRunner().invoke(main, ["render", str(scene), "-o", str(out), *map(str, options)])
        assert result.exit_code == exit_code, result.output
        rendered = Rendered(result.exit_code, result.output)
        if exit_code == 0:
            manifest = json.loads(next(Path(out).glob("*/manifest.json")).read_text())
            rendered.folder, rendered.manifest = Path(out) / manifest["scene"], manifest
        return rendered

    return run


class NullEncoder:
    """Stands in for anim.write.encode.Encoder without ffmpeg (matplotlib's NullMovieWriter idea): it
    counts the frames it is fed and records each one's shape and a digest of its pixels. On a clean
    exit each file is a few bytes naming what it would hold, under a temporary name, and `finished`
    holds (temporary path, FileRecord) pairs with the frames, rate and size a file of that format
    gets from the frames fed (anim.write.encode.Shape's rules); an error removes them, as the real one does."""

    def __init__(self, finals, shape, view=None, samples=(), max_gif_bytes=0, reserved=()):
        self.finals = {name: Path(path) for name, path in finals.items()}
        self.shape, self.view, self.samples, self.max_gif_bytes = shape, view, list(samples), max_gif_bytes
        self.frames = 0
        self.shapes = []   # (height, width, channels) of each frame fed
        self.digests = []  # sha256 of each frame's pixels
        self.temps = {}
        self.finished = []

    def __enter__(self):
        from anim.write import files

        self.temps = {name: files.temp_path(final) for name, final in self.finals.items()}
        return self

    def write(self, frame):
        pixels = np.asarray(frame)
        assert pixels.dtype == np.uint8, pixels.dtype
        self.frames += 1
        self.shapes.append(pixels.shape)
        self.digests.append(hashlib.sha256(pixels.tobytes()).hexdigest())

    def __exit__(self, exc_type, exc, tb):
        from anim.write import files
        from anim.write.formats import FORMATS
        from anim.write.manifest import FileRecord

        if exc_type is not None:
            files.discard(*self.temps.values())
            return False
        for name, temp in self.temps.items():
            fmt = FORMATS[name]
            temp.write_bytes(f"null encoder: {self.finals[name].name}, {self.frames} frames fed\n".encode())
            width, height = self.shape.size(fmt)
            facts = dict(frames=self.shape.frames(fmt, self.frames), fps=self.shape.rate(fmt), width=width,
                         height=height)
            if fmt.animated:
                facts["duration"] = round(facts["frames"] / facts["fps"], 6)
            facts.update(fmt.manifest_fields(self.shape.background is not None))
            self.finished.append((temp, FileRecord.of(temp, self.finals[name], self.view, name, **facts)))
        return False


@pytest.fixture
def null_encoder(monkeypatch, tmp_path):
    """Renders in this test go through NullEncoder: returns the list of the encoders opened, in
    order (one per view). ffmpeg is pointed at a path that does not exist, so nothing can have
    run it: a test using this fixture checks pipeline logic, never what a file holds."""
    from anim.write import encode

    opened = []

    def opening(*args, **kwargs):
        encoder = NullEncoder(*args, **kwargs)
        opened.append(encoder)
        return encoder

    monkeypatch.setattr(encode, "Encoder", opening)
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(tmp_path / "no-ffmpeg-in-a-null-encoder-test"))
    return opened
