"""Runs the guides' Python code blocks while the build reads them, so the docs cannot rot.

Each page named by `run_code_pages` runs its ```python blocks in order, in one namespace per page,
in a scratch folder of the build (`<doctrees>/run-code/`) where `scenes/` links to the repository's
scene files, so `anim.load("scenes/pathological.py")` works as written and what a block writes stays
out of the repository. A block that raises is a warning at its line (an error under -W). A block
that cannot run on a build machine (it needs a Dask cluster or a folder of lectures) is written as
```{code-block} python with `:class: not-run`, and is left out."""

import contextlib
import io
import os
from fnmatch import fnmatch
from pathlib import Path

from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger(__name__)

NOT_RUN = "not-run"


def setup(app):
    app.add_config_value("run_code_pages", [], "env", list)
    app.add_config_value("run_code_links", {}, "env", dict)
    app.connect("doctree-read", run_blocks)
    return {"parallel_read_safe": False, "parallel_write_safe": True}


def run_blocks(app, doctree):
    docname = app.env.docname
    if not any(fnmatch(docname, pattern) for pattern in app.config.run_code_pages):
        return
    blocks = [node for node in doctree.findall(nodes.literal_block)
              if node.get("language") in ("python", "py") and NOT_RUN not in node["classes"]]
    if not blocks:
        return
    folder = _scratch(app)
    namespace = {"__name__": f"docs.{docname.replace('/', '.')}"}
    here = Path.cwd()
    output = io.StringIO()
    try:
        os.chdir(folder)
        for node in blocks:
            try:
                with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
                    exec(compile(node.astext(), f"{docname} (line {node.line})", "exec"), namespace)
            except Exception as exc:  # the docs' code failing is what this reports
                logger.warning(f"this code block raised {type(exc).__name__}: {exc}", location=node)
                break  # the blocks after it build on it
    finally:
        os.chdir(here)


def _scratch(app):
    folder = Path(app.doctreedir) / "run-code"
    folder.mkdir(parents=True, exist_ok=True)
    for name, target in app.config.run_code_links.items():
        link = folder / name
        if not link.exists():
            link.symlink_to((Path(app.confdir) / target).resolve(), target_is_directory=True)
    return folder
