"""Atomic outputs, as behaviour seen from outside: after a first good write, a second one that fails
partway (a failing encoder, an exception inside the writer, a full disk, a file-size limit)
leaves every earlier file byte for byte as it was and no temporary behind; one that succeeds
never lets a reader see part of a file, nor change under a reader who had the old one open.

For `optianim render`, `still` and `trajectories`. Every check reads the files back; nothing here
patches the rename itself. The full-disk tests mount a small tmpfs (root, and a mount allowed):
elsewhere they skip, saying why; the file-size-limit tests stand in for them on any POSIX system.
"""

import hashlib
import importlib
import json
import os
import resource
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import matplotlib.figure
import numpy as np
import pytest
from click.testing import CliRunner
from conftest import ROOT, fake_ffmpeg
from PIL import Image

from anim.faces.cli import main

BOWL = """
import torch
from anim import Scene, Optimizer

scene = Scene(
    name="bowl", title={title!r},
    surface=lambda w1, w2: w1 ** 2 + 3 * w2 ** 2,
    init=(1.5, -1.0), steps={steps}, x_range=(-2, 2), y_range=(-2, 2),
    optimizers=[
        Optimizer("SGD", torch.optim.SGD, lr=0.1, color="red"),
        Optimizer("Adam", torch.optim.Adam, lr=0.3, color="black"),
    ],
)
"""

SWARM = """
import torch
from anim import Scene, Optimizer, starts
from anim.surfaces import himmelblau

scene = Scene(name="swarm", surface=himmelblau, init=starts.grid({n}), steps=40, x_range=(-5, 5),
              y_range=(-5, 5), optimizers=[Optimizer("Adam", torch.optim.Adam, lr=0.1)])
"""


@dataclass(frozen=True)
class Command:
    """One of optianim's writing commands: its arguments for a scene and an output root, and the
    folder its files land in."""

    name: str
    scenes: tuple  # (scene text of the first write, of a second one whose files all differ)

    def args(self, scene, out):
        if self.name == "render":
            return ["render", scene, "-o", out, "--size", "160x96", "--view", "contour", "--format", "mp4",
                    "--format", "png", "--jobs", "1"]
        if self.name == "still":  # PNG, SVG and PDF
            return ["still", scene, "-o", out, "--size", "160x96", "--view", "contour"]
        return ["trajectories", scene, "-o", Path(out) / "swarm" / "trajectories.csv"]

    def folder(self, out):
        return Path(out) / ("swarm" if self.name == "trajectories" else "bowl")


COMMANDS = {
    "render": Command("render", (BOWL.format(title="Bowl", steps=12), BOWL.format(title="Bowl again", steps=14))),
    "still": Command("still", (BOWL.format(title="Bowl", steps=12), BOWL.format(title="Bowl again", steps=14))),
    # The second trajectories file is 16 times the first (570 kB): a writer that truncated the old
    # file before writing the new one could not hide it on a full disk.
    "trajectories": Command("trajectories", (SWARM.format(n=3), SWARM.format(n=12))),
}


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def files_in(folder):
    """Every file in `folder` (hidden ones too), name -> bytes, as a reader gets them."""
    return {p.name: p.read_bytes() for p in sorted(Path(folder).iterdir())}


def hidden(folder):
    return sorted(p.name for p in Path(folder).iterdir() if p.name.startswith("."))


class Written:
    """written[command] -> (scene files, output root) of the command's first write, done once and
    copied by each test that starts from it."""

    def __init__(self, root):
        self.root = root
        self.done = {}

    def scenes(self, command):
        folder = self.root / command.name / "scenes"
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for i, text in enumerate(command.scenes):
            path = folder / f"scene{i}.py"
            path.write_text(text)
            paths.append(path)
        return paths

    def __getitem__(self, name):
        if name not in self.done:
            command = COMMANDS[name]
            first, second = self.scenes(command)
            out = self.root / name / "out"
            result = cli(*command.args(first, out))
            assert result.exit_code == 0, result.output
            self.done[name] = (first, second, out)
        return self.done[name]

    def copy(self, name, out):
        """The first write's output root, copied to `out`; returns (first scene, second scene)."""
        first, second, written = self[name]
        shutil.copytree(written, out, dirs_exist_ok=True)
        return first, second


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    return Written(tmp_path_factory.mktemp("first-writes"))


def start(written, name, out):
    """(command, first scene, second scene, its folder, the files there now) after a first write to `out`."""
    command = COMMANDS[name]
    first, second = written.copy(name, out)
    folder = command.folder(out)
    before = files_in(folder)
    assert before and not hidden(folder)
    return command, first, second, folder, before


def assert_untouched(folder, before):
    assert hidden(folder) == [], "a temporary was left behind"
    after = files_in(folder)
    assert sorted(after) == sorted(before)
    for name, data in before.items():
        assert after[name] == data, f"{name} changed ({len(data)} -> {len(after[name])} bytes)"


# --- a failing encoder -------------------------------------------------------------------------

def test_an_encoder_failing_partway_keeps_the_earlier_render(written, tmp_path, monkeypatch):
    """ffmpeg takes a few frames, writes the start of a video to its output and exits 1. (`still`
    and `trajectories` run no encoder.)"""
    command, first, _, folder, before = start(written, "render", tmp_path / "out")
    fake = fake_ffmpeg(tmp_path, 'head -c 20000 > /dev/null\n'
                                 'for out; do :; done\n'  # its last argument: the file it writes
                                 'printf "the start of a video" > "$out"\n'
                                 'echo "Conversion failed!" >&2\n'
                                 'exit 1\n')
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(fake))
    result = cli(*command.args(first, tmp_path / "out"))
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == ("error: ffmpeg failed (exit 1) writing contour.mp4, contour.png: "
                                              "Conversion failed!")
    assert_untouched(folder, before)


# --- an exception inside the writer --------------------------------------------------------------

def failing_on_call(function, n, error):
    """`function`, except that its n-th call does the work, then raises `error`."""
    calls = []

    def wrapper(*args, **kwargs):
        calls.append(1)
        value = function(*args, **kwargs)
        if len(calls) == n:
            raise error
        return value

    return wrapper


INJECTIONS = {
    # after ffmpeg finished the MP4 under its temporary name, while the PNG is made
    "render-png": ("render", "anim.write.encode", "png_bytes", 1),
    # after every view's files are complete, while index.html is made
    "render-page": ("render", "anim.write.page", "document", 1),
    # after the PNG and the SVG, while matplotlib draws the PDF
    "still-pdf": ("still", matplotlib.figure.Figure, "savefig", 2),
    # while numpy builds the NPZ archive
    "trajectories-npz": ("trajectories", np, "savez_compressed", 1),
}


@pytest.mark.parametrize("injection", INJECTIONS)
def test_an_exception_inside_the_writer_keeps_the_earlier_files(written, tmp_path, monkeypatch, injection):
    name, target, attribute, n = INJECTIONS[injection]
    command, first, _, folder, before = start(written, name, tmp_path / "out")
    args = command.args(first, tmp_path / "out")
    if name == "trajectories":  # the NPZ beside the CSV: a first good one, then the failing one
        args[-1] = folder / "trajectories.npz"
        assert cli(*args).exit_code == 0
        before = files_in(folder)
    if isinstance(target, str):
        target = importlib.import_module(target)
    monkeypatch.setattr(target, attribute, failing_on_call(getattr(target, attribute), n,
                                                           RuntimeError("injected failure")))
    result = cli(*args)
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == ("internal error: RuntimeError: injected failure "
                                              "(run with --debug for details)")
    assert_untouched(folder, before)


# --- a full disk ---------------------------------------------------------------------------------

def used_bytes(folder):
    stats = os.statvfs(folder)
    return (stats.f_blocks - stats.f_bfree) * stats.f_frsize


@pytest.fixture
def small_disk(tmp_path):
    """small_disk(bytes) -> an empty folder on a tmpfs of that size; .resize(folder, bytes).
    Skips, saying why, where a tmpfs cannot be mounted (not root, no mount, a container without
    the right)."""
    mounted = []

    def mount(size, *options):
        place = tmp_path / "disk"
        place.mkdir(exist_ok=True)
        command = ["mount", "-t", "tmpfs", "-o", ",".join([*options, f"size={size}"]), "tmpfs", str(place)]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        except FileNotFoundError:
            pytest.skip("a full disk is a small tmpfs, and there is no mount command here")
        if result.returncode != 0:
            pytest.skip(f"a full disk is a small tmpfs, which this user cannot mount: {result.stderr.strip()}")
        if not mounted:
            mounted.append(place)
        return place

    mount.resize = lambda size: mount(size, "remount")
    yield mount
    for place in mounted:
        subprocess.run(["umount", str(place)], check=True, timeout=60)


@pytest.mark.parametrize("name", ["render", "still"])
def test_a_disk_that_fills_up_partway_keeps_the_earlier_files(written, small_disk, name):
    """The disk holds the first render (or figures) with room for half of them again: the second
    fills it partway through."""
    disk = small_disk(64 << 20)
    command, first, _, folder, before = start(written, name, disk)
    small_disk.resize(used_bytes(disk) * 3 // 2)
    result = cli(*command.args(first, disk))
    assert result.exit_code == 1
    assert "No space left on device" in result.output.splitlines()[-1], result.output
    assert_untouched(folder, before)


def test_a_full_disk_keeps_the_earlier_trajectories(written, small_disk):
    """A 128 kB disk holds the first file (35 kB), not the second (570 kB)."""
    disk = small_disk(128 << 10)
    command, _, second, folder, before = start(written, "trajectories", disk)
    result = cli(*command.args(second, disk))
    assert result.exit_code == 1
    assert result.output == f"error: cannot write {folder / 'trajectories.csv'}: No space left on device\n"
    assert_untouched(folder, before)


def test_a_disk_with_room_for_the_new_file_once_takes_it(written, small_disk, tmp_path):
    """Replacing a 35 kB file with a 570 kB one on an 832 kB disk: room for the new file beside the
    old, not for two copies of it. A rename needs no room; a copy would fill the disk partway."""
    command, _, second, _, _ = start(written, "trajectories", tmp_path / "elsewhere")
    assert cli(*command.args(second, tmp_path / "elsewhere")).exit_code == 0
    expected = files_in(command.folder(tmp_path / "elsewhere"))
    new = len(expected["trajectories.csv"])
    disk = small_disk(832 << 10)
    _, _, _, folder, before = start(written, "trajectories", disk)
    assert len(before["trajectories.csv"]) + new < 832 << 10 < 2 * new
    result = cli(*command.args(second, disk))
    assert result.exit_code == 0, result.output
    assert files_in(folder) == expected  # the whole new file, and no temporary


# --- a file-size limit (a full disk without mounting one) ------------------------------------------

def run_with_file_size_limit(args, limit):
    """optianim in a process of its own whose files (and ffmpeg's) may not grow past `limit` bytes."""

    def limited():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-m", "anim", *[str(a) for a in args]], cwd=ROOT, env=env,
                          capture_output=True, text=True, preexec_fn=limited, timeout=600)


@pytest.mark.parametrize("name, expected", [
    # ffmpeg is stopped by SIGXFSZ (25) writing the MP4, larger than half the PNG
    ("render", "error: ffmpeg failed (killed by SIGXFSZ: a file-size limit) writing contour.mp4, contour.png: "
               "no message"),
    # the SVG, at 0.7 MB
    ("still", "error: cannot write {folder}/contour-still.svg: File too large"),
    ("trajectories", "error: cannot write {folder}/trajectories.csv: File too large"),
], ids=["render", "still", "trajectories"])
def test_a_file_size_limit_partway_keeps_the_earlier_files(written, tmp_path, name, expected):
    command, first, second, folder, before = start(written, name, tmp_path / "out")
    if name == "trajectories":  # the limit lies between the old file's size and the new one's
        scene, limit = second, 2 * len(before["trajectories.csv"])
    else:  # the same again, under a limit half the largest file
        scene, limit = first, max(map(len, before.values())) // 2
    result = run_with_file_size_limit(command.args(scene, tmp_path / "out"), limit)
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines()[-1] == expected.format(folder=folder)
    assert_untouched(folder, before)


# --- readers ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", COMMANDS)
def test_a_reader_of_the_old_files_reads_them_whole_while_new_ones_land(written, tmp_path, name):
    """Whoever opened a file before the new write (a player, a web server, a backup) keeps reading
    the old file to its end; the name then gives the whole new file."""
    command, _, second, folder, before = start(written, name, tmp_path / "out")
    handles = {file: open(folder / file, "rb") for file in before}
    try:
        result = cli(*command.args(second, tmp_path / "out"))
        assert result.exit_code == 0, result.output
        for file, handle in handles.items():
            assert handle.read() == before[file], f"{file} changed under a reader who had it open"
    finally:
        for handle in handles.values():
            handle.close()
    after = files_in(folder)
    assert hidden(folder) == [] and sorted(after) == sorted(before)
    assert all(after[file] != before[file] for file in before), "the second write was to change every file"
    if name == "render":
        records = json.loads(after["manifest.json"])["files"]
        assert {r["file"]: hashlib.sha256(after[r["file"]]).hexdigest() for r in records} == {
            r["file"]: r["sha256"] for r in records}
    elif name == "still":
        Image.open(folder / "contour-still.png").load()
        assert after["contour-still.svg"].rstrip().endswith(b"</svg>")
        assert after["contour-still.pdf"].rstrip().endswith(b"%%EOF")
    else:
        assert after["trajectories.csv"].count(b"\n") == 1 + 144 * 40
