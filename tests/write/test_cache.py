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
    assert reused(again.output) == {"contour.mp4", "surface.mp4", "trajectories.csv", "description.txt", "contour.vtt",
                                    "surface.vtt", "index.html"}
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


# --- a cache never fails a render ---------------------------------------------------------------------

import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

OPTIONS = ["--size", "96x64", "--fps", "5", "--view", "contour", "--format", "mp4", "--jobs", "1"]
NOBODY = 65534


def warnings_in(output):
    return [line for line in output.splitlines() if line.startswith("warning:")]


@pytest.fixture
def as_nobody(tiny_scene):
    """run(*args, cache=FOLDER) -> CompletedProcess of `python -m anim ARGS` as the unprivileged user
    nobody (setpriv), with XDG_CACHE_HOME=cache, in a folder of its own (`run.folder`, holding
    bowl.py) that nobody may write. Skips where this is not root or setpriv is missing."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("running as another user needs root and setpriv")
    folder = Path(tempfile.mkdtemp(prefix="optianim-test-"))
    folder.chmod(0o777)
    shutil.copy(tiny_scene, folder / "bowl.py")

    def run(*args, cache):
        env = {**os.environ, "HOME": str(folder), "XDG_CACHE_HOME": str(cache), "MPLCONFIGDIR": str(folder / "mpl")}
        return subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                               sys.executable, "-m", "anim", *map(str, args)], env=env, cwd=folder,
                              capture_output=True, text=True, timeout=600)

    run.folder = folder
    yield run
    shutil.rmtree(folder, ignore_errors=True)


def test_a_cache_owned_by_another_user_is_a_miss_and_one_warning(as_nobody, tmp_path):
    cache = Path(tempfile.mkdtemp(prefix="optianim-test-cache-"))  # root's, 0755: nobody reads, cannot write
    try:
        (cache / "optianim").mkdir()
        cache.chmod(0o755)
        done = as_nobody("render", "bowl.py", "-o", "out", *OPTIONS, cache=cache)
        assert done.returncode == 0, done.stderr
        assert (as_nobody.folder / "out" / "bowl" / "contour.mp4").stat().st_size > 0
        [warning] = warnings_in(done.stderr)
        assert warning.startswith(f"warning: render cache {cache / 'optianim'}: could not keep a file "
                                  "(Permission denied)"), warning
        assert list((cache / "optianim").iterdir()) == []
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def test_clearing_a_cache_it_cannot_delete_is_an_error_not_cleared(as_nobody, tmp_path):
    cache = Path(tempfile.mkdtemp(prefix="optianim-test-cache-"))
    try:
        Cache(cache / "optianim")._keep(cache / "optianim" / "views" / "ab" / "entry.mp4", b"x" * 100)
        cache.chmod(0o755)
        done = as_nobody("cache", "clear", cache=cache)
        assert done.returncode == 1
        assert done.stderr.strip() == (f"error: could not clear the render cache {cache / 'optianim'}: "
                                       f"{cache / 'optianim' / 'views' / 'ab' / 'entry.mp4'}: Permission denied")
        assert (cache / "optianim" / "views" / "ab" / "entry.mp4").exists()
        assert "could not" not in as_nobody("cache", "info", cache=cache).stdout
    finally:
        shutil.rmtree(cache, ignore_errors=True)


@pytest.mark.render_cache
def test_a_damaged_or_wrongly_shaped_view_entry_is_a_miss_and_one_warning(tiny_scene, tmp_path, render):
    out = tmp_path / "out"
    render(tiny_scene, out, *OPTIONS, "--no-cache")
    render(tiny_scene, out, *OPTIONS)  # stores the view and the record
    cache = Path(os.environ["XDG_CACHE_HOME"]) / "optianim"
    for record in cache.glob("direct/*/*.json"):
        record.unlink()  # the direct mode would answer before the view entries are read
    [facts] = cache.glob("views/*/*.mp4.json")
    for wrong in ('{"sha256": "0", "facts": 3}', "[]", "\x00\x01 not json"):
        facts.write_text(wrong)
        again = render(tiny_scene, out, *OPTIONS)
        assert "unchanged" not in again.output.split("contour.mp4")[1].splitlines()[0]
        assert len(warnings_in(again.output)) == 1, again.output
        for record in cache.glob("direct/*/*.json"):
            record.unlink()
        [facts] = cache.glob("views/*/*.mp4.json")


def dead_pid():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.mark.render_cache
def test_parts_and_scratch_folders_of_killed_renders_are_removed_by_the_next(tiny_scene, tmp_path, render,
                                                                              monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    pid = dead_pid()
    cache = Path(os.environ["XDG_CACHE_HOME"]) / "optianim"
    left = [cache / "views" / "ab" / f".{'a' * 64}.mp4.{pid}-0123abcd.part",
            cache / "direct" / "cd" / f".{'c' * 64}.json.{pid}-0123abcd.part"]
    for part in left:
        part.parent.mkdir(parents=True)
        part.write_bytes(b"half")
    scratch = tmp_path / "tmp" / f"optianim-{pid}-x1y2z3"
    scratch.mkdir()
    (scratch / "palette.rgba").write_bytes(b"half")
    alive = tmp_path / "tmp" / f"optianim-{os.getpid()}-mine"
    alive.mkdir()
    render(tiny_scene, tmp_path / "out", *OPTIONS)
    assert not any(part.exists() for part in left) and not scratch.exists()
    assert alive.exists()  # this process's own is not touched


def test_a_full_disk_leaks_no_part_into_the_cache(tiny_scene, tmp_path, render, monkeypatch):
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a full disk is a small tmpfs, mounted as root")
    place = tmp_path / "disk"
    place.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8k", "tmpfs", str(place)], capture_output=True,
                             text=True)
    if mounted.returncode != 0:
        pytest.skip(f"a full disk is a small tmpfs, which cannot be mounted here: {mounted.stderr.strip()}")
    try:
        monkeypatch.setenv("XDG_CACHE_HOME", str(place))
        monkeypatch.setattr(Cache, "chosen", classmethod(lambda cls, option: cls() if option else None))
        done = render(tiny_scene, tmp_path / "out", *OPTIONS, "--view", "surface", "--format", "gif")
        assert (done.folder / "surface.gif").stat().st_size > 8_192  # it cannot fit in the cache
        [warning] = warnings_in(done.output)
        assert "could not keep a file (No space left on device)" in warning
        assert [p for p in place.rglob("*") if p.name.endswith(".part")] == []
    finally:
        subprocess.run(["umount", str(place)], check=True)


def test_cache_info_and_clear_say_where_what_and_the_bound(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from anim.faces.cli import main

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("OPTIANIM_CACHE_MB", "123")
    Cache()._keep(tmp_path / "optianim" / "views" / "ab" / ("a" * 64 + ".mp4"), bytes(2_000_000))
    Cache()._keep(tmp_path / "optianim" / "direct" / "cd" / ("c" * 64 + ".json"), b"{}")
    info = CliRunner().invoke(main, ["cache", "info"])
    assert info.exit_code == 0 and info.output.splitlines() == [
        f"folder  {tmp_path / 'optianim'}",
        "holds   2.00 MB: 1 view and 1 render record",
        "bound   123.00 MB (OPTIANIM_CACHE_MB; default 500 MB), least recently used out first"]
    cleared = CliRunner().invoke(main, ["cache", "clear"])
    assert cleared.exit_code == 0 and cleared.output == f"removed 2.00 MB from the render cache {tmp_path / 'optianim'}\n"
    assert not (tmp_path / "optianim").exists()
    monkeypatch.setenv("OPTIANIM_CACHE_MB", "lots")
    bad = CliRunner().invoke(main, ["cache", "info"])
    assert (bad.exit_code, bad.output) == (2, "error: OPTIANIM_CACHE_MB: got 'lots'; use a number of megabytes >= 0 "
                                              "(0 keeps nothing)\n")
