"""The documentation site, built once as `make docs` builds it (warnings are errors), then read as
files and opened in headless Chromium over HTTP: a gallery page per scene file with a looping
preview, every preview on the gallery's index decoded and on screen, the search finding
"Schedule-Free", every field of Scene on its reference page with its docstring, every option of
`optianim render` on the command-line page. Screenshots land in the test's temporary folder."""

import dataclasses
import html as markup
import http.server
import os
import re
import struct
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import anim
from anim.declare.library import scene_paths

from .conftest import HANG_MS, ROOT, _Handler

SCENES = ROOT / "scenes"
pytestmark = pytest.mark.slow  # the build renders every shipped scene (at the low preset)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """sphinx-build -W --keep-going of docs/ into a temporary folder, with a render cache of its own."""
    root = tmp_path_factory.mktemp("site")
    env = dict(os.environ, XDG_CACHE_HOME=str(root / "cache"))
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", str(ROOT / "docs"),
               str(root / "html")]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=3600)
    return result, root / "html"


@pytest.fixture(scope="module")
def built(site):
    result, html = site
    assert result.returncode == 0, f"the docs build failed:\n{result.stderr}"
    return html


@pytest.fixture(scope="module")
def base_url(built):
    """The built site on a loopback HTTP server, as a web host serves it."""

    def handler(*args, **kwargs):
        return _Handler(*args, directory=str(built), **kwargs)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, name="site-http", daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def opened(page, base_url, path):
    """Go to base_url + path; the console errors and the requests outside the site, as it loads."""
    errors, outside = [], []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("request", lambda request: request.url.startswith(base_url + "/") or outside.append(request.url))
    page.goto(base_url + path, wait_until="load")
    return errors, outside


def webp_chunks(path):
    """The chunk names of a RIFF WebP file, and its ANIM chunk's loop count (None if not animated)."""
    data = path.read_bytes()
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP", f"{path} is not a WebP file"
    names, loop, at = [], None, 12
    while at + 8 <= len(data):
        name, size = data[at:at + 4].decode("ascii"), struct.unpack("<I", data[at + 4:at + 8])[0]
        names.append(name)
        if name == "ANIM":
            loop = struct.unpack("<H", data[at + 12:at + 14])[0]
        at += 8 + size + size % 2
    return names, loop


def test_the_site_builds_with_no_warning(site):
    result, html = site
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr and "ERROR" not in result.stderr, result.stderr
    assert (html / "index.html").is_file()


def test_the_gallery_has_a_page_per_scene_file_each_with_a_looping_preview_and_its_explorable(built):
    stems = [path.stem for path in scene_paths(SCENES)]
    assert sorted(p.stem for p in (built / "gallery").glob("*.html")) == sorted(stems + ["index"])
    for stem in stems:
        page = (built / "gallery" / f"{stem}.html").read_text()
        assert '<figure class="scene-preview"><img src="' in page, f"{stem}: no preview on its page"
        preview = page.split('<figure class="scene-preview"><img src="', 1)[1].split('"', 1)[0]
        names, loop = webp_chunks((built / "gallery" / preview).resolve())
        assert names.count("ANMF") > 10 and loop == 0, f"{stem}: {preview} is not a WebP looping forever"
        text = markup.unescape(re.sub(r"<[^>]+>", "", page))
        assert f"optianim render {stem}\n" in text and "--view " in text  # a shipped scene by name; its views
        explorable = re.search(r'<iframe class="scene-explorable" src="([^"]+/explore\.html)"', page)
        assert explorable and (built / "gallery" / explorable.group(1)).resolve().is_file(), f"{stem}: no explorable"
        assert page.count("<iframe") == 1, f"{stem}: more than the explorable embedded"


def test_the_gallery_index_shows_every_preview(built, base_url, page, tmp_path):
    stems = [path.stem for path in scene_paths(SCENES)]
    errors, outside = opened(page, base_url, "/gallery/index.html")
    cards = page.eval_on_selector_all(".scene-card", """async cards => {
      const seen = [];
      for (const card of cards) {
        const img = card.querySelector('img');
        if (!img) { seen.push({href: card.getAttribute('href'), width: 0, height: 0, shown: false}); continue; }
        card.scrollIntoView();
        await img.decode();
        const box = img.getBoundingClientRect();
        seen.push({href: card.getAttribute('href'), width: img.naturalWidth, height: img.naturalHeight,
                   shown: box.width > 100 && box.height > 50 && box.top < innerHeight && box.bottom > 0});
      }
      return seen;
    }""")
    page.screenshot(path=str(tmp_path / "gallery-index.png"), full_page=True)
    assert sorted(card["href"] for card in cards) == sorted(f"{stem}.html" for stem in stems)
    for card in cards:
        assert card["width"] == 854 and card["height"] == 480 and card["shown"], card
    assert not errors and not outside, (errors, outside)


def test_the_search_finds_schedule_free(base_url, page, tmp_path):
    errors, outside = opened(page, base_url, "/search.html?q=Schedule-Free")
    page.wait_for_selector("#search-results .search-summary", timeout=HANG_MS)
    found = page.eval_on_selector_all("#search-results ul.search li a", "links => links.map(a => a.getAttribute('href'))")
    page.screenshot(path=str(tmp_path / "search.png"))
    assert "guides/optimizers.html" in found and "gallery/modern_optimizers.html" in found, found
    assert not errors and not outside, (errors, outside)


def test_scene_s_reference_lists_every_field_with_its_docstring(base_url, page, tmp_path):
    from sphinx.pycode import ModuleAnalyzer

    docstrings = ModuleAnalyzer.for_module("anim.declare.scene").find_attr_docs()
    errors, outside = opened(page, base_url, "/reference/api.html")
    for field in dataclasses.fields(anim.Scene):
        written = " ".join(" ".join(docstrings[("Scene", field.name)]).replace("`", "").split())
        entry = page.locator(f'[id="anim.Scene.{field.name}"]')
        assert entry.is_visible(), f"Scene.{field.name} is not on the reference page"
        shown = entry.locator("xpath=following-sibling::dd[1]").inner_text()
        assert " ".join(shown.split()) == written, field.name
    page.locator('[id="anim.Scene"]').locator("xpath=..").screenshot(path=str(tmp_path / "scene-reference.png"))
    assert not errors and not outside, (errors, outside)


def test_the_command_line_page_lists_every_option_of_render(base_url, page, tmp_path):
    from anim.faces.cli import main

    errors, outside = opened(page, base_url, "/reference/cli.html")
    options = [name for param in main.commands["render"].params if param.param_type_name == "option"
               for name in param.opts + param.secondary_opts]
    assert len(options) >= 20
    for name in options:
        anchor = f"cmdoption-optianim-render-{name.lstrip('-')}"  # on the option's entry, or inside it
        entry = page.locator(f"xpath=//dt[@id='{anchor}' or .//*[@id='{anchor}']]")
        assert entry.is_visible() and name in entry.inner_text(), name
        assert entry.locator("xpath=following-sibling::dd[1]").inner_text().strip(), f"{name} has no help"
    page.locator('[id="optianim-render"]').screenshot(path=str(tmp_path / "cli-render.png"))
    assert not errors and not outside, (errors, outside)
