"""Path colours that every student can tell apart: colour-vision simulation, colour differences,
contrast, the rules the default palette (anim.declare.scene.PALETTE) meets, the head markers, and the notes a render prints about a scene's
own colours.

Models and rules, each from a published source:

- Colour-vision deficiencies are simulated with the matrices of Machado, Oliveira & Fernandes,
  "A Physiologically-based Model for Simulation of Color Vision Deficiency", IEEE TVCG 15(6),
  2009, at severity 1.0 (dichromacy: protanopia, deuteranopia, tritanopia), applied to linear
  sRGB.
- Colour differences are CIEDE2000 (CIE 142-2001; implemented as in Sharma, Wu & Dalal, "The
  CIEDE2000 color-difference formula: implementation notes, supplementary test data, and
  mathematical observations", Color Res. Appl. 30(1), 2005) between CIELAB colours (D65 white).
- Contrast is the WCAG 2 contrast ratio of relative luminances, (L1 + 0.05) / (L2 + 0.05); WCAG 2.1
  success criterion 1.4.11 asks 3:1 of graphical objects against what is next to them.

Only the frame transform (`simulate_frame`, `FrameSimulator`) uses numpy and only colour names
need matplotlib, each imported where used: `optianim --help` and scene files import this module
without either.
"""

import functools
import math
from dataclasses import dataclass

from anim.declare.scene import PALETTE
from anim.look import themes

DEFICIENCIES = ("deuteranopia", "protanopia", "tritanopia")
NORMAL = "normal vision"
VISIONS = (NORMAL,) + DEFICIENCIES

# Machado et al. (2009), severity 1.0, from the paper's supplementary table of matrices
# (www.inf.ufrgs.br/~oliveira/pubs_files/CVD_Simulation/CVD_Simulation.html): linear RGB in, linear RGB out.
MACHADO_2009 = {
    "protanopia": ((0.152286, 1.052583, -0.204868),
                   (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968),
                     (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779),
                   (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}

# The rules a drawn path colour is held to (see the module docstring for their sources):
MIN_DIFFERENCE = 12.0  # CIEDE2000 between any two optimizers' colours, in every vision of VISIONS
MIN_CONTRAST = 3.0     # against the theme's background (the figure's, the loss panel's, the dark legend's: 2.5)
MIN_MAP_CONTRAST = 2.0  # against each end of the colour map (where paths start, and where they end)
# The palette's CIEDE2000 from every colour of the map: in normal vision, and under a deficiency
# (a dichromat's colours span two dimensions, viridis' among them: 10 is what six colours leave).
MIN_MAP_DIFFERENCE = {NORMAL: 20.0, **{deficiency: 10.0 for deficiency in DEFICIENCIES}}
REPLACEMENT_CONTRAST = 4.5  # a colour that fails MIN_CONTRAST is drawn as its hue at this contrast

# sRGB (IEC 61966-2-1) linear RGB to CIE XYZ, D65 white.
_RGB_TO_XYZ = ((0.4124564, 0.3575761, 0.1804375),
               (0.2126729, 0.7151522, 0.0721750),
               (0.0193339, 0.1191920, 0.9503041))
_WHITE = tuple(sum(row) for row in _RGB_TO_XYZ)


# ---- colour arithmetic ------------------------------------------------------------------------

def rgb(color):
    """Any matplotlib colour as an (r, g, b) tuple of floats in [0, 1] (sRGB, encoded)."""
    from matplotlib import colors as mcolors

    return tuple(float(c) for c in mcolors.to_rgb(color))


def hex_of(rgb_triple):
    """'#rrggbb' of an encoded (r, g, b) in [0, 1]."""
    return "#" + "".join(f"{round(min(max(c, 0.0), 1.0) * 255):02x}" for c in rgb_triple)


def decoded(c):
    """An sRGB-encoded channel value in [0, 1] as linear light."""
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def encoded(c):
    """Linear light in [0, 1] as an sRGB-encoded channel value."""
    c = min(max(c, 0.0), 1.0)
    return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def _apply(matrix, vector):
    return tuple(sum(m * v for m, v in zip(row, vector)) for row in matrix)


def linear(color, vision=NORMAL):
    """The linear RGB of `color` as seen with `vision` (a deficiency of DEFICIENCIES, simulated)."""
    light = tuple(decoded(c) for c in rgb(color))
    if vision == NORMAL:
        return light
    return tuple(min(max(c, 0.0), 1.0) for c in _apply(MACHADO_2009[vision], light))


def simulate(color, deficiency):
    """'#rrggbb': `color` as someone with `deficiency` sees it."""
    return hex_of(tuple(encoded(c) for c in linear(color, deficiency)))


def luminance(color, vision=NORMAL):
    """Relative luminance (WCAG 2, the Y of CIE XYZ) of `color`."""
    return _apply(_RGB_TO_XYZ, linear(color, vision))[1]


def contrast(color, other):
    """The WCAG 2 contrast ratio of two colours: 1 (the same lightness) to 21 (black on white)."""
    a, b = luminance(color), luminance(other)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def lab(color, vision=NORMAL):
    """CIELAB (L*, a*, b*), D65 white, of `color` as seen with `vision`."""
    def f(t):
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    x, y, z = (v / w for v, w in zip(_apply(_RGB_TO_XYZ, linear(color, vision)), _WHITE))
    return (116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z)))


def ciede2000(lab1, lab2):
    """The CIEDE2000 colour difference of two CIELAB colours (kL = kC = kH = 1), after Sharma et
    al. (2005): about 1 is just noticeable side by side; more than 10 is a different colour."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean ** 7 / (c_mean ** 7 + 25.0 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dl, dc = l2 - l1, c2p - c1p
    if c1p * c2p == 0:
        dh = 0.0
    elif abs(h2p - h1p) <= 180:
        dh = h2p - h1p
    else:
        dh = h2p - h1p - 360 if h2p > h1p else h2p - h1p + 360
    dh_big = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    l_mean, cp_mean = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_mean = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_mean = (h1p + h2p) / 2
    else:
        h_mean = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(h_mean - 30)) + 0.24 * math.cos(math.radians(2 * h_mean))
         + 0.32 * math.cos(math.radians(3 * h_mean + 6)) - 0.20 * math.cos(math.radians(4 * h_mean - 63)))
    d_theta = 30 * math.exp(-(((h_mean - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(cp_mean ** 7 / (cp_mean ** 7 + 25.0 ** 7))
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / math.sqrt(20 + (l_mean - 50) ** 2)
    s_c = 1 + 0.045 * cp_mean
    s_h = 1 + 0.015 * cp_mean * t
    r_t = -math.sin(math.radians(2 * d_theta)) * r_c
    tl, tc, th = dl / s_l, dc / s_c, dh_big / s_h
    return math.sqrt(tl * tl + tc * tc + th * th + r_t * tc * th)


def difference(color, other, vision=NORMAL):
    """CIEDE2000 between two colours as seen with `vision`."""
    return ciede2000(lab(color, vision), lab(other, vision))


# ---- the markers, and what each optimizer is drawn with ---------------------------------------

# Head markers, in the order optimizers get them (matplotlib code, name, size factor): shapes that
# stay apart in a greyscale print, the most compact first (a small triangle is thin near its tip).
# The factor gives each the circle's area (the star, mostly points, is held to 1.4), so no shape
# looks heavier than another. The cross "X" marks where a run diverged or left the view: not here.
MARKERS = (("o", "circle", 1.0), ("s", "square", 0.89), ("D", "diamond", 0.89), ("^", "up triangle", 1.25),
           ("v", "down triangle", 1.25), ("*", "star", 1.4), ("<", "left triangle", 1.25),
           (">", "right triangle", 1.25), ("p", "pentagon", 1.15), ("h", "hexagon", 1.1))
MARKER_NAMES = {code: name for code, name, _ in MARKERS}
MARKER_SCALES = {code: scale for code, _, scale in MARKERS}


def marker_for(index):
    """The head marker of the scene's index-th optimizer."""
    return MARKERS[index % len(MARKERS)][0]


def backgrounds():
    """{theme: its background colour}, where the legend and the loss panel draw their lines."""
    return {theme: themes.background(theme) for theme in themes.THEMES}


def map_ends(colormap=None):
    """(the lowest colour, the highest colour) of the views' colour map, as '#rrggbb': the basin
    floor where runs end at a minimum, and the top of the walls."""
    import matplotlib

    cmap = matplotlib.colormaps[colormap or themes.COLORMAP]
    return hex_of(cmap(0.0)[:3]), hex_of(cmap(1.0)[:3])


def oklab(color):
    """OKLab (L, a, b) of `color` (Ottosson 2020): a lightness and hue that stay put where CIELAB's
    hue bends (a lighter CIELAB blue turns violet), so a colour's hue family is kept here."""
    l, m, s = (c ** (1 / 3) for c in _apply(_OKLAB_LMS, linear(color)))
    return _apply(_OKLAB_LAB, (l, m, s))


def _from_oklab(lightness, a, b):
    """The encoded sRGB of an OKLab colour, or None outside the sRGB gamut."""
    lms = tuple(c ** 3 for c in _apply(_OKLAB_LAB_INVERSE, (lightness, a, b)))
    light = _apply(_OKLAB_LMS_INVERSE, lms)
    if any(c < -1e-7 or c > 1 + 1e-7 for c in light):
        return None
    return tuple(encoded(c) for c in light)


_OKLAB_LMS = ((0.4122214708, 0.5363325363, 0.0514459929),
              (0.2119034982, 0.6806995451, 0.1073969566),
              (0.0883024619, 0.2817188376, 0.6299787005))
_OKLAB_LAB = ((0.2104542553, 0.7936177850, -0.0040720468),
              (1.9779984951, -2.4285922050, 0.4505937099),
              (0.0259040371, 0.7827717662, -0.8086757660))
_OKLAB_LAB_INVERSE = ((1.0, 0.3963377774, 0.2158037573),
                      (1.0, -0.1055613458, -0.0638541728),
                      (1.0, -0.0894841775, -1.2914855480))
_OKLAB_LMS_INVERSE = ((4.0767416621, -3.3077115913, 0.2309699292),
                      (-1.2684380046, 2.6097574011, -0.3413193965),
                      (-0.0041960863, -0.7034186147, 1.7076147010))


def _at_lightness(color, lightness):
    """`color` at OKLab lightness `lightness`: its hue, and as much of its chroma as sRGB holds."""
    _, a, b = oklab(color)
    chroma, hue = math.hypot(a, b), math.atan2(b, a)
    low, high = 0.0, chroma
    for _ in range(30):
        middle = (low + high) / 2
        if _from_oklab(lightness, middle * math.cos(hue), middle * math.sin(hue)) is None:
            high = middle
        else:
            low = middle
    return hex_of(_from_oklab(lightness, low * math.cos(hue), low * math.sin(hue)))


def visible(color, background, others=()):
    """`color` if its contrast against `background` is at least MIN_CONTRAST; else the nearest
    colour of its hue family (its OKLab hue, as much of its chroma as sRGB holds), lighter on a
    dark background or darker on a light one, with a contrast of REPLACEMENT_CONTRAST or more
    against it and MIN_MAP_CONTRAST against both ends of the colour map, that differs by
    MIN_DIFFERENCE from each of `others` in every vision (failing that, the one that differs
    most), as '#rrggbb'."""
    if contrast(color, background) >= MIN_CONTRAST:
        return color
    ends = map_ends()
    start = oklab(color)[0]
    end = 1.0 if luminance(background) < 0.5 else 0.0
    best, best_distance = None, -1.0
    for k in range(101):
        candidate = _at_lightness(color, start + (end - start) * k / 100)
        if (contrast(candidate, background) < REPLACEMENT_CONTRAST
                or min(contrast(candidate, e) for e in ends) < MIN_MAP_CONTRAST):
            if best is not None:
                break  # lighter (or darker) still would only come closer to the map's far end
            continue
        distance = min((difference(candidate, other, vision) for other in others for vision in VISIONS),
                       default=math.inf)
        if distance >= MIN_DIFFERENCE:
            return candidate
        if distance > best_distance:
            best, best_distance = candidate, distance
    return best if best is not None else candidate


@dataclass(frozen=True)
class Look:
    """How an optimizer is drawn on a theme: its colour as the scene gives it (`color`; from
    PALETTE when the scene names none), the colour drawn (`drawn`: `color`, or a visible one of
    its hue family where `color` would vanish on the theme's background), and its head marker."""

    label: str
    color: str
    drawn: str
    marker: str
    default: bool  # the colour is the palette's, not the scene's choice


def looks(optimizers, theme):
    """The Look of each of the scene's optimizers (in order) on `theme`. A colour that would
    vanish is replaced (see `visible`) by one that stays apart from the colours kept and from the
    replacements before it."""
    return list(_looks(tuple((o.label, o.color) for o in optimizers), theme))


@functools.lru_cache(maxsize=32)
def _looks(optimizers, theme):
    optimizers = [_Declared(label, color) for label, color in optimizers]
    background = backgrounds()[theme]
    palette = {c.lower() for c in PALETTE}
    kept = [o.color for o in optimizers if contrast(o.color, background) >= MIN_CONTRAST]
    replaced = {}  # one replacement per colour: optimizers that share a colour keep sharing it
    for o in optimizers:
        if o.color not in kept and o.color not in replaced:
            replaced[o.color] = visible(o.color, background, kept + list(replaced.values()))
    return tuple(Look(o.label, o.color, replaced.get(o.color, o.color), marker_for(i), o.color.lower() in palette)
                 for i, o in enumerate(optimizers))


@dataclass(frozen=True)
class _Declared:
    label: str
    color: str


def dressed(runs, optimizer_looks):
    """The runs, each with its optimizer's drawn colour and marker."""
    import dataclasses

    by_label = {look.label: look for look in optimizer_looks}
    return [dataclasses.replace(run, color=by_label[run.label].drawn, marker=by_label[run.label].marker)
            if run.label in by_label else run for run in runs]


def _named(look):
    return look.color if look.drawn == look.color else f"{look.color}, drawn {look.drawn}"


def _and(items):
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _markers(group):
    return f"their markers ({', '.join(MARKER_NAMES[look.marker] for look in group)}) tell them apart"


def notes(optimizer_looks, theme):
    """One line each, about the colours a scene chose: a colour replaced because it would vanish
    on the theme's background; colours that stand out from an end of the colour map by their halos
    alone; optimizers sharing a colour; and each pair whose colours look alike (CIEDE2000 below
    MIN_DIFFERENCE) in normal vision or under a simulated deficiency, with the deficiencies named."""
    background = backgrounds()[theme]
    lines = []
    for look in optimizer_looks:
        if look.drawn != look.color and not look.default:
            lines.append(f"{look.label}'s {look.color} would vanish on the {theme} background (contrast "
                         f"{contrast(look.color, background):.1f}:1, below {MIN_CONTRAST:g}:1): drawn as {look.drawn}")
    for end, where in zip(map_ends(), ("dark end", "bright end")):
        faint = [(look, contrast(look.drawn, end)) for look in optimizer_looks
                 if not look.default and contrast(look.drawn, end) < MIN_MAP_CONTRAST]
        if faint:
            place = "where runs reach a minimum" if where == "dark end" else "the highest loss"
            lines.append(f"on the colour map's {where} ({end}, {place}) "
                         f"{_and(f'{look.label} ({_named(look)})' for look, _ in faint)} "
                         f"{'shows' if len(faint) == 1 else 'show'} only by {'its halo' if len(faint) == 1 else 'their halos'} "
                         f"(contrast {_and(f'{c:.1f}:1' for _, c in faint)}, below {MIN_MAP_CONTRAST:g}:1)")
    shared = {}
    for look in optimizer_looks:
        shared.setdefault(rgb(look.drawn), []).append(look)
    for group in shared.values():
        if len(group) > 1:
            lines.append(f"{_and(look.label for look in group)} share the colour {_named(group[0])}; {_markers(group)}")
    distinct = [group[0] for group in shared.values()]
    for i, first in enumerate(distinct):
        for second in distinct[i + 1:]:
            alike = [(vision, difference(first.drawn, second.drawn, vision)) for vision in VISIONS]
            alike = [(vision, d) for vision, d in alike if d < MIN_DIFFERENCE]
            if not alike:
                continue
            visions = [vision for vision, _ in alike]
            seen = ("in normal vision" + (" and under " + _and(visions[1:]) if len(visions) > 1 else "")
                    if visions[0] == NORMAL else "under " + _and(visions))
            lines.append(f"{first.label} ({_named(first)}) and {second.label} ({_named(second)}) look alike {seen} "
                         f"(CIEDE2000 {_and(f'{d:.1f}' for _, d in alike)}, below {MIN_DIFFERENCE:g}); "
                         f"{_markers((first, second))}")
    return lines


# ---- what students with a colour-vision deficiency see: the frame transform --------------------

_TABLE_BINS = 4096  # bins of linear light: narrower than the gap between any two 8-bit levels' midpoints
_tables = {}


def _frame_tables(deficiency):
    """(terms, level, boundary): terms[c][i][k] is the matrix's entry (c, i) times the linear light
    of 8-bit level k, so output channel c is the sum over i; level[b] is the 8-bit level the start
    of linear-light bin b encodes to; boundary[k] is the linear light from which level k + 1 is
    nearer than k. A value v in bin b then encodes to level[b] + (v >= boundary[level[b]]):
    exactly round(encoded(v) * 255), the bins being narrower than the gaps between boundaries."""
    import numpy as np

    if deficiency not in _tables:
        light = np.array([decoded(k / 255) for k in range(256)])
        matrix = MACHADO_2009[deficiency]
        terms = [[(matrix[c][i] * light).astype(np.float32) for i in range(3)] for c in range(3)]
        boundary = np.array([_linear_of((k + 0.5) / 255) for k in range(255)] + [np.inf], dtype=np.float32)
        starts = np.arange(_TABLE_BINS, dtype=np.float32) / _TABLE_BINS
        level = np.searchsorted(boundary, starts, side="right").astype(np.uint8)
        _tables[deficiency] = (terms, level, boundary)
    return _tables[deficiency]


def _linear_of(value):
    """The inverse of `encoded`: the linear light that encodes to `value` (not clipped)."""
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def simulate_frame(rgba, deficiency):
    """A new (h, w, 4) uint8 RGBA frame: `rgba` as someone with `deficiency` sees it. Each pixel's
    sRGB is decoded to linear light, multiplied by Machado et al.'s matrix, clipped to [0, 1] and
    encoded to the nearest 8-bit sRGB level (what `simulate` gives for one colour); alpha is kept."""
    import numpy as np

    terms, level, boundary = _frame_tables(deficiency)
    channels = [np.ascontiguousarray(rgba[..., i]) for i in range(3)]
    out = np.empty_like(rgba)
    for c in range(3):
        light = terms[c][0][channels[0]]
        light += terms[c][1][channels[1]]
        light += terms[c][2][channels[2]]
        np.clip(light, 0.0, 1.0, out=light)
        levels = level[np.minimum((light * _TABLE_BINS).astype(np.intp), _TABLE_BINS - 1)]
        out[..., c] = levels + (light >= boundary[levels])
    out[..., 3] = rgba[..., 3]
    return out


class FrameSimulator:
    """`simulate_frame` for the frames of one view, one after another: only the pixels that changed
    since the frame before are transformed again (on a contour view, the paths' few), the others
    are the previous result's; each frame returned is a new array, as `simulate_frame` gives it."""

    def __init__(self, deficiency):
        self.deficiency = deficiency
        self.last = self.seen = None

    def __call__(self, rgba):
        import numpy as np

        rgba = np.ascontiguousarray(rgba)
        if self.last is None or self.last.shape != rgba.shape:
            seen = simulate_frame(rgba, self.deficiency)
        else:
            changed = rgba.view(np.uint32)[..., 0] != self.last.view(np.uint32)[..., 0]
            seen = self.seen.copy()
            seen[changed] = simulate_frame(rgba[changed][None], self.deficiency)[0]
        self.last, self.seen = rgba.copy(), seen
        return seen.copy()
