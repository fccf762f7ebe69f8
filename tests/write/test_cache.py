"""The render cache: a view is drawn again whenever anything its frames are made of changed (a helper
module, a data file, a colour, the camera, the theme, a seed), reused otherwise; bounded, clearable."""

import textwrap

import pytest

from anim.drive import pipeline
from anim.drive.settings import Settings
from anim.look.views import view_data
from anim.write.cache import Cache

SCENE = """
    import numpy as np
    import torch
    from anim import Scene, Optimizer, Camera
    from common import bowl

    start = tuple(np.loadtxt(__file__.replace("scene.py", "start.txt")))
    scene = Scene(
        name="course", surface=bowl, init=start, steps=8, x_range=(-2, 2), y_range=(-2, 2),
        optimizers=[Optimizer("SGD", torch.optim.SGD, lr=0.1, color="{color}", grad_noise={noise},
                              noise_seed={seed}),
                    Optimizer("Adam", torch.optim.Adam, lr=0.3, color="black")],
        camera=Camera(elevation=30, azimuth={azimuth}),
    )
"""
BASE = dict(color="red", noise=0.1, seed=0, azimuth=(-60, 60))


@pytest.fixture
def course(tmp_path):
    """write(**changes) -> scene.py in a folder with common.py (the surface) and start.txt (data)."""
    folder = tmp_path / "course"
    folder.mkdir()

    def write(height=1, start="1.5 -1.0", **changes):
        (folder / "common.py").write_text(f"def bowl(w1, w2):\n    return {height} * w1 ** 2 + 3 * w2 ** 2\n")
        (folder / "start.txt").write_text(start + "\n")
        (folder / "scene.py").write_text(textwrap.dedent(SCENE.format(**{**BASE, **changes})))
        return folder / "scene.py"

    return write


def keys(path, *variants):
    """{view: cache key} of a render of the scene file, as render computes them: with the default
    settings, or one such dict for each dict of `variants` (settings fields)."""
    prepared = pipeline.prepare(path)
    runs, window = pipeline._framed(prepared)
    found = []
    for fields in variants or ({},):
        settings = Settings(views=("contour", "surface"), width=160, height=96, **fields)
        found.append({view: pipeline.cache_key(view, view_data(prepared.scene, runs, window, view, settings),
                                               prepared.scene, settings)
                      for view in settings.views})
    return found if variants else found[0]


def test_what_changes_the_frames_changes_the_key_of_exactly_the_views_it_reaches(course):
    base, same_jobs, same_formats, dark, fps = keys(course(), {}, dict(jobs=1), dict(formats=("gif",)),
                                                    dict(theme="dark"), dict(fps=24))
    assert keys(course()) == base  # the same file loaded again (under another module name): reusable
    assert same_jobs == base and same_formats == base  # neither changes a file's bytes
    changes = {
        "a helper module the scene imports": (dict(height=2), {"contour", "surface"}),
        "a data file the scene reads": (dict(start="1.0 -1.0"), {"contour", "surface"}),
        "a colour": (dict(color="blue"), {"contour", "surface"}),
        "a noise seed": (dict(seed=1), {"contour", "surface"}),
        "the camera": (dict(azimuth=(-30, 90)), {"surface"}),
    }
    for what, (change, views) in changes.items():
        changed = keys(course(**change))
        assert {view for view in base if changed[view] != base[view]} == views, what
    assert all(dark[view] != base[view] and fps[view] != base[view] for view in base), "the theme, the fps"


def reused(output):
    return {line.split()[1] for line in output.splitlines() if "unchanged: reused from the render cache" in line}


@pytest.mark.render_cache
def test_the_cli_reuses_unchanged_views_and_draws_changed_ones(course, tmp_path, render):
    options = ["--size", "96x64", "--fps", "5", "--view", "contour", "--view", "surface", "--format", "mp4",
               "--jobs", "1"]
    out = tmp_path / "out"
    first = render(course(), out, *options)
    assert reused(first.output) == set()
    drawn = {name: (first.folder / name).read_bytes() for name in ("contour.mp4", "surface.mp4")}
    again = render(course(), out, *options)  # the direct mode: every file, the scene not even run
    assert reused(again.output) == {"contour.mp4", "surface.mp4", "trajectories.csv", "index.html"}
    assert {name: (again.folder / name).read_bytes() for name in drawn} == drawn
    assert again.records["surface.mp4"]["frames"] == first.records["surface.mp4"]["frames"]
    assert not list(again.folder.glob(".*.part"))
    # The camera moved: only the 3-D view is drawn again.
    moved = render(course(azimuth=(0, 90)), out, *options)
    assert reused(moved.output) == {"contour.mp4"}
    assert (out / "course" / "contour.mp4").read_bytes() == drawn["contour.mp4"]
    assert (moved.folder / "surface.mp4").read_bytes() != drawn["surface.mp4"]
    assert reused(render(course(), out, *options, "--no-cache").output) == set()


def fake_file(folder, name, size):
    path = folder / name
    path.write_bytes(bytes(size))
    return path


def test_the_cache_stays_bounded_dropping_the_least_recently_used_and_can_be_cleared(tmp_path):
    import os

    from anim.write.manifest import FileRecord

    cache = Cache(tmp_path / "cache", max_bytes=2500)
    for i, key in enumerate(["a" * 64, "b" * 64, "c" * 64]):
        temp = fake_file(tmp_path, f"{key[0]}.mp4", 1000)
        cache.store(key, [(temp, FileRecord.of(temp, tmp_path / "contour.mp4", "contour", "mp4", frames=1))])
        for path in (tmp_path / "cache").glob(f"views/*/{key}*"):  # used in this order, a second apart
            os.utime(path, (i, i))
    kept = sorted(p.name for p in (tmp_path / "cache").glob("views/*/*.mp4"))
    assert kept == ["b" * 64 + ".mp4", "c" * 64 + ".mp4"]
    assert cache.reuse("a" * 64, "contour", ["mp4"], tmp_path) is None
    [(temp, record)] = cache.reuse("c" * 64, "contour", ["mp4"], tmp_path)
    assert (record.path, record.frames, temp.read_bytes()) == (tmp_path / "contour.mp4", 1, bytes(1000))
    (tmp_path / "cache" / "views" / "bb" / ("b" * 64 + ".mp4")).write_bytes(b"damaged")  # never handed out
    assert cache.reuse("b" * 64, "contour", ["mp4"], tmp_path) is None
    assert cache.notices == [f"render cache {tmp_path / 'cache'}: an entry could not be read "
                             f"({'b' * 64}.mp4 is damaged); rendering without it"]
    assert cache.clear() > 1000 and not (tmp_path / "cache").exists()
