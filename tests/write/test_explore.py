"""explore.html without a browser: the committed three.js bundle is what web/build.sh's lockfile names;
the page holds everything it needs (no outside reference), the runs exactly (float32, the CSV's
numbers) or, for a big swarm, within 1/65535 of the window; --html-script shared writes the script
once at the output root; the format, option and error messages."""

import base64
import gzip
import hashlib
import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

import anim
from anim.write import explore

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"


def data_of(page):
    """The JSON data a page holds."""
    found = re.search(r'<script type="application/json" id="optianim-data">(.*?)</script>', page, re.S)
    return json.loads(found.group(1).replace("<\\/", "</"))


def unpacked(blob, dtype):
    return np.frombuffer(gzip.decompress(base64.b64decode(blob)), dtype=dtype)


def test_the_committed_bundle_is_what_the_lockfile_names():
    lock = json.loads((WEB / "package-lock.json").read_text())["packages"]
    header = (explore.WEB / "three.min.js").read_text().split("*/", 1)[0]
    three, esbuild = lock["node_modules/three"], lock["node_modules/esbuild"]
    assert f"three.js {three['version']} " in header and f"esbuild {esbuild['version']} " in header
    assert f" * three {three['integrity']}\n" in header and f" * esbuild {esbuild['integrity']}\n" in header
    entry = hashlib.sha256((WEB / "entry.js").read_bytes()).hexdigest()
    assert f"entry.js sha256 {entry} " in header, "web/entry.js changed: run web/build.sh"
    package = json.loads((WEB / "package.json").read_text())["devDependencies"]
    assert package == {"three": three["version"], "esbuild": esbuild["version"]}  # pinned, as locked
    assert (explore.WEB / "THREE-LICENSE").read_text().startswith("The MIT License")


@pytest.mark.slow
def test_the_build_script_rebuilds_the_same_bytes(tmp_path):
    """Asked for (OPTIANIM_REBUILD_BUNDLE=1), where node and npm are: the build is reproducible from the
    lockfile. CI needs neither node nor the npm registry: the test above reads the bundle's header."""
    import os
    import shutil

    if not os.environ.get("OPTIANIM_REBUILD_BUNDLE"):
        pytest.skip("set OPTIANIM_REBUILD_BUNDLE=1 to rebuild three.min.js with web/build.sh and compare")
    if not shutil.which("npm") or not shutil.which("node"):
        pytest.skip("node and npm are not installed (only the bundle's maintainers need them)")
    copy = tmp_path / "repo"
    (copy / "anim/write/web").mkdir(parents=True)
    shutil.copytree(WEB, copy / "web", ignore=shutil.ignore_patterns("node_modules"))
    try:
        subprocess.run(["sh", "web/build.sh"], cwd=copy, check=True, capture_output=True, timeout=600)
    except subprocess.CalledProcessError as exc:
        if b"ENOTFOUND" in exc.stderr or b"EAI_AGAIN" in exc.stderr:
            pytest.skip("the npm registry is out of reach")
        raise
    assert (copy / "anim/write/web/three.min.js").read_bytes() == (explore.WEB / "three.min.js").read_bytes()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The tiny bowl (two optimizers, 12 steps) rendered to explore.html alone."""
    import textwrap

    from conftest import TINY_SCENE

    folder = tmp_path_factory.mktemp("explore")
    (folder / "bowl.py").write_text(textwrap.dedent(TINY_SCENE))
    return anim.render(folder / "bowl.py", folder / "out", formats=["html"])


def test_the_page_holds_everything_it_needs(rendered):
    page = (rendered.folder / "explore.html").read_text()
    # no file, script, style, font or picture from anywhere: every src and href is inline data
    assert re.findall(r"""(?:src|href)\s*=\s*["'](?!data:|#)([^"']*)""", page) == []
    assert "@import" not in page and "url(" not in page.split("<script")[0]
    assert page.count("<script") == 2  # the data, then three.js and the page's own script
    assert page.startswith("<!doctype html>") and "window.optianim = api" in page
    record = next(r for r in rendered.files if r.file == "explore.html")
    assert record.details == {"script": "inline"} and record.view is None and record.format == "html"
    assert [f["file"] for f in rendered.manifest["files"]] == ["trajectories.csv", "explore.html", "index.html"]
    index = (rendered.folder / "index.html").read_text()
    assert '<a href="explore.html">Open the interactive explorable</a>' in index


def test_every_point_and_number_is_the_runs_own(rendered):
    data = data_of((rendered.folder / "explore.html").read_text())
    t = anim.trajectories(rendered.folder.parent.parent / "bowl.py")
    points = unpacked(data["points"], "<f4").reshape(t.points.shape)
    np.testing.assert_array_equal(points, t.points)  # bit for bit: float32, as the CSV writes them
    extras = unpacked(data["extras"], "<f4").reshape(len(t), t.points.shape[1], -1)
    np.testing.assert_array_equal(extras[..., data["fields"].index("grad_w2")], t.grad[..., 1])
    np.testing.assert_array_equal(extras[..., data["fields"].index("exp_avg_sq_w1")][1], t.state["exp_avg_sq"][1, :, 0])
    np.testing.assert_array_equal(unpacked(data["lr"], "<f8").reshape(t.lr.shape), t.lr)
    assert data["runs"] == {"optimizer": [0, 1], "run": [0, 0], "drawn": [12, 12], "stops": [], "bold": [0, 1],
                            "exact": [0, 1]}
    assert [o["label"] for o in data["optimizers"]] == ["SGD", "Adam"]
    assert [o["marker"] for o in data["optimizers"]] == ["circle", "square"]
    assert data["optimizers"][1]["colors"] == {"light": "black", "dark": data["optimizers"][1]["colors"]["dark"]}
    assert data["optimizers"][1]["colors"]["dark"] != "black"  # drawn visible on the dark theme, as the videos do
    assert (data["axes"], data["steps"], data["window"]["x"], data["approx"]) == (["w1", "w2"], 12, [-2, 2], None)
    mesh = unpacked(data["mesh"]["z"], "<f4").reshape(data["mesh"]["ny"], data["mesh"]["nx"])
    assert mesh[0, 0] == pytest.approx((-2) ** 2 + 3 * (-2) ** 2) and mesh[-1, 0] == pytest.approx(4 + 12)


def test_a_big_swarm_keeps_its_bold_runs_exact_and_the_rest_within_a_step_of_65535(tmp_path, monkeypatch):
    import torch

    monkeypatch.setattr(explore, "EXACT_NUMBERS", 100)  # what a 1,000-start swarm is past
    scene = anim.Scene(name="swarm", surface=lambda w1, w2: w1 ** 2 + 3 * w2 ** 2, steps=15, x_range=(-2, 2),
                       y_range=(-2, 2), init=anim.starts.grid(5),
                       optimizers=[anim.Optimizer("SGD", torch.optim.SGD, lr=0.1),
                                   anim.Optimizer("Adam", torch.optim.Adam, lr=0.3)])
    result = anim.render(scene, tmp_path, formats=["html"])
    data = data_of((result.folder / "explore.html").read_text())
    t = anim.trajectories(scene)
    exact, bold = data["runs"]["exact"], data["runs"]["bold"]
    assert exact == bold and 2 <= len(bold) <= 6  # the runs the videos draw bold
    np.testing.assert_array_equal(unpacked(data["points"], "<f4").reshape(len(exact), 15, 3), t.points[exact])
    rest = [i for i in range(len(t)) if i not in exact]
    planes = unpacked(data["approx"]["data"], np.uint8)
    half = len(planes) // 2
    deltas = (planes[:half].astype(np.int64) | (planes[half:].astype(np.int64) << 8)).reshape(len(rest), 3, 15)
    q = np.cumsum(deltas, axis=2) % 65536  # what the page's running sum gives
    low, high = np.array(data["approx"]["low"]), np.array(data["approx"]["high"])
    decoded = (low[None, :, None] + q * ((high - low) / 65535)[None, :, None]).transpose(0, 2, 1)
    error = np.abs(decoded - t.points[rest])
    assert (error <= (high - low) / 65535 / 2 * 1.0001).all()


def test_shared_writes_the_script_once_beside_the_scene_folders(rendered, tmp_path):
    from conftest import TINY_SCENE

    import textwrap

    (tmp_path / "bowl.py").write_text(textwrap.dedent(TINY_SCENE))
    shared = anim.render(tmp_path / "bowl.py", tmp_path / "site", formats=["html"], html_script="shared")
    name, body = explore.shared_script()
    assert re.fullmatch(r"optianim-explore-[0-9a-f]{12}\.js", name)
    assert (tmp_path / "site" / name).read_bytes() == body
    page = (shared.folder / "explore.html").read_text()
    assert f'<script src="../{name}"></script>' in page and "window.optianim = api" not in page
    assert next(r for r in shared.files if r.file == "explore.html").details == {"script": name}
    inline = (rendered.folder / "explore.html").read_text()
    assert len(inline) - len(page) > 500_000  # three.js is not in the page
    assert explore.standalone(page) == inline  # and a notebook puts it back inside
    assert shared.manifest["settings"]["html_script"] == "shared"


def test_a_course_batch_shares_one_script(scene_file, tmp_path):
    from conftest import TINY_SCENE

    scene_file(TINY_SCENE, "bowl.py")
    scene_file(TINY_SCENE.replace('name="bowl"', 'name="other"'), "other.py")
    done = anim.render_many([tmp_path], tmp_path / "course", formats=["html"], html_script="shared", jobs=1)
    assert not done.failed
    scripts = sorted(p.name for p in (tmp_path / "course").glob("optianim-explore-*.js"))
    assert scripts == [explore.shared_script()[0]]
    index = (tmp_path / "course" / "index.html").read_text()
    assert '<a href="bowl/explore.html">explore</a>' in index and '<a href="other/explore.html">explore</a>' in index


def test_the_format_and_the_option(tiny_scene, render):
    plan = anim.info(tiny_scene, formats=["html"])
    assert [(o.view, o.filename, o.frames) for o in plan.outputs] == [(None, "explore.html", None)]
    with pytest.raises(anim.UsageError, match=r"^html_script: got 'cdn'; use one of inline, shared$"):
        anim.render(tiny_scene, "unused", formats=["html"], html_script="cdn")
    result = render(tiny_scene, tiny_scene.parent / "out", "--format", "html", "--html-script", "cdn", exit_code=2)
    assert "Invalid value for '--html-script': 'cdn' is not one of 'inline', 'shared'" in result.output


def test_a_missing_asset_is_one_line(tiny_scene, tmp_path, monkeypatch):
    monkeypatch.setattr(explore, "WEB", tmp_path / "nowhere")
    with pytest.raises(anim.RenderError, match=r"^explore.html: .*nowhere/three.min.js is missing from this "
                                               r"installation of optianim; reinstall it"):
        anim.render(tiny_scene, tmp_path, formats=["html"])
    assert not (tmp_path / "bowl" / "explore.html").exists()


def test_the_wheel_carries_the_page_and_three(tmp_path):
    """The page's files are package data: a wheel built from this tree holds them."""
    import zipfile

    import sys

    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    [wheel] = tmp_path.glob("optianim-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for asset in ("three.min.js", "THREE-LICENSE", "page.js", "page.css", "page.html"):
        assert f"anim/write/web/{asset}" in names


def test_minima_axis_names_and_descriptions_are_shown_where_the_scene_and_render_have_them(tmp_path):
    """What other parts of optianim may give a render (known minima, a plane's axis names, words
    describing it) is read where present, and absent it changes nothing."""
    import torch

    from anim.compute import events
    from anim.drive import pipeline
    from anim.drive.settings import Settings
    from anim.drive.timeline import timeline
    from anim.write import describe
    from anim.write.formats import Document

    scene = anim.Scene(name="bowl", surface=lambda w1, w2: (w1 - 1) ** 2 + 3 * w2 ** 2, steps=5, init=(-1.0, 1.0),
                       x_range=(-2, 2), y_range=(-2, 2), optimizers=[anim.Optimizer("SGD", torch.optim.SGD, lr=0.1)])
    prepared = pipeline.prepare(scene)
    runs, window = pipeline._framed(prepared)
    document = Document(scene, runs, window, Settings(), None, tmp_path, [], {})
    plain = explore.page_data(document)
    assert (plain["minima"], plain["axes"], plain["description"]) == ([], ["w1", "w2"], None)
    object.__setattr__(scene, "minima", [(1.0, 0.0)])
    object.__setattr__(scene, "axis_names", ("PC1 (87.3 %)", "PC2 (9.1 %)"))
    settings = Settings(views=("contour",))
    described = describe.describe(scene, events.find(scene, runs, window), settings.views, timeline(scene, settings),
                                  settings.fps)
    object.__setattr__(document, "description", described)
    given = explore.page_data(document)
    assert given["minima"] == [[1.0, 0.0, 0.0]]
    assert given["axes"] == ["PC1 (87.3 %)", "PC2 (9.1 %)"]
    assert given["description"] == {"alt": f"contour: {described.alt['contour']}", "description": described.text()}
    assert "SGD" in given["description"]["description"]
