"""The documentation site's machinery on a small gallery: a scene file added to the folder appears
after a rebuild (in the views it declares) and one removed disappears, a broken link fails the
build, a scene that fails to load fails it naming the file, a page written by a document format
(the explorable) is embedded whatever its format is called, and every public name of anim has its
reference entry. (tests/clients/test_site.py builds the whole site.)"""

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import ROOT, TINY_SCENE

DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS / "_ext"))

import scene_gallery  # noqa: E402  (docs/_ext)


def sphinx_build(source, out, env, *defines):
    """sphinx-build as `make docs` runs it (-W --keep-going); the guides' code is not run here."""
    command = [sys.executable, "-m", "sphinx", "--no-color", "-W", "--keep-going", "-b", "html", "-D", "run_code_pages=",
               *[arg for define in defines for arg in ("-D", define)], str(source), str(out)]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=1200)


@pytest.fixture
def project(tmp_path):
    """A copy of docs/ beside a scenes/ folder of its own (one tiny scene) and the README's media."""
    shutil.copytree(DOCS, tmp_path / "docs", ignore=shutil.ignore_patterns("_build", "gallery"))
    (tmp_path / "media").symlink_to(ROOT / "media", target_is_directory=True)
    scenes = tmp_path / "scenes"
    scenes.mkdir()
    (scenes / "bowl.py").write_text('"""A bowl: SGD and Adam roll to its bottom."""\n' + textwrap.dedent(TINY_SCENE))
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    return tmp_path, env


def gallery_pages(out):
    return sorted(p.stem for p in (out / "gallery").glob("*.html"))


def test_a_scene_file_added_appears_after_a_rebuild_and_one_removed_disappears(project):
    root, env = project
    out = root / "html"
    first = sphinx_build(root / "docs", out, env)
    assert first.returncode == 0, first.stderr
    assert gallery_pages(out) == ["bowl", "index"]
    saddle = (root / "scenes" / "saddle_too.py")
    saddle.write_text(textwrap.dedent(TINY_SCENE).replace('name="bowl", title="Bowl"', 'name="saddle_too", title="Saddle too"')
                      .replace("w1 ** 2 + 3 * w2 ** 2", "w1 ** 2 - w2 ** 2")
                      .replace("x_range=(-2, 2),", 'x_range=(-2, 2), views=["grid"],'))
    second = sphinx_build(root / "docs", out, env)
    assert second.returncode == 0, second.stderr
    assert gallery_pages(out) == ["bowl", "index", "saddle_too"]
    index = (out / "gallery" / "index.html").read_text()
    assert 'href="saddle_too.html"' in index and "Saddle too" in index
    assert "More scenes" in index  # a file no group names
    assert "optianim render scenes/saddle_too.py" in (root / "docs" / "gallery" / "saddle_too.md").read_text()
    page = (out / "gallery" / "saddle_too.html").read_text()
    assert "../_scenes/saddle_too/grid.webp" in page and (out / "_scenes" / "saddle_too" / "grid.webp").is_file()
    assert "contour.webp" not in page  # the views the scene declares, not the default ones
    saddle.unlink()
    third = sphinx_build(root / "docs", out, env)
    assert third.returncode == 0, third.stderr
    assert not (root / "docs" / "gallery" / "saddle_too.md").exists()
    assert 'href="saddle_too.html"' not in (out / "gallery" / "index.html").read_text()


def test_a_broken_link_fails_the_build(project):
    root, env = project
    (root / "scenes" / "bowl.py").unlink()  # no scene to render: the build checks the pages alone
    guide = root / "docs" / "guides" / "formats.md"
    line = len(guide.read_text().splitlines()) + 2
    guide.write_text(guide.read_text() + "\nSee [the missing page](nowhere.md) and [a heading](#no-such-heading).\n")
    result = sphinx_build(root / "docs", root / "html", env)
    assert result.returncode == 1
    warnings = [line.split("docs/", 1)[1] for line in result.stderr.splitlines() if "WARNING" in line]
    assert warnings == [f"guides/formats.md:{line}: WARNING: 'myst' cross-reference target not found: 'nowhere.md' "
                        "[myst.xref_missing]",
                        f"guides/formats.md:{line}: WARNING: 'myst' cross-reference target not found: "
                        "'no-such-heading' [myst.xref_missing]"]
    assert "build finished with problems, 2 warnings" in result.stdout


def test_a_scene_that_fails_to_load_fails_the_build_naming_its_file(project):
    root, env = project
    (root / "scenes" / "bowl.py").write_text('"""Broken."""\nfrom anim import Scene\nscene = Scene(name="x", surface=1, optimizers=[])\n')
    result = sphinx_build(root / "docs", root / "html", env)
    assert result.returncode == 1
    bowl = root / "scenes" / "bowl.py"
    assert f"WARNING: gallery: {bowl}:3: surface: got 1; use a function loss(w1, w2) of two tensors" in result.stderr


def test_a_document_format_page_is_embedded_whatever_its_name(tmp_path, monkeypatch):
    """The explorable (`--format html`) or any document format writing text/html: the gallery embeds
    the page the render's manifest lists (not the preview page, also HTML), the stills and preview of
    each view with its alt text, and a picture written beside the views (tune.png)."""
    from anim.write import formats

    monkeypatch.setitem(formats.FORMATS, "explorable", formats.Format(
        "explorable", "an explorable page", "text/html", page="link", frames="none", alpha=False, codec="html",
        writer="anim.write.page:nowhere", filename="explore.html"))
    folder = tmp_path / "_scenes" / "bowl"
    folder.mkdir(parents=True)
    files = [{"file": "contour.webp", "view": "contour", "format": "webp"},
             {"file": "contour.png", "view": "contour", "format": "png"},
             {"file": "explore.html", "view": None, "format": "explorable"},
             {"file": "tune.png", "view": None, "format": "png"},
             {"file": "trajectories.csv", "format": "csv"},
             {"file": "index.html", "view": None, "format": "explorable"}]  # the preview page: not embedded
    alt = {"contour": "The contour view of a bowl: SGD and Adam reach (0, 0)."}
    (folder / "manifest.json").write_text(json.dumps({"title": r"Bowl $w_1^2 + w_2^2$", "alt": alt, "files": files}))
    scene = scene_gallery._Scene(ROOT / "scenes" / "booth.py")
    scene.rendered(tmp_path / "_scenes", "bowl")
    assert scene.views == ("contour",) and scene.title == "Bowl w₁² + w₂²"  # mathtext as it reads
    page = scene.page(tmp_path / "gallery", tmp_path / "_scenes")
    assert '<iframe class="scene-explorable" src="../_scenes/bowl/explore.html"' in page
    assert page.count("<iframe") == 1
    assert '<img src="../_scenes/bowl/tune.png" alt="tune.png">' in page  # a picture beside the views
    assert f'<img src="../_scenes/bowl/contour.webp" alt="{alt["contour"]}">' in page
    assert f'<a href="../_scenes/bowl/contour.webp"><img src="../_scenes/bowl/contour.png" alt="{alt["contour"]}">' in page
    assert "optianim render booth\n" in page  # a shipped scene by its bare name, which works in any folder
    assert "```{literalinclude} " + os.path.relpath(ROOT / "scenes" / "booth.py", tmp_path / "gallery") in page


def test_every_public_name_has_its_reference_entry():
    """Each name of anim.__all__ is an autodoc directive's target on the API page (.. autoclass:: anim.Scene)."""
    import anim

    reference = (DOCS / "reference" / "api.md").read_text()
    assert [name for name in anim.__all__ if name != "__version__" and f":: anim.{name}\n" not in reference] == []


def test_a_guide_s_code_block_that_raises_fails_the_build_at_its_line(project):
    root, env = project
    (root / "scenes" / "bowl.py").unlink()
    guide = root / "docs" / "guides" / "formats.md"
    lines = len(guide.read_text().splitlines())
    guide.write_text(guide.read_text() + '\n```{code-block} python\n:class: not-run\n\nraise RuntimeError("not run")\n```\n'
                     '\n```python\nimport anim\n\nanim.load("scenes/nowhere.py")\n```\n')
    result = sphinx_build(root / "docs", root / "html", env, "run_code_pages=guides/formats")
    assert result.returncode == 1
    warnings = [line.split("docs/", 1)[1] for line in result.stderr.splitlines() if "WARNING" in line]
    assert warnings == [f"guides/formats.md:{lines + 8}: WARNING: this code block raised SceneError: "
                        "scenes/nowhere.py: no such file"]
