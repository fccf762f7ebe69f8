"""A batch here renders each scene in a fresh process of its own: whatever ends that process (an exit,
a signal, memory running out, its time limit), the other scenes finish, byte for byte as alone, and
the dead one is one line naming the scene and the cause, with nothing half-written left."""

import json
import os
import signal
import textwrap
from pathlib import Path

import pytest
from conftest import TINY_SCENE

import anim
from anim.drive import isolation, outcome

TINY = dict(views=["contour"], formats=["mp4", "png"], quality="low", size=(160, 96))


def tiny(name, before=""):
    """TINY_SCENE named `name`, running `before` first."""
    text = textwrap.dedent(TINY_SCENE).replace('name="bowl", title="Bowl"', f'name="{name}", title="Bowl {name}"')
    return text.replace("import torch\n", "import torch\n" + textwrap.dedent(before), 1)


def marking(marks):
    """Scene code that leaves its process id in `marks`: the test knows whom to kill."""
    return f"import os\nopen(os.path.join({str(marks)!r}, str(os.getpid())), 'w').close()\n"


def leftovers(root):
    """Hidden temporary files anywhere under `root`."""
    return sorted(str(p.relative_to(root)) for p in Path(root).rglob(".*"))


def write_course(folder, scenes):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in scenes.items():
        (folder / name).write_text(text)
    return folder


def line_of(path, text):
    return next(i for i, line in enumerate(Path(path).read_text().splitlines(), 1) if text in line)


def test_each_scene_dies_alone_and_the_healthy_ones_are_as_alone(tmp_path, render, monkeypatch):
    marks = tmp_path / "marks"
    marks.mkdir()
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))  # the scene processes' system temporary folder
    course = write_course(tmp_path / "course", {
        "healthy_a.py": tiny("healthy_a"),
        "healthy_b.py": tiny("healthy_b").replace("lr=0.1", "lr=0.05"),
        # killed with SIGKILL by this test once its contour frames are being encoded
        "killed.py": tiny("killed", marking(marks)).replace("steps=12", "steps=200"),
        "exits.py": "import sys\n\nsys.exit(0)\nscene = None\n",
        "os_exit.py": "import os\nos._exit(1)\nscene = None\n",
        "c_exit.py": "import ctypes\nctypes.CDLL(None)._exit(3)  # past Python: no exception to catch\nscene = None\n",
        "aborts.py": "import os\nos.abort()\nscene = None\n",
        "hoards.py": textwrap.dedent("""
            import resource
            size = int(open("/proc/self/status").read().split("VmSize:")[1].split()[0]) * 1024
            resource.setrlimit(resource.RLIMIT_AS, (size + 300 * 2 ** 20, resource.RLIM_INFINITY))  # a real ulimit
            hoard = bytearray(2 ** 32)
            scene = None
        """),
        "common.py": "raise RuntimeError('a helper module is never run')\n",
    })
    killed = []

    def kill_once_mid_render(event):
        if not killed and isinstance(event, outcome.SceneFrames) and event.scene_file.endswith("killed.py"):
            pid = int(next(marks.iterdir()).name)
            part = [p.name for p in (tmp_path / "out" / "killed").iterdir()]
            assert any(name.startswith(".contour.mp4.") for name in part), part  # ffmpeg is writing it
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    done = anim.render_many([course], tmp_path / "out", jobs=2, progress=kill_once_mid_render, **TINY)
    assert killed
    by_name = {Path(o.scene_file).name: o for o in done.outcomes}
    assert [name for name, o in by_name.items() if o.ok] == ["healthy_a.py", "healthy_b.py"]
    errors = {name: o.error for name, o in by_name.items() if not o.ok}
    assert errors == {
        "aborts.py": f"{course / 'aborts.py'}: its process was killed by signal 6 (SIGABRT); its folder is unchanged",
        "c_exit.py": (f"{course / 'c_exit.py'}: its process exited with status 3 before the scene finished; its "
                      "folder is unchanged"),
        "exits.py": (f"{course / 'exits.py'}:3: the scene exits (sys.exit(0)) while optianim runs it; a scene file "
                     "defines `scene` and must not end the process"),
        "hoards.py": (f"{course / 'hoards.py'}:{line_of(course / 'hoards.py', 'bytearray')}: ran out of memory "
                      "(MemoryError); give the scene fewer start points, optimizers or steps"),
        "killed.py": f"{course / 'killed.py'}: its process was killed by signal 9 (SIGKILL); its folder is unchanged",
        "os_exit.py": (f"{course / 'os_exit.py'}:2: the scene exits (os._exit(1)) while optianim runs it; a scene "
                       "file defines `scene` and must not end the process"),
    }
    assert done.skipped == [(course / "common.py", "no top-level `scene = ...`")]
    listed = json.loads((tmp_path / "out" / "batch.json").read_text())
    assert {Path(s["scene_file"]).name: s["error"] for s in listed["scenes"] if s["status"] == "failed"} == errors

    assert leftovers(tmp_path / "out") == []  # the killed scene's half-written files are gone
    assert list((tmp_path / "out" / "killed").iterdir()) == []
    assert [p.name for p in scratch.iterdir() if p.name.startswith("optianim-")] == []
    for name in ("healthy_a", "healthy_b"):  # every file as a render of the scene alone writes it
        alone = render(course / f"{name}.py", tmp_path / "alone" / name, "--view", "contour", "--format", "mp4",
                       "--format", "png", "--quality", "low", "--size", "160x96")
        batch_folder = tmp_path / "out" / name
        assert sorted(p.name for p in batch_folder.iterdir()) == sorted(p.name for p in alone.folder.iterdir())
        for path in alone.folder.iterdir():
            assert (batch_folder / path.name).read_bytes() == path.read_bytes(), path.name


def test_a_scene_past_its_time_limit_is_stopped_and_reported(tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    course = write_course(tmp_path / "course", {"hangs.py": marking(marks) + "import time\ntime.sleep(3600)\n"
                                                                          "scene = None\n"})
    done = anim.render_many([course], tmp_path / "out", scene_timeout=5, **TINY)
    assert done.outcomes[0].error == (f"{course / 'hangs.py'}: timed out after 5 s (--scene-timeout); its folder is "
                                      "unchanged")
    pid = int(next(marks.iterdir()).name)  # it did run, and is stopped, not left running
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_scene_processes_start_with_torch_imported(tmp_path):
    """The processes are forked from a server that imported torch and matplotlib once (POSIX)."""
    if isolation._context().get_start_method() != "forkserver":
        pytest.skip("no forkserver here (Windows): each scene's process imports what it needs")
    report = tmp_path / "report.json"
    course = write_course(tmp_path / "course", {"probe.py": tiny("probe", f"""
        import json, sys
        json.dump(sorted(m for m in ("torch", "torch._dynamo", "matplotlib", "mpl_toolkits.mplot3d")
                         if m in sys.modules), open({str(report)!r}, "w"))
    """)})
    done = anim.render_many([course], tmp_path / "out", jobs=1, **TINY)
    assert done.outcomes[0].ok, done.outcomes[0].error
    assert json.loads(report.read_text()) == ["matplotlib", "mpl_toolkits.mplot3d", "torch", "torch._dynamo"]


def test_a_temporary_folder_too_deep_for_the_process_servers_socket_falls_back_to_fresh_interpreters(monkeypatch):
    from multiprocessing import util

    if "forkserver" not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip("no forkserver here")
    monkeypatch.setattr(util, "get_temp_dir", lambda: "/tmp/" + "deep/" * 20)  # AF_UNIX paths stop at 104-108 bytes
    assert isolation._context().get_start_method() == "spawn"
    monkeypatch.setattr(util, "get_temp_dir", lambda: "/tmp/pymp-abcdefgh")
    assert isolation._context().get_start_method() == "forkserver"
