"""A notebook with a scene defined in its cells, executed headless by nbclient on a real ipykernel:
the render displays itself (video embedded, or linked past the limit), renders as the same scene
from a file does, and an error is one readable message; the executed notebook, converted to HTML
by nbconvert, plays its video in headless Chromium."""

import base64
import hashlib
import re
import textwrap
from pathlib import Path

import numpy as np
import pytest

from .conftest import HANG_MS

nbformat = pytest.importorskip("nbformat", reason="nbformat is in the test extra")
nbclient = pytest.importorskip("nbclient", reason="nbclient is in the test extra")
pytest.importorskip("ipykernel", reason="ipykernel is in the test extra")

pytestmark = pytest.mark.slow  # a kernel, a render in it, one in this process, and Chromium: about 30 s

# The scene, written in cells as a lecturer would (the optimizer class of its own, too), and in a file.
SCENE = """\
import torch
import anim

def loss(w1, w2):
    return torch.tanh(w1) ** 2 + 0.5 * w2 ** 2

class SignDescent(torch.optim.Optimizer):
    def __init__(self, params, lr=0.1):
        super().__init__(params, dict(lr=lr))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                p.add_(torch.sign(p.grad), alpha=-group["lr"])

scene = anim.Scene(name="inline", surface=loss, init=(1.5, 1.0), steps=10, x_range=(-2, 2), y_range=(-2, 2),
                   optimizers=[anim.Optimizer("sign", SignDescent, lr=0.2, color="red"),
                               anim.Optimizer("Adam", torch.optim.Adam, lr=0.3, color="black")])
"""
OPTIONS = 'size="128x96", fps=10, views=["contour"], formats=["mp4", "png"]'
BROKEN = """\
broken = anim.Scene(name="broken", surface=lambda w1, w2: w1 @ w2, init=(1.0, 1.0), steps=3,
                    optimizers=[anim.Optimizer("SGD", torch.optim.SGD, lr=0.1)])
anim.render(broken, "media", cache=False)
"""


BAD_SCENE = """\
bad = anim.Scene(name="bad", surface=loss, x_range=(2, 1),
                 optimizers=[anim.Optimizer("SGD", torch.optim.SGD, lr=0.1)])
"""


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook run top to bottom in a fresh kernel, in its own folder (the kernel's cwd)."""
    folder = tmp_path_factory.mktemp("notebook")
    cells = [SCENE,
             f'result = anim.render(scene, "media", {OPTIONS}, cache="cache")\nresult',
             f'anim.show(scene, "media", {OPTIONS}, cache="cache", embed_limit_mb=0.001)',
             BROKEN,
             'anim.render(broken, "media", cache=False, debug=True)',
             BAD_SCENE,
             'anim.explore(scene, "media")']
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(textwrap.dedent(c)) for c in cells])
    for cell in notebook.cells[3:6]:
        cell.metadata["tags"] = ["raises-exception"]
    client = nbclient.NotebookClient(notebook, timeout=HANG_MS // 1000, kernel_name="python3",
                                     resources={"metadata": {"path": str(folder)}})
    client.execute()
    nbformat.write(notebook, folder / "executed.ipynb")
    return folder, notebook


def outputs(notebook, index, kind):
    return [o for o in notebook.cells[index].outputs if o.output_type == kind]


def test_the_render_displays_its_video_embedded_and_named(executed):
    folder, notebook = executed
    [shown] = [o for o in outputs(notebook, 1, "execute_result") if "text/html" in o.data]
    html = shown.data["text/html"]
    assert "<video controls loop autoplay muted playsinline" in html
    [embedded] = re.findall(r'src="data:video/mp4;base64,([^"]+)"', html)
    assert base64.b64decode(embedded) == (folder / "media/inline/contour.mp4").read_bytes()
    sha = hashlib.sha256((folder / "media/inline/contour.png").read_bytes()).hexdigest()
    assert f'href="media/inline/contour.png?v={sha[:16]}"' in html  # caption: each file, by its content
    # The progress bar was shown, and ends on the files written.
    progress = " ".join(o.data["text/html"] for o in outputs(notebook, 1, "display_data"))
    assert "ready contour.mp4" in progress


def test_past_the_limit_a_file_is_linked_and_the_cell_says_so(executed):
    folder, notebook = executed
    [shown] = [o for o in outputs(notebook, 2, "display_data") if "optianim" in o.data.get("text/html", "")]
    html = shown.data["text/html"]
    assert "base64" not in html
    size = (folder / "media/inline/contour.mp4").stat().st_size
    assert re.search(r'<source src="media/inline/contour.mp4\?v=[0-9a-f]{16}" type="video/mp4">', html)
    assert re.search(rf"note: contour.mp4 \({size / 1e3:.1f} kB\) is past embed_limit_mb=0.001 for this "
                     r"cell: linked, not embedded", html)


@pytest.mark.render_cache
def test_an_inline_scene_renders_as_the_same_scene_from_a_file(executed, tmp_path):
    import anim

    folder, _ = executed
    (tmp_path / "inline.py").write_text(SCENE)
    events = []
    result = anim.render(tmp_path / "inline.py", tmp_path / "media", size="128x96", fps=10, views=["contour"],
                         formats=["mp4", "png"], cache=folder / "cache", progress=events.append)
    # The same frames: the file's render finds the notebook's in the cache, under the same key.
    assert [e.record.file for e in events if type(e).__name__ == "FileDone" and e.reused] == \
        ["contour.mp4", "contour.png"]
    assert (result.folder / "trajectories.csv").read_bytes() == (folder / "media/inline/trajectories.csv").read_bytes()


def test_an_error_is_one_readable_message_under_one_frame_of_the_cell(executed):
    _, notebook = executed
    [error] = outputs(notebook, 3, "error")
    assert error.ename == "SceneError"
    assert error.evalue == ("surface: raised RuntimeError: both arguments to matmul need to be at least 1D, "
                            "but they are 0D and 0D at step 0 of optimizers['SGD']")
    trace = plain(error.traceback)
    assert frames(trace) == ["Cell In[4], line 3"], trace  # the call in the cell; none of optianim's frames
    assert "anim.render(broken" in trace and "The above exception" not in trace
    assert trace.splitlines()[-1] == f"SceneError: {error.evalue}"
    # Asked for (debug=True), the whole traceback: through the pipeline to where torch failed.
    [asked] = outputs(notebook, 4, "error")
    assert asked.evalue == error.evalue
    assert {"api.py", "pipeline.py", "trajectory.py"} <= set(python_files(plain(asked.traceback)))
    # A Scene built wrong in a cell: its one frame too, not the dataclass's __init__ and checks.
    [bad] = outputs(notebook, 5, "error")
    assert bad.evalue == "x_range: low must be below high, got (2, 1)"
    assert frames(plain(bad.traceback)) == ["Cell In[6], line 1"], plain(bad.traceback)
    # Asked for (debug=True), the whole traceback: through the pipeline to where torch failed.
    [asked] = outputs(notebook, 4, "error")
    assert asked.evalue == error.evalue
    assert {"api.py", "pipeline.py", "trajectory.py"} <= set(python_files(plain(asked.traceback)))


def plain(traceback):
    """IPython's coloured traceback lines as plain text."""
    return re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(traceback))


def frames(trace):
    """The frames a traceback shows, by their headers: 'Cell In[4], line 3', 'File /x/api.py:80'."""
    return re.findall(r"^(Cell In\[\d+\], line \d+|File \S+?:\d+)", trace, re.M)


def python_files(trace):
    """The names of the .py files whose frames a traceback shows (a cell's are 'Cell In[n]')."""
    return [Path(f).name for f in re.findall(r"File (\S+?\.py)", trace)]


def test_the_executed_notebook_plays_its_video_in_chromium(executed, page):
    from nbconvert import HTMLExporter

    folder, notebook = executed
    html, _ = HTMLExporter().from_notebook_node(notebook)
    path = folder / "executed.html"
    path.write_text(html)
    page.goto(path.as_uri())
    played = page.evaluate("""async (timeout) => {
      const video = document.querySelector('video');
      video.loop = false;
      video.currentTime = 0;
      const ended = new Promise(resolve => {
        video.addEventListener('ended', () => resolve('ended'));
        video.addEventListener('error', () => resolve('error'));
        setTimeout(() => resolve('timeout'), timeout);
      });
      await video.play();
      return {result: await ended, width: video.videoWidth, height: video.videoHeight,
              decoded: video.getVideoPlaybackQuality().totalVideoFrames, source: video.currentSrc.slice(0, 22)};
    }""", HANG_MS)
    assert played == {"result": "ended", "width": 128, "height": 96, "decoded": played["decoded"],
                      "source": "data:video/mp4;base64,"}
    assert played["decoded"] > 1


def test_the_explorable_shows_inline_and_works_from_the_saved_notebook(executed, page):
    """anim.explore's output is the page itself in an iframe (no server); in the saved notebook,
    converted to HTML, its views draw and window.optianim answers with the CSV's heads."""
    import csv

    from nbconvert import HTMLExporter

    folder, notebook = executed
    [shown] = [o for o in outputs(notebook, 6, "execute_result") if "text/html" in o.data]
    assert '<iframe srcdoc="&lt;!doctype html&gt;' in shown.data["text/html"]
    html, _ = HTMLExporter().from_notebook_node(notebook)
    path = folder / "executed-explore.html"
    path.write_text(html)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())
    [frame] = [f for f in page.frames if f != page.main_frame and "optianim" in f.content()]
    frame.frame_element().scroll_into_view_if_needed()
    frame.evaluate("window.optianim.ready")
    frame.evaluate("window.optianim.setStep(7)")
    heads = frame.evaluate("window.optianim.state().heads")
    with open(folder / "media/inline/trajectories.csv", newline="") as handle:
        rows = {(r["optimizer"], r["step"]): r for r in csv.DictReader(handle)}
    assert [(h["label"], h["loss"]) for h in heads] == [
        (label, float(np.float32(rows[(label, "7")]["loss"]))) for label in ("sign", "Adam")]
    assert errors == []
