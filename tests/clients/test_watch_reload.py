"""Watch mode in headless Chromium: saving the scene renders it again and the open preview page
reloads itself to show it; a save with an error shows the error and keeps the last good render."""

import re
import textwrap
import threading
import time

import pytest

from .conftest import HANG_MS

SCENE = """
    import torch
    from anim import Scene, Optimizer

    scene = Scene(name="bowl", surface=lambda w1, w2: w1 ** 2 + 3 * w2 ** 2, init=(1.5, -1.0), steps=6,
                  x_range=(-2, 2), y_range=(-2, 2),
                  optimizers=[Optimizer("SGD", torch.optim.SGD, lr=0.1, color="{color}")])
"""


def wait_for(condition, what):
    deadline = time.monotonic() + HANG_MS / 1000  # only stops a hang
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.05)


@pytest.mark.slow  # three renders and Chromium
@pytest.mark.render_cache
def test_saving_the_scene_reloads_the_page_with_the_new_render(tmp_path, page):
    import anim
    from anim.drive import watch

    scene = tmp_path / "scenes" / "bowl.py"
    scene.parent.mkdir()
    scene.write_text(textwrap.dedent(SCENE.format(color="red")))
    out = tmp_path / "media"
    lines, renders, stop = [], [], threading.Event()

    def render():
        renders.append(anim.render(scene, out, size="96x64", views=["contour"], formats=["png"],
                                   cache=tmp_path / "cache"))
        return renders[-1]

    watcher = threading.Thread(target=watch.watch, args=(scene, out, render, lines.append, stop))
    watcher.start()
    try:
        wait_for(lambda: any(line.startswith("watching") for line in lines), "the first render")
        url = re.search(r"http://127\.0\.0\.1:\d+/", lines[0])[0]
        page.goto(url)
        first = page.evaluate("async () => { const img = document.querySelector('img'); await img.decode();"
                              " window.notReloaded = true; return img.naturalWidth; }")
        assert first == 96
        png = (out / "bowl" / "contour.png").read_bytes()
        scene.write_text(textwrap.dedent(SCENE.format(color="blue")))
        page.wait_for_function("() => window.notReloaded === undefined && document.readyState === 'complete'")
        assert len(renders) == 2 and (out / "bowl" / "contour.png").read_bytes() != png
        shown = page.evaluate("async () => { const img = document.querySelector('img'); await img.decode();"
                              " const r = await fetch(img.src); return [...new Uint8Array(await r.arrayBuffer())]; }")
        assert bytes(shown) == (out / "bowl" / "contour.png").read_bytes()
        page.evaluate("window.notReloaded = true")
        scene.write_text("import torch\n\nscene = (\n")
        page.wait_for_selector("#optianim-error")
        error = page.inner_text("#optianim-error")
        assert f"{scene}:3: syntax error:" in error
        assert any(line.startswith(f"error: {scene}:3: syntax error") for line in lines)
        last_good = page.evaluate("async () => { const img = document.querySelector('img'); await img.decode();"
                                  " return img.naturalWidth; }")  # (loaded once the page with the error is)
        assert last_good == 96  # the last good render still shown
    finally:
        stop.set()
        watcher.join(timeout=HANG_MS / 1000)
    assert not watcher.is_alive()
