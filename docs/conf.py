"""Sphinx configuration of optianim's documentation site (`make docs` builds it into docs/_build/html)."""

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

import anim  # noqa: E402

project = "optianim"
release = version = anim.__version__
copyright = "optianim's authors"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx_click",
    "scene_gallery",
    "run_code",
]

# Warnings are errors (`-W --keep-going` in the Makefile): a link to a page, a heading or an API
# name that does not exist fails the build.
nitpicky = True
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence", "deflist"]
suppress_warnings = []
exclude_patterns = ["_build"]
default_role = "code"
smartquotes = False                 # "--view" stays two hyphens, "auto" keeps its straight quotes

autodoc_member_order = "bysource"
autodoc_typehints = "none"          # optianim's signatures say it; the docstrings explain each keyword

html_theme = "pydata_sphinx_theme"
html_title = "optianim"
html_static_path = ["_static"]
html_css_files = ["gallery.css"]
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": [],
}
html_sidebars = {"**": ["sidebar-nav-bs"]}
html_context = {"default_mode": "light"}  # without one, the theme logs a console error on a first visit

# The gallery: every file in scenes/, grouped as a lecturer looks for them; a file not named here
# goes under "More scenes".
scene_gallery_folder = "../scenes"
scene_gallery_groups = [
    ("The lecture's scenes", ["pathological", "steep_optima"]),
    ("Classic test functions", ["rosenbrock", "himmelblau", "beale", "booth", "rastrigin", "ackley",
                                "six_hump_camel", "saddle", "monkey_saddle", "ill_conditioned"]),
    ("Inside an optimizer", ["momentum_explained", "adam_explained", "noisy_sgd"]),
    ("Swarms, sweeps and tuning", ["swarm", "lr_sweep", "fair_race"]),
    ("Networks", ["spirals_mlp"]),
    ("Modern optimizers", ["modern_optimizers", "custom_optimizer"]),
]
scene_gallery_render = {"quality": "low"}

# The guides' Python code runs while the build reads them (docs/_ext/run_code.py).
run_code_pages = ["getting-started", "guides/*"]
run_code_links = {"scenes": "../scenes"}


# sphinx-click reads options' help as reStructuredText, where |x| is a substitution: keep the bars
# of `--view inside`'s |update|/|grad| as text; and a default shows as --help shows it (media, not
# PosixPath('media')).
def _as_help_shows(app, ctx, lines):
    for i, line in enumerate(lines):
        start = re.match(r"\s*(\| )?", line).end()
        line = line[:start] + line[start:].replace("|", "\\|")
        lines[i] = re.sub(r"\bPosixPath\('([^']*)'\)", r"\1", line)


def setup(app):
    app.connect("sphinx-click-process-options", _as_help_shows)
