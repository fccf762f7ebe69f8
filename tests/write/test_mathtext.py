"""Titles' mathtext on web pages: sub- and superscripts and symbols in HTML, Unicode in a <title>."""

import re

import pytest
from conftest import SCENES

import anim
from anim.write import page
from anim.write.mathtext import title_html, title_text


@pytest.mark.parametrize("title, html, text", [
    (r"Monkey saddle $w_1^3 - 3 w_1 w_2^2$",
     "Monkey saddle w<sub>1</sub><sup>3</sup> − 3w<sub>1</sub>w<sub>2</sub><sup>2</sup>", "Monkey saddle w₁³ − 3w₁w₂²"),
    (r"Adam, $\beta_1 = 0.9$, lr $= 10^{-3}$", "Adam, β<sub>1</sub> = 0.9, lr = 10<sup>−3</sup>",
     "Adam, β₁ = 0.9, lr = 10⁻³"),
    (r"$\alpha^{(k)}_{t+1}$ and $\frac{1}{2}\,\mathrm{lr}\cdot\nabla f$",
     "α<sup>(k)</sup><sub>t+1</sub> and 1/2\u2009lr · ∇f", "α^(k)ₜ₊₁ and 1/2\u2009lr · ∇f"),
    (r"Costs \$5 <not math>", "Costs $5 &lt;not math&gt;", "Costs $5 <not math>"),
    ("One $ sign", "One $ sign", "One $ sign"),
])
def test_mathtext_is_shown_as_it_reads(title, html, text):
    assert (title_html(title), title_text(title)) == (html, text)


def test_no_shipped_title_shows_a_dollar_or_a_backslash():
    for path in SCENES.glob("*.py"):
        title = anim.load(path).title
        for shown in (title_html(title), title_text(title)):
            assert not re.search(r"[$\\^_{}]", shown), (path.name, shown)


def test_the_preview_page_titles_with_it():
    text = page.document(r"Saddle point $w_1^2 - w_2^2$", "saddle", [], "light")
    assert "<title>Saddle point w₁² − w₂² - optianim</title>" in text
    assert "<h1>Saddle point w<sub>1</sub><sup>2</sup> − w<sub>2</sub><sup>2</sup></h1>" in text
