"""Batches: files and folders rendered in parallel here (--jobs), batch.json and index.html at the
output root, anim.render_many, and the Dask path against a real scheduler and two real workers."""

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from html.parser import HTMLParser
from pathlib import Path

import probe
import psutil
import pytest
from click.testing import CliRunner
from conftest import ROOT, TINY_SCENE

import anim
from anim.drive import batch, cluster, outcome
from anim.faces.cli import main

TINY = ("--quality", "low", "--size", "160x96", "--view", "contour")


def tiny(name, **changes):
    """TINY_SCENE named `name` (its output folder), with text replacements."""
    text = textwrap.dedent(TINY_SCENE).replace('name="bowl", title="Bowl"', f'name="{name}", title="Bowl {name}"')
    for old, new in changes.items():
        assert old in text
        text = text.replace(old, new)
    return text


def write(folder, name, text):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    return folder / name


def cli(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


class Links(HTMLParser):
    def __init__(self, text):
        super().__init__()
        self.hrefs = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.hrefs += [value for name, value in attrs if tag == "a" and name == "href"]


def test_jobs_span_scenes_then_frames_and_never_exceed_the_total():
    assert batch.plan_jobs(2, 12) == (2, 1)   # a course on 2 cores: 2 scenes at once, frames drawn in each
    assert batch.plan_jobs(8, 3) == (3, 2)    # few scenes, many cores: the rest draw 3-D frames
    assert batch.plan_jobs(4, 1) == (1, 4)    # one scene: every job on its frames, as before
    assert batch.plan_jobs(1, 5) == (1, 1)
    for jobs in range(1, 17):
        for scenes in range(1, 20):
            at_once, frames = batch.plan_jobs(jobs, scenes)
            assert at_once * frames <= jobs and at_once <= scenes


def test_a_folder_means_its_scene_files_as_list_shows_them_found_by_reading_not_running(tmp_path):
    course = tmp_path / "course"
    ran = tmp_path / "ran"
    run_marker = f"open({str(ran)!r}, 'a').write(__file__)\n"
    write(course, "b.py", run_marker + "scene: object = None\n")
    write(course, "a.py", run_marker + "if True:\n    from somewhere import scene\n")
    write(course, "c.py", "def f(:\n")  # kept: its render says where its syntax error is
    write(course, "_shared.py", run_marker + "scene = None\n")
    write(course, "common.py", run_marker + "def bowl(w1, w2):\n    scene = w1\n    return scene\n")
    write(course, "notes.txt", "scene = None\n")
    os.mkfifo(course / "pipe.py")  # reading it would wait for a writer forever
    extra = write(tmp_path, "z.py", "")
    found, skipped = batch.scene_files([course, extra, course / "a.py"])
    assert found == [course / "a.py", course / "b.py", course / "c.py", extra]
    assert skipped == [(course / "_shared.py", "its name starts with '_'"),
                       (course / "common.py", "no top-level `scene = ...`"),
                       (course / "pipe.py", "not a regular file")]
    assert not ran.exists()  # nothing was run to decide
    (tmp_path / "empty").mkdir()
    write(tmp_path / "helpers", "common.py", "x = 1\n")
    for folder in ("empty", "helpers"):
        with pytest.raises(anim.AnimError, match=rf"{folder}: a folder with no scene files \(a scene file is a \*\.py "
                                                 r"that sets `scene` at its top level\)$"):
            batch.scene_files([tmp_path / folder])


def test_a_folder_renders_on_two_processes_a_failure_does_not_stop_the_others(tmp_path, render):
    course = tmp_path / "course"
    write(course, "one.py", tiny("one"))
    write(course, "two.py", tiny("two", **{"lr=0.1": "lr=0.05"}))
    write(course, "three.py", "def broken(:\n")
    out = tmp_path / "out"
    result = cli("render", course, "-o", out, *TINY, "--format", "png", "--jobs", "2")
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == "3 scenes, 2 at a time, 1 process each for 3-D frames"
    assert re.search(rf"^ok +[\d.]+ s  {re.escape(str(course / 'one.py'))} -> one/$", result.output, re.M)
    assert re.search(rf"^ok +[\d.]+ s  {re.escape(str(course / 'two.py'))} -> two/$", result.output, re.M)
    assert f"error: {course / 'three.py'}:1: syntax error: invalid syntax" in lines  # as a render alone says
    assert lines[-1] == "error: 1 of 3 scenes failed; see the errors above"

    listed = json.loads((out / "batch.json").read_text())
    scenes = {Path(s["scene_file"]).name: s for s in listed["scenes"]}
    assert [Path(s["scene_file"]).name for s in listed["scenes"]] == ["one.py", "three.py", "two.py"]
    assert (scenes["one.py"]["status"], scenes["one.py"]["folder"], scenes["one.py"]["manifest"]) == (
        "ok", "one", "one/manifest.json")
    assert scenes["three.py"]["status"] == "failed" and scenes["three.py"]["manifest"] is None
    assert scenes["three.py"]["error"] == f"{course / 'three.py'}:1: syntax error: invalid syntax"
    assert listed["failed"] == 1 and all(s["seconds"] >= 0 for s in listed["scenes"])
    for entry in (scenes["one.py"], scenes["two.py"]):
        manifest = json.loads((out / entry["manifest"]).read_text())
        assert manifest["scene"] == entry["name"] and manifest["scene_file"] == entry["scene_file"]

    links = Links((out / "index.html").read_text()).hrefs
    assert links == ["batch.json", "one/index.html", "two/index.html"]
    assert all((out / link).is_file() for link in links)

    # A scene drawn in a batch worker is the scene drawn alone, byte for byte.
    alone = render(course / "one.py", tmp_path / "alone", *TINY, "--format", "png")
    for name in ("contour.png", "trajectories.csv", "index.html"):
        assert (out / "one" / name).read_bytes() == (alone.folder / name).read_bytes(), name


def test_a_folder_render_draws_the_views_each_scene_declares_and_view_overrides_them(tmp_path):
    course = tmp_path / "course"
    write(course, "sweep.py", (ROOT / "scenes" / "lr_sweep.py").read_text())  # declares views=["grid"]
    write(course, "bowl.py", tiny("bowl"))                                     # declares none
    result = cli("render", course, "-o", tmp_path / "out", "--size", "160x96", "--fps", "10", "--format", "mp4",
                 "--jobs", "1")
    assert result.exit_code == 0, result.output
    for folder, views in (("lr_sweep", ["grid"]), ("bowl", ["contour", "surface"])):
        manifest = json.loads((tmp_path / "out" / folder / "manifest.json").read_text())
        assert manifest["settings"]["views"] == views
        assert [f["file"] for f in manifest["files"] if f["view"]] == [f"{view}.mp4" for view in views]
        probe.check_decoded_frames(tmp_path / "out" / folder, manifest["files"])
    asked = cli("render", course / "sweep.py", "-o", tmp_path / "asked", "--size", "160x96", "--format", "png",
                "--view", "contour")
    assert asked.exit_code == 0, asked.output
    assert sorted(p.name for p in (tmp_path / "asked" / "lr_sweep").glob("*.png")) == ["contour.png"]


def test_render_many_from_python_checks_its_keywords_before_rendering(tmp_path):
    with pytest.raises(anim.UsageError, match="render_many: got an unexpected keyword argument 'colour'"):
        anim.render_many([tmp_path], tmp_path / "out", colour="red")
    with pytest.raises(anim.UsageError, match="^quality: got 'ultra'; use one of low, medium, high, 4k$"):
        anim.render_many([tmp_path], tmp_path / "out", quality="ultra")
    with pytest.raises(anim.UsageError, match="render_many takes scene files and folders"):
        anim.render_many([tmp_path, 42], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_render_many_returns_each_scene_in_order(tmp_path):
    first = write(tmp_path, "first.py", tiny("first"))
    missing = tmp_path / "missing.py"
    events = []
    done = anim.render_many([first, missing], tmp_path / "out", jobs=1, formats=["mp4"], size=(160, 96),
                            views=["contour"], progress=events.append)
    assert [(o.scene_file, o.status) for o in done.outcomes] == [(str(first), "ok"), (str(missing), "failed")]
    assert done.failed[0].error == f"{missing}: no such file"
    assert done.batch_file == tmp_path / "out" / "batch.json" and done.index_file.is_file()
    assert [type(e).__name__ for e in events if not isinstance(e, outcome.SceneFrames)] == [
        "Planned", "SceneStarted", "SceneFinished", "SceneStarted", "SceneFinished"]
    frames = [e for e in events if isinstance(e, outcome.SceneFrames)]
    assert frames[-1].done == frames[-1].total and len(frames) <= outcome.FRAME_EVENTS_PER_VIEW + 1


def test_the_batch_index_shows_a_mathtext_title_as_it_reads(tmp_path):
    scene = write(tmp_path, "saddle.py", tiny("saddle", **{'title="Bowl saddle"': r'title=r"Saddle $w_1^2 - w_2^2$"'}))
    done = anim.render_many([scene], tmp_path / "out", jobs=1, formats=["png"], size=(160, 96), views=["contour"])
    index = done.index_file.read_text()
    assert '<a href="saddle/index.html">Saddle w<sub>1</sub><sup>2</sup> − w<sub>2</sub><sup>2</sup></a>' in index
    assert "$" not in index


def test_two_scene_files_with_one_scene_name_are_refused(tmp_path):
    first = write(tmp_path / "a", "bowl.py", tiny("same"))
    second = write(tmp_path / "b", "bowl.py", tiny("same", **{"lr=0.1": "lr=0.2"}))
    done = anim.render_many([first, second], tmp_path / "out", jobs=1, formats=["mp4"], views=["contour"])
    assert [o.status for o in done.outcomes] == ["ok", "failed"]
    assert done.outcomes[1].error == (f"{second}: its scene name 'same' is also that of {first}; both wrote "
                                      "same/: give each scene its own name")


def test_scheduler_without_dask_installed_says_which_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    scene = write(tmp_path, "s.py", tiny("s"))
    result = cli("render", scene, "-o", tmp_path / "out", env={"OPTIANIM_SCHEDULER": "tcp://127.0.0.1:1"})
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        "error: --scheduler needs Dask's distributed package: pip install 'optianim[dask]'")


def test_nothing_imports_dask_without_a_scheduler():
    code = ("import sys, anim, anim.faces.cli, anim.drive.batch, anim.drive.cluster; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed', 'torch')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout
    assert out.strip() == "[]"


def test_a_scene_ships_with_the_local_modules_it_imports(tmp_path):
    folder = tmp_path / "lecture"
    write(folder, "helpers.py", "from shapes.bowls import bowl\nimport numpy\n")
    write(folder / "shapes", "__init__.py", "")
    write(folder / "shapes", "bowls.py", "def bowl(w1, w2):\n    return w1 ** 2 + w2 ** 2\n")
    write(folder, "unused.py", "raise SystemExit\n")
    scene = write(folder, "s.py", "import torch\nimport helpers\nfrom anim import Scene\n")
    shipped = cluster.package(scene)
    assert shipped.scene_file == str(scene)
    assert list(shipped.texts) == ["s.py", "helpers.py", "shapes/__init__.py", "shapes/bowls.py"]
    assert shipped.texts["shapes/bowls.py"] == (folder / "shapes" / "bowls.py").read_text()


# ---------------------------------------------------------------------------------------------
# A real Dask cluster on this machine: a scheduler and two workers, started and torn down here.

try:
    import distributed
except ImportError:
    distributed = None
needs_dask = pytest.mark.skipif(distributed is None, reason="Dask's distributed is not installed "
                                                             "(pip install 'optianim[dask]')")
CLUSTER_SECONDS = 90


@pytest.fixture
def dask_cluster(tmp_path):
    """(scheduler address, worker processes): `dask scheduler` and two `dask worker` processes
    (no nanny, one thread each) on 127.0.0.1, torn down after the test."""
    dask = Path(sys.executable).with_name("dask")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    common = ["--no-dashboard", "--host", "127.0.0.1"]
    address_file = tmp_path / "scheduler.json"
    logs = tmp_path / "dask-logs"
    logs.mkdir()
    started = []

    def start(name, *args):
        with open(logs / f"{name}.log", "w") as log:
            started.append(subprocess.Popen([str(dask), *args, *common], env=env, cwd=tmp_path,
                                             stdout=log, stderr=subprocess.STDOUT))
        return started[-1]

    try:
        start("scheduler", "scheduler", "--port", "0", "--scheduler-file", str(address_file))
        deadline = time.monotonic() + CLUSTER_SECONDS
        while not address_file.exists():
            assert time.monotonic() < deadline, (logs / "scheduler.log").read_text()
            time.sleep(0.1)
        workers = [start(f"worker{i}", "worker", "--scheduler-file", str(address_file), "--nthreads", "1",
                         "--no-nanny") for i in (1, 2)]
        address = json.loads(address_file.read_text())["address"]
        with distributed.Client(address, timeout=CLUSTER_SECONDS) as client:
            client.wait_for_workers(2, timeout=CLUSTER_SECONDS)
        yield address, workers
    finally:
        for process in reversed(started):
            process.terminate()
        for process in reversed(started):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@needs_dask
@pytest.mark.slow
def test_a_dask_cluster_renders_what_this_machine_renders_byte_for_byte(tmp_path, dask_cluster, monkeypatch):
    address, _ = dask_cluster
    course = tmp_path / "course"
    write(course, "one.py", tiny("one"))
    write(course, "two.py", tiny("two", **{"lr=0.1": "lr=0.05"}))
    three = write(course, "three.py", tiny("three", **{"steps=12": "steps=12 + 1 / 0"}))
    line = three.read_text().splitlines().index(next(l for l in three.read_text().splitlines() if "1 / 0" in l)) + 1
    options = (*TINY, "--format", "png", "--format", "mp4")
    here = cluster.versions()
    monkeypatch.setattr(cluster, "versions", lambda: {**here, "torch": "0.0-test"})  # this side only

    far = cli("render", course, "-o", tmp_path / "far", *options, env={"OPTIANIM_SCHEDULER": address})
    near = cli("render", course, "-o", tmp_path / "near", *options, "--jobs", "1")
    assert far.exit_code == near.exit_code == 1, far.output + near.output

    error = f"error: {three}:{line}: ZeroDivisionError: division by zero"
    assert error in near.output.splitlines() and error in far.output.splitlines()  # the local message
    assert "distributed." not in far.output  # Dask's own log lines stay out of the terminal
    assert re.search(rf"^note: worker tcp://127\.0\.0\.1:\d+ has torch {re.escape(here['torch'])} "
                     r"\(here 0\.0-test\): its files may differ from a render here$", far.output, re.M)
    listed = json.loads((tmp_path / "far" / "batch.json").read_text())
    assert listed["scheduler"] == address
    assert {s["worker"] for s in listed["scenes"] if s["status"] == "ok"} <= {
        w for w in re.findall(r"on (tcp://[\d.:]+)\)", far.output)}
    for name in ("one", "two"):
        far_folder, near_folder = tmp_path / "far" / name, tmp_path / "near" / name
        manifest = json.loads((far_folder / "manifest.json").read_text())
        probe.check_decoded_frames(far_folder, manifest["files"])
        assert sorted(p.name for p in far_folder.iterdir()) == sorted(p.name for p in near_folder.iterdir())
        for path in near_folder.iterdir():  # every file, the manifest too, is the local render's
            assert (far_folder / path.name).read_bytes() == path.read_bytes(), path.name


SLEEPY_SCENE = """
import os, time
from pathlib import Path
Path(os.environ["OPTIANIM_TEST_MARKS"], f"{os.getpid()}-{time.monotonic_ns()}").touch()
time.sleep(4)
"""


@needs_dask
@pytest.mark.slow
def test_a_worker_killed_mid_scene_still_yields_a_complete_batch(tmp_path, dask_cluster):
    address, workers = dask_cluster
    marks = tmp_path / "marks"
    marks.mkdir()
    course = tmp_path / "course"
    for name in ("one", "two", "three"):
        write(course, f"{name}.py", tiny(name).replace("import torch", "import torch" + SLEEPY_SCENE.replace(
            'os.environ["OPTIANIM_TEST_MARKS"]', repr(str(marks)))))
    out = tmp_path / "out"
    pids = {w.pid: w for w in workers}
    killed = []

    def kill_the_first_worker_to_load_a_scene(event):
        if killed or not isinstance(event, outcome.SceneStarted):
            return
        deadline = time.monotonic() + 30
        while not list(marks.iterdir()):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        scene_pid = int(list(marks.iterdir())[0].name.split("-")[0])
        pid = next(p.pid for p in psutil.Process(scene_pid).parents() if p.pid in pids)  # its worker's process
        os.kill(pid, signal.SIGKILL)  # one of the processes this test started, mid-scene (it sleeps 4 s)
        killed.append(pid)

    done = anim.render_many([course], out, scheduler=address, progress=kill_the_first_worker_to_load_a_scene,
                            views=["contour"], formats=["mp4"], quality="low", size=(160, 96))
    assert killed and pids[killed[0]].wait(timeout=10) == -signal.SIGKILL
    assert [o.status for o in done.outcomes] == ["ok", "ok", "ok"], done.outcomes
    assert len({o.worker for o in done.outcomes}) == 1  # all on the worker left
    for name in ("one", "two", "three"):
        folder = out / name
        manifest = json.loads((folder / "manifest.json").read_text())
        probe.check_decoded_frames(folder, manifest["files"])
        assert not list(folder.glob(".*")), "a temporary file was left"


@needs_dask
@pytest.mark.slow
def test_a_scene_whose_process_dies_on_a_worker_fails_alone_and_the_worker_renders_on(tmp_path, dask_cluster):
    address, workers = dask_cluster
    marks = tmp_path / "marks"
    marks.mkdir()
    course = tmp_path / "course"
    write(course, "one.py", tiny("one"))
    write(course, "two.py", tiny("two"))
    write(course, "dies.py", tiny("dies").replace("import torch", "import torch" + SLEEPY_SCENE.replace(
        'os.environ["OPTIANIM_TEST_MARKS"]', repr(str(marks)))))
    killed = []

    def kill_the_scene_process(event):
        if killed or not isinstance(event, outcome.SceneStarted) or not event.scene_file.endswith("dies.py"):
            return
        deadline = time.monotonic() + 60
        while not list(marks.iterdir()):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        pid = int(list(marks.iterdir())[0].name.split("-")[0])
        assert pid not in {w.pid for w in workers}  # the scene's own process, not its worker
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)

    done = anim.render_many([course], tmp_path / "out", scheduler=address, progress=kill_the_scene_process,
                            views=["contour"], formats=["mp4"], quality="low", size=(160, 96))
    assert killed
    assert [(Path(o.scene_file).name, o.status) for o in done.outcomes] == [
        ("dies.py", "failed"), ("one.py", "ok"), ("two.py", "ok")]
    assert done.outcomes[0].error == (f"{course / 'dies.py'}: its process was killed by signal 9 (SIGKILL); its "
                                      "folder is unchanged")
    assert all(w.poll() is None for w in workers)  # both workers live on
    assert not list((tmp_path / "out").rglob(".*"))


def test_a_scene_named_like_the_batchs_own_files_is_refused_before_it_renders(tmp_path):
    course = tmp_path / "course"
    write(course, "ok.py", tiny("ok"))
    write(course, "index.py", tiny("Index.HTML"))  # case-insensitive file systems too
    done = anim.render_many([course], tmp_path / "out", jobs=1, views=["contour"], formats=["png"], size=(160, 96))
    assert [o.status for o in done.outcomes] == ["failed", "ok"]
    assert done.outcomes[0].error == (f"{course / 'index.py'}: name: 'Index.HTML' would write the folder Index.HTML/, "
                                      "in the way of the batch's own Index.HTML; give the scene another name")
    assert not (tmp_path / "out" / "Index.HTML").exists() and (tmp_path / "out" / "index.html").is_file()


def test_running_out_of_memory_outside_the_scene_names_the_scene(tmp_path, monkeypatch):
    from anim.drive import pipeline

    def hungry(*args, **kwargs):
        raise MemoryError()  # as numpy raises it, without a message

    monkeypatch.setattr(pipeline, "render", hungry)
    ended = outcome.render_scene(tmp_path / "s.py", tmp_path, {}, 1, lambda event: None)
    assert ended.error == (f"{tmp_path / 's.py'}: ran out of memory (MemoryError); render it alone to see where, "
                           "with fewer start points, steps or pixels")
