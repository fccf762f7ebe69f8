"""The output folder gets every file of a render or none: temporary names, all moved into place at
once, stale temporaries cleaned, unwritable places named in one line."""

import hashlib
import json
import os
import subprocess
import sys
import textwrap
import time

import probe
import pytest
from conftest import ROOT, TINY_SCENE


def test_commit_all_puts_back_what_it_replaced_when_a_later_rename_fails(tmp_path, monkeypatch):
    from anim.write import files

    finals = [tmp_path / name for name in ("a.mp4", "b.gif", "c.json")]
    for final in finals[:2]:
        final.write_bytes(b"old " + final.name.encode())
    pairs = [(files.write_temp(final, b"new"), final) for final in finals]
    real_replace = os.replace

    def failing_replace(source, target):
        if str(target).endswith("c.json"):
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(files.os, "replace", failing_replace)
    with pytest.raises(OSError, match=r"No space left on device: '.*c\.json'"):
        files.commit_all(pairs)
    assert [f.read_bytes() for f in finals[:2]] == [b"old a.mp4", b"old b.gif"] and not finals[2].exists()
    # No backup is left behind; the temporary not yet moved is the caller's to discard.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["a.mp4", "b.gif", pairs[2][0].name])


def test_a_folder_in_the_way_of_one_output_fails_the_render_and_changes_nothing(tmp_path, tiny_scene, render,
                                                                                 null_encoder):
    options = ["--size", "160x96", "--view", "contour", "--format", "mp4", "--format", "png"]
    folder = render(tiny_scene, tmp_path, *options).folder
    (folder / "contour.png").unlink()
    (folder / "contour.png").mkdir()
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    result = render(tiny_scene, tmp_path, *options, "--trail", "3", exit_code=1)
    assert result.output.splitlines()[-1] == f"error: cannot write {folder / 'contour.png'}: a folder is in the way"
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before


def test_rerender_replaces_files_and_leaves_no_temporaries(tmp_path, tiny_scene, render, null_encoder):
    folder = tmp_path / "bowl"
    folder.mkdir()
    stale = folder / ".contour.mp4.999999999-0123abcd.part"
    stale.write_bytes(b"left by a killed render")
    mine = folder / f".contour.mp4.{os.getpid()}-0123abcd.part"  # a live process's: kept
    mine.write_bytes(b"being written")
    (folder / "contour.mp4").write_bytes(b"an old render")
    (folder / "surface.gif").write_bytes(b"not asked for this time")
    result = render(tiny_scene, tmp_path, "--size", "160x96", "--view", "contour", "--format", "mp4")
    assert "removed .contour.mp4.999999999-0123abcd.part, left by an interrupted render" in result.output
    new = (folder / "contour.mp4").read_bytes()
    assert hashlib.sha256(new).hexdigest() == result.records["contour.mp4"]["sha256"] and new != b"an old render"
    assert (folder / "surface.gif").read_bytes() == b"not asked for this time"
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == [mine.name]


def test_two_renders_of_the_same_scene_at_once_end_with_complete_valid_files(tiny_scene, tmp_path):
    command = [sys.executable, "-m", "anim", "render", str(tiny_scene), "-o", str(tmp_path), "--size", "160x96",
               "--view", "contour", "--jobs", "1"]
    processes = [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
    for process in processes:
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr
    folder = tmp_path / "bowl"
    manifest = json.loads((folder / "manifest.json").read_text())
    for record in manifest["files"]:
        data = (folder / record["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == record["sha256"], record["file"]
    probe.check_decoded_frames(folder, manifest["files"])
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []


@pytest.fixture
def unwritable(tmp_path):
    """unwritable(with_folder) -> an output root no one may write into, or (with_folder) a root
    holding a `bowl` folder no one may write into: a read-only file system for root, who may write
    anywhere else; else chmod 555."""
    place = tmp_path / "readonly"
    place.mkdir()
    mounted = []

    def make(with_folder):
        target = place / "bowl" if with_folder else place
        target.mkdir(exist_ok=True)
        if os.geteuid() != 0:
            target.chmod(0o555)
            return place
        for options in (["-t", "tmpfs", "-o", "size=1m", "tmpfs"], ["-o", "remount,ro"]):
            result = subprocess.run(["mount", *options, str(target)], capture_output=True, text=True)
            if result.returncode != 0:
                pytest.skip(f"as root, a read-only folder needs mount: {result.stderr.strip()}")
            mounted[:] = [target]
        return place

    yield make
    for folder in mounted:
        subprocess.run(["umount", str(folder)], check=True)
    for folder in (place / "bowl", place):
        if folder.exists():
            folder.chmod(0o755)


def test_an_output_root_that_cannot_be_written_is_one_clear_line_before_the_scene_loads(scene_file, unwritable,
                                                                                         render):
    out = unwritable(with_folder=False)
    marker = out.parent / "loaded"
    scene = scene_file(textwrap.dedent(TINY_SCENE) + f"open({str(marker)!r}, 'w').close()\n", "bowl.py")
    result = render(scene, out, "--size", "160x96", "--format", "mp4", exit_code=1)
    assert result.output.splitlines()[-1] == f"error: output folder {out} is not writable; choose another with -o"
    assert not marker.exists()  # the scene file never ran


def test_an_output_folder_that_is_not_writable_is_one_clear_line_before_the_runs(tiny_scene, unwritable, render,
                                                                                monkeypatch):
    from anim.compute import trajectory

    out = unwritable(with_folder=True)
    monkeypatch.setattr(trajectory, "compute", lambda scene: pytest.fail("the runs were computed"))
    result = render(tiny_scene, out, "--size", "160x96", "--format", "mp4", exit_code=1)
    assert result.output.splitlines()[-1] == (
        f"error: output folder {out / 'bowl'} is not writable; choose another with -o")


def test_a_failed_render_leaves_no_folder_it_made(scene_file, tmp_path, render):
    path = scene_file(TINY_SCENE, "bowl.py")
    out = tmp_path / "out" / "course"
    result = render(path, out, "--size", "160x96", "--view", "contour", "--format", "gif", "--gif-max-mb", "0.0001",
                    exit_code=1)
    assert result.output.splitlines()[-1].startswith("error: contour.gif does not fit in 0.0001 MB")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bowl.py"]  # not out/, out/course/ nor out/course/bowl/
    (out / "bowl").mkdir(parents=True)
    (out / "bowl" / "notes.txt").write_text("mine")
    render(path, out, "--size", "160x96", "--view", "contour", "--format", "gif", "--gif-max-mb", "0.0001", exit_code=1)
    assert [p.name for p in (out / "bowl").iterdir()] == ["notes.txt"]  # a folder that was there stays
HOLD = """
import sys
from pathlib import Path
from anim.write import files
with files.locked(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.readline()
"""


def _waiting_on_lock(folder):
    """Whether a process waits for a flock on `folder` (Linux's /proc/locks marks a waiter '->')."""
    inode = os.stat(folder).st_ino
    return any(line.split()[1] == "->" and line.split()[6].split(":")[-1] == str(inode)
               for line in open("/proc/locks") if len(line.split()) > 6)


@pytest.mark.skipif(not os.path.exists("/proc/locks"), reason="needs Linux's /proc/locks to see a waiter")
def test_a_render_into_a_folder_another_is_writing_waits_for_it(tmp_path, tiny_scene):
    folder = tmp_path / "bowl"
    folder.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(folder)], cwd=ROOT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    render = None
    try:
        assert holder.stdout.readline() == "held\n"
        render = subprocess.Popen([sys.executable, "-m", "anim", "render", str(tiny_scene), "-o", str(tmp_path),
                                   "--size", "160x96", "--view", "contour", "--format", "png"], cwd=ROOT,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        while not _waiting_on_lock(folder):  # an event, not a clock: the render asks for the lock
            assert render.poll() is None, render.communicate()
            time.sleep(0.05)
        assert not (folder / "manifest.json").exists()  # nothing written while the other holds it
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.wait(timeout=60) == 0
        stdout, stderr = render.communicate(timeout=300)
        assert render.returncode == 0, stderr
    finally:
        for process in (holder, render):
            if process is not None and process.poll() is None:
                process.kill()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert sorted(record["file"] for record in manifest["files"]) == ["contour.png", "index.html",
                                                                      "trajectories.csv"]


def test_a_temporary_name_fits_beside_a_long_final_name(tmp_path):
    from anim.write import files

    finals = [tmp_path / ("w" * 236 + f"-{i}.csv") for i in range(2)]  # 242 bytes: the tag makes it 265
    temps = [files.temp_path(final) for final in finals]
    assert all(len(temp.name.encode()) <= 255 for temp in temps) and temps[0].name[:-22] != temps[1].name[:-22]
    for final in finals:
        files.write_bytes(final, final.name.encode())
        assert final.read_bytes() == final.name.encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f.name for f in finals)
    for temp in temps:  # and the next render knows one left by a killed process
        assert files._TEMP.match(temp.name)


def test_the_scratch_folders_of_processes_that_are_gone_are_removed(tmp_path):
    from anim.write import files

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = tmp_path / f"optianim-{int(gone.stdout)}-abc123"
    (dead / "sub").mkdir(parents=True)
    (dead / "sub" / "palette.rgba").write_bytes(b"left by a SIGKILLed render")
    mine = files.scratch(tmp_path)
    other = tmp_path / "optianim-bench-xyz"  # not one of ours
    other.mkdir()
    assert files.clean_stale_scratch(tmp_path) == [dead.name]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([mine.name, other.name])
