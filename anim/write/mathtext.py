"""A title's mathtext ($w_1^3 - 3 w_1 w_2^2$) as a web page shows it: HTML with sub- and
superscripts, or Unicode text for a page's <title>; the figures draw it with matplotlib."""

import html
import re

# The commands titles use, as the characters mathtext draws; another \name is shown as its name.
SYMBOLS = dict(zip(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi rho sigma "
    "tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Phi Psi Omega nabla partial "
    "infty cdot times pm mp leq le geq ge neq approx sim propto to rightarrow leftarrow in ell sum prod "
    "ldots cdots dots prime sqrt".split(),
    "αβγδϵεζηθϑικλμνξπρστυϕφχψωΓΔΘΛΞΠΣΦΨΩ∇∂∞·×±∓≤≤≥≥≠≈∼∝→→←∈ℓ∑∏………′√", strict=True))
SPACES = {",": "\u2009", ":": " ", ";": " ", " ": " ", "!": "", "quad": "  ", "qquad": "    "}
FONTS = {"mathrm", "mathbf", "mathit", "mathsf", "mathtt", "mathcal", "text", "textrm", "operatorname"}
# Spaced as TeX spaces them: a relation on both sides (after it only, first in a formula); a binary
# operator on both sides, but none first in a formula (a sign: -3); neither in a script (t+1).
RELATIONS = "=<>≤≥≠≈∼∝→←∈"
BINARY = "+−×·±∓"
SUPERSCRIPT = dict(zip("0123456789+−=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ"))
SUBSCRIPT = dict(zip("0123456789+−=()aeiojklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑᵢₒⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
_COMMAND = re.compile(r"\\([A-Za-z]+|.)")


def title_html(text):
    """The title as HTML: text escaped, each $...$ part with <sub> and <sup> and its symbols."""
    return "".join(html.escape(part) if math is None else _html(math) for part, math in _parts(text))


def title_text(text):
    """The title as plain text: sub- and superscripts as Unicode where it has them (w₁³), else _x and ^x."""
    return "".join(part if math is None else _text(math) for part, math in _parts(text))


def _parts(text):
    """(text, None) and ('', pieces of a $...$ part) in order; \\$ is a dollar sign."""
    pieces = re.split(r"(?<!\\)\$", text)
    if len(pieces) % 2 == 0:  # an unpaired $: no mathtext (matplotlib draws it as it is)
        return [(text.replace(r"\$", "$"), None)]
    return [(piece.replace(r"\$", "$"), None) if i % 2 == 0 else ("", _parse(piece)[0])
            for i, piece in enumerate(pieces)]


def _parse(math, i=0, closing=None, spaced=True):
    """Pieces of the math up to `closing`: strings, and ('sub' | 'sup', pieces); and where it
    stopped. Binary operators get space around them where `spaced` (not in a script)."""
    pieces = []
    while i < len(math) and math[i] != closing:
        char = math[i]
        if char == "\\":
            name = _command(math, i)
            i += len(name) + 1
            if name == "frac":
                numerator, i = _atom(math, i)
                denominator, i = _atom(math, i)
                pieces += [*numerator, "/", *denominator]
            elif name in SPACES:
                pieces.append(SPACES[name])
            elif name not in FONTS:  # a font command's group is read as it is
                pieces.append(_spaced(SYMBOLS.get(name, name), pieces, spaced))
        elif char in "^_":
            script, i = _atom(math, i + 1)
            pieces.append(("sup" if char == "^" else "sub", script))
        elif char == "{":
            group, i = _parse(math, i + 1, "}", spaced)
            pieces += group
            i += 1
        elif char == "}" or char.isspace():  # a stray brace; spaces, which math mode ignores
            i += 1
        else:
            pieces.append(_spaced("−" if char == "-" else char, pieces, spaced))
            i += 1
    return pieces, i


def _spaced(symbol, before, spaced):
    """The symbol with the space TeX puts around it after the pieces `before` (see RELATIONS)."""
    if not spaced or symbol not in RELATIONS + BINARY or (symbol in BINARY and not before):
        return symbol
    return f" {symbol} " if before else f"{symbol} "


def _atom(math, i):
    """A script's pieces: a {group}, a \\command or one character."""
    if i < len(math) and math[i] == "{":
        group, i = _parse(math, i + 1, "}", spaced=False)
        return group, i + 1
    if i < len(math) and math[i] == "\\":
        name = _command(math, i)
        return [SYMBOLS.get(name, name)], i + len(name) + 1
    return [math[i:i + 1]], i + 1


def _command(math, i):
    """The name of the command at math[i] (a backslash): 'alpha', ',', or '' for a last backslash."""
    found = _COMMAND.match(math, i)
    return found[1] if found else ""


def _html(pieces):
    return "".join(html.escape(p) if isinstance(p, str) else f"<{p[0]}>{_html(p[1])}</{p[0]}>" for p in pieces)


def _text(pieces):
    out = []
    for piece in pieces:
        if isinstance(piece, str):
            out.append(piece)
            continue
        kind, inner = piece
        inner = _text(inner).strip()
        table = SUPERSCRIPT if kind == "sup" else SUBSCRIPT
        if all(c in table for c in inner):
            out.append("".join(table[c] for c in inner))
        else:
            bracketed = len(inner) == 1 or (inner.startswith("(") and inner.endswith(")"))
            out.append(("^" if kind == "sup" else "_") + (inner if bracketed else f"({inner})"))
    return "".join(out)
