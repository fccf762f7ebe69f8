"""explore.html in headless Chromium (Debian's, software WebGL: no GPU): it loads from file:// with no
console error and no request; window.optianim moves every head to the CSV's point; hiding an
optimizer takes its colour out of both views; hovering reads the CSV's numbers; the keyboard plays
and stops; the picture follows the step; the dark theme is dark; a swarm's sweep slider and a click
on the contour pick torch's own runs."""

import csv
import io
import textwrap

import numpy as np
import pytest

from .conftest import HANG_MS

# The page's data, the contour view's box and where a head of `label` is drawn in it (page pixels).
HEAD_ON_SCREEN = """({label}) => {
  const D = JSON.parse(document.getElementById('optianim-data').textContent);
  const box = document.getElementById('contour').getBoundingClientRect();
  const head = window.optianim.state().heads.find(h => h.label === label);
  return [box.left + (head.w1 - D.window.x[0]) / (D.window.x[1] - D.window.x[0]) * box.width,
          box.top + (1 - (head.w2 - D.window.y[0]) / (D.window.y[1] - D.window.y[0])) * box.height];
}"""


def csv_rows(folder):
    """{(optimizer, run, step): row} of trajectories.csv, values as written."""
    with open(folder / "trajectories.csv", newline="") as handle:
        return {(row["optimizer"], int(row["run"]), int(row["step"])): row for row in csv.DictReader(handle)}


class Opened:
    """The page open in Chromium, with every console message, page error and request it made."""

    def __init__(self, page, path):
        self.page, self.messages, self.requests = page, [], []
        page.on("console", lambda message: self.messages.append((message.type, message.text)))
        page.on("pageerror", lambda error: self.messages.append(("pageerror", str(error))))
        page.on("request", lambda request: self.requests.append(request.url))
        self.url = path.as_uri()
        page.goto(self.url)
        page.evaluate("window.optianim.ready")

    def errors(self):
        return [m for m in self.messages if m[0] in ("error", "pageerror")]

    def state(self):
        return self.page.evaluate("window.optianim.state()")

    def step(self, k):
        self.page.evaluate("k => window.optianim.setStep(k)", k)


@pytest.fixture
def opened(renders, page):
    return Opened(page, renders["explore"].folder / "explore.html")


def colour_pixels(png, test):
    """How many pixels of a PNG screenshot pass `test(r, g, b)` (numpy arrays)."""
    import matplotlib.image

    rgb = (matplotlib.image.imread(io.BytesIO(png), format="png")[..., :3] * 255).round()
    return int(test(rgb[..., 0], rgb[..., 1], rgb[..., 2]).sum())


def blue(r, g, b):  # Momentum SGD's colour in the lecture's scene; viridis has no such blue
    return (b > 180) & (r < 70) & (g < 70)


def test_it_loads_offline_with_no_error_and_no_request(opened, renders):
    assert opened.errors() == []
    assert opened.requests == [opened.url]  # the file itself: no script, style, font or data fetched
    manifest = renders["explore"].manifest
    assert [f["file"] for f in manifest["files"]] == ["trajectories.csv", "explore.html", "index.html"]
    assert opened.page.evaluate("window.optianim.steps") == 100
    assert [(r["label"], r["run"]) for r in opened.page.evaluate("window.optianim.runs")] == [
        (r["optimizer"], r["run"]) for r in manifest["runs"]]


def test_set_step_puts_every_head_at_the_csv_point(opened, renders):
    rows = csv_rows(renders["explore"].folder)
    for k in (0, 1, 37, 99, 12):
        opened.step(k)
        state = opened.state()
        assert state["step"] == k and len(state["heads"]) == 6
        for head in state["heads"]:
            row = rows[(head["label"], head["run"], k)]
            for name in ("w1", "w2", "loss"):
                assert np.float32(head[name]) == np.float32(row[name]), (k, head["label"], name)
                assert head[name] == float(np.float32(row[name]))  # float32, not a rounded decimal
    assert opened.errors() == []


def test_hiding_an_optimizer_takes_it_out_of_both_views(opened):
    opened.step(60)
    shots = {view: opened.page.locator(f"#{view}").screenshot() for view in ("contour", "surface")}
    assert all(colour_pixels(shot, blue) > 30 for shot in shots.values())
    opened.page.evaluate("window.optianim.setVisible('Momentum SGD', false)")
    hidden = {view: opened.page.locator(f"#{view}").screenshot() for view in ("contour", "surface")}
    assert {view: colour_pixels(shot, blue) for view, shot in hidden.items()} == {"contour": 0, "surface": 0}
    state = opened.state()
    assert "Momentum SGD" not in state["visible"] and len(state["visible"]) == 5
    assert "Momentum SGD" not in [h["label"] for h in state["heads"]]
    assert opened.page.get_attribute("#legend button[data-optimizer='1']", "aria-pressed") == "false"
    # the legend button brings it back
    opened.page.click("#legend button[data-optimizer='1']")
    assert "Momentum SGD" in opened.state()["visible"]
    assert colour_pixels(opened.page.locator("#contour").screenshot(), blue) > 30


def test_hovering_a_head_reads_the_csv_numbers(opened, renders):
    rows = csv_rows(renders["explore"].folder)
    opened.step(40)
    x, y = opened.page.evaluate(HEAD_ON_SCREEN, {"label": "Momentum SGD"})
    opened.page.mouse.move(x, y)
    tip = opened.page.locator("#tip")
    tip.wait_for(state="visible")
    assert tip.locator("b").inner_text() == "Momentum SGD"
    assert "run 0, step 40" in tip.inner_text()
    row = rows[("Momentum SGD", 0, 40)]
    for field in ("loss", "w1", "w2", "grad_w1", "grad_w2", "update_w1", "update_w2", "lr"):
        assert tip.locator(f"td[data-field='{field}']").inner_text() == row[field], field
    # and its optimizer's state, as the JSON and NPZ exports hold it
    import anim

    t = anim.trajectories(renders["explore"].manifest["scene_file"])
    index = t.labels.index("Momentum SGD")
    for w, field in enumerate(("momentum_buffer_w1", "momentum_buffer_w2")):
        assert tip.locator(f"td[data-field='{field}']").inner_text() == format(
            float(t.state["momentum_buffer"][index, 40, w]), ".9g")


def test_the_keyboard_plays_and_stops(opened):
    page = opened.page
    page.focus("body")
    page.keyboard.press("End")
    assert opened.state()["step"] == 99
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert opened.state()["step"] == 2
    page.keyboard.press(" ")
    assert opened.state()["playing"] is True
    page.wait_for_function("window.optianim.state().step > 10", timeout=HANG_MS)
    page.keyboard.press(" ")
    stopped = opened.state()
    assert stopped["playing"] is False
    page.evaluate("() => new Promise(r => setTimeout(r, 300))")
    assert opened.state()["step"] == stopped["step"]
    assert page.get_attribute("#play", "aria-label") == "Play"


def test_the_picture_changes_with_the_step(opened):
    opened.step(5)
    early = opened.page.locator("#views").screenshot()
    opened.step(80)
    late = opened.page.locator("#views").screenshot()
    opened.step(5)
    again = opened.page.locator("#views").screenshot()
    assert early != late and early == again


def test_the_dark_theme_is_dark(renders, page):
    opened = Opened(page, renders["explore-dark"].folder / "explore.html")
    assert opened.errors() == []
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(21, 23, 28)"
    shot = page.screenshot()
    assert colour_pixels(shot, lambda r, g, b: (r + g + b) < 120) > 0.6 * 1400 * 900
    assert opened.state()["theme"] == "dark"


SWEPT_SWARM = """
    import torch
    from anim import Scene, Optimizer, starts

    scene = Scene(
        name="swept", title="A swept swarm", surface=lambda w1, w2: (w1 ** 2 - 1) ** 2 + 2 * w2 ** 2,
        init=starts.grid(4), steps=30, x_range=(-2, 2), y_range=(-1.5, 1.5),
        optimizers=[Optimizer("SGD", torch.optim.SGD, lr=[0.01, 0.05]),
                    Optimizer("Adam", torch.optim.Adam, lr=0.1)],
    )
"""


def test_a_swept_swarm_picks_torch_runs_by_slider_and_by_click(scene_file, tmp_path, page):
    import anim

    result = anim.render(scene_file(textwrap.dedent(SWEPT_SWARM), "swept.py"), tmp_path, formats=["html"])
    opened = Opened(page, result.folder / "explore.html")
    assert opened.errors() == []
    rows = csv_rows(result.folder)
    opened.step(17)
    heads = opened.state()["heads"]
    assert len(heads) == 48  # 16 starts x 3 optimizers, every one exact
    assert all(np.float32(h["loss"]) == np.float32(rows[(h["label"], h["run"], 17)]["loss"]) for h in heads)
    # one slider for the swept lr: its first value shows SGD at lr=0.01 alone beside Adam
    slider = page.get_by_label("lr = all")
    slider.focus()
    page.keyboard.press("ArrowRight")
    state = opened.state()
    assert state["visible"] == ["SGD lr=0.01", "Adam"] and state["sweep"] == {"SGD": {"lr": "0.01"}}
    assert {h["label"] for h in state["heads"]} == {"SGD lr=0.01", "Adam"}
    # a click on the contour view shows the runs from the nearest start
    start = result.manifest["runs"][5]["start"]
    x, y = page.evaluate("""([w1, w2]) => {
      const D = JSON.parse(document.getElementById('optianim-data').textContent);
      const box = document.getElementById('contour').getBoundingClientRect();
      return [box.left + (w1 - D.window.x[0]) / (D.window.x[1] - D.window.x[0]) * box.width + 3,
              box.top + (1 - (w2 - D.window.y[0]) / (D.window.y[1] - D.window.y[0])) * box.height - 2];
    }""", start)
    page.mouse.click(x, y)
    assert opened.state()["start"] == {"run": 5, "w1": pytest.approx(start[0]), "w2": pytest.approx(start[1])}
    assert opened.errors() == []


NAMED = """() => {
  const e = document.activeElement;
  const label = e.getAttribute('aria-label') || (e.labels && e.labels.length ? e.labels[0].textContent : '');
  return [e.id || e.tagName + ':' + (e.dataset.optimizer || ''), label.trim()];
}"""


def test_every_control_is_reached_by_tab_named_and_worked_by_keys(opened):
    page = opened.page
    page.focus("body")
    seen = []
    for _ in range(16):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(NAMED))
    seen = [s for s in seen if s[0] != "BODY:"]  # past the last control, Tab leaves the page and comes round
    reached = [id for id, _ in seen]
    for control in ("theme", "reset", "contour", "surface", "play", "step", "speed"):
        assert control in reached, (control, reached)
    assert {f"BUTTON:{o}" for o in range(6)} <= set(reached)  # each optimizer's legend entry
    assert all(name for _, name in seen), seen  # each says what it is to a screen reader
    # Enter on a legend entry hides its optimizer; the step slider takes the arrow keys
    page.focus("#legend button[data-optimizer='5']")
    page.keyboard.press("Enter")
    assert "Adam" not in opened.state()["visible"]
    page.focus("#step")
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")
    assert opened.state()["step"] == 98
