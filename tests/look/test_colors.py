"""Colours every student can tell apart: the colour science against published reference values,
the default palette against its rules, colours that would vanish on a theme, a head marker per
optimizer in every view, the notes about a scene's own colours, and the colour-vision preview's
pixels against Machado et al.'s matrix."""

import dataclasses
import itertools
import math
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from conftest import SCENES

from anim.compute import window
from anim.declare.scene import Optimizer, Scene
from anim.drive import pipeline
from anim.drive.settings import Settings
from anim.drive.timeline import timeline
from anim.look import colors, style, themes
from anim.look.colors import DEFICIENCIES, MIN_CONTRAST, MIN_DIFFERENCE, PALETTE, VISIONS
from anim.look.views import view_class, view_data

# ---- the colour science ------------------------------------------------------------------------

# Sharma, Wu & Dalal (2005), Table 1: every pair of the CIEDE2000 test data, (L*, a*, b*) twice and
# the published difference to four decimals.
SHARMA_2005 = [
    ((50.0000, 2.6772, -79.7751), (50.0000, 0.0000, -82.7485), 2.0425),
    ((50.0000, 3.1571, -77.2803), (50.0000, 0.0000, -82.7485), 2.8615),
    ((50.0000, 2.8361, -74.0200), (50.0000, 0.0000, -82.7485), 3.4412),
    ((50.0000, -1.3802, -84.2814), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, -1.1848, -84.8006), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, -0.9009, -85.5211), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, 0.0000, 0.0000), (50.0000, -1.0000, 2.0000), 2.3669),
    ((50.0000, -1.0000, 2.0000), (50.0000, 0.0000, 0.0000), 2.3669),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0009), 7.1792),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0010), 7.1792),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0011), 7.2195),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0012), 7.2195),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0009, -2.4900), 4.8045),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0010, -2.4900), 4.8045),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0011, -2.4900), 4.7461),
    ((50.0000, 2.5000, 0.0000), (50.0000, 0.0000, -2.5000), 4.3065),
    ((50.0000, 2.5000, 0.0000), (73.0000, 25.0000, -18.0000), 27.1492),
    ((50.0000, 2.5000, 0.0000), (61.0000, -5.0000, 29.0000), 22.8977),
    ((50.0000, 2.5000, 0.0000), (56.0000, -27.0000, -3.0000), 31.9030),
    ((50.0000, 2.5000, 0.0000), (58.0000, 24.0000, 15.0000), 19.4535),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.1736, 0.5854), 1.0000),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.2972, 0.0000), 1.0000),
    ((50.0000, 2.5000, 0.0000), (50.0000, 1.8634, 0.5757), 1.0000),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.2592, 0.3350), 1.0000),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((63.0109, -31.0961, -5.8663), (62.8187, -29.7946, -4.0864), 1.2630),
    ((61.2901, 3.7196, -5.3901), (61.4292, 2.2480, -4.9620), 1.8731),
    ((35.0831, -44.1164, 3.7933), (35.0232, -40.0716, 1.5901), 1.8645),
    ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373),
    ((36.4612, 47.8580, 18.3852), (36.2715, 50.5065, 21.2231), 1.4146),
    ((90.8027, -2.0831, 1.4410), (91.1528, -1.6435, 0.0447), 1.4441),
    ((90.9257, -0.5406, -0.9208), (88.6381, -0.8985, -0.7239), 1.5381),
    ((6.7747, -0.2908, -2.4247), (5.8714, -0.0985, -2.2286), 0.6377),
    ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
]


@pytest.mark.parametrize("lab1, lab2, published", SHARMA_2005)
def test_ciede2000_gives_sharmas_published_differences(lab1, lab2, published):
    assert round(colors.ciede2000(lab1, lab2), 4) == published
    assert round(colors.ciede2000(lab2, lab1), 4) == published  # symmetric


def test_cielab_and_contrast_give_the_standard_values():
    # sRGB red, green, blue and white in CIELAB (D65), to the second decimal of the usual tables.
    for color, expected in (("#ff0000", (53.24, 80.09, 67.20)), ("#00ff00", (87.73, -86.18, 83.18)),
                            ("#0000ff", (32.30, 79.19, -107.86)), ("#ffffff", (100.0, 0.0, 0.0))):
        assert colors.lab(color) == pytest.approx(expected, abs=0.02)
    assert colors.contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert colors.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # WCAG's own example


@pytest.mark.parametrize("deficiency", DEFICIENCIES)
def test_machado_matrices_keep_greys_and_lose_what_each_deficiency_loses(deficiency):
    matrix = np.array(colors.MACHADO_2009[deficiency])
    np.testing.assert_allclose(matrix.sum(axis=1), 1.0, atol=2e-6)  # white and every grey stay as they are
    for grey in ("#000000", "#404040", "#808080", "#ffffff"):
        assert colors.simulate(grey, deficiency) == grey
    # What the deficiency cannot see: red and green (the red-green deficiencies), blue and green
    # of equal lightness (tritanopia) fall together.
    pair = ("#d62728", "#2ca02c") if deficiency != "tritanopia" else ("#1f77b4", "#2ca02c")
    assert colors.difference(*pair) > 40
    assert colors.difference(*pair, deficiency) < colors.difference(*pair) / 2


# ---- the default palette -------------------------------------------------------------------------

def viridis(samples=256):
    cmap = matplotlib.colormaps["viridis"]
    return [colors.hex_of(cmap(i / (samples - 1))[:3]) for i in range(samples)]


BACKGROUNDS = [themes.background(theme) for theme in themes.THEMES]  # #ffffff, #15171c


@pytest.mark.parametrize("vision", VISIONS)
def test_default_palette_colours_differ_from_each_other_the_backgrounds_and_viridis_ends(vision):
    """CIEDE2000 >= 12 between every two palette colours, and from both theme backgrounds and
    both ends of viridis, in normal vision and under each simulated deficiency."""
    pairs = {(a, b): colors.difference(a, b, vision) for a, b in itertools.combinations(PALETTE, 2)}
    closest = min(pairs, key=pairs.get)
    assert pairs[closest] >= MIN_DIFFERENCE, (vision, closest, pairs[closest])
    ends = colors.map_ends()
    assert ends == ("#440154", "#fde725")
    for color in PALETTE:
        for other in BACKGROUNDS + list(ends):
            assert colors.difference(color, other, vision) >= MIN_DIFFERENCE, (vision, color, other)


@pytest.mark.parametrize("vision", VISIONS)
def test_default_palette_colours_stand_apart_from_every_colour_of_viridis(vision):
    """A path is a thin line over the colour map: its colour must not be one of the map's."""
    floor = colors.MIN_MAP_DIFFERENCE[vision]
    for color in PALETTE:
        nearest = min(viridis(), key=lambda m: colors.difference(color, m, vision))
        assert colors.difference(color, nearest, vision) >= floor, (vision, color, nearest)


def test_default_palette_contrast_on_both_themes_and_both_ends_of_the_map():
    for color in PALETTE:
        for background in BACKGROUNDS:
            assert colors.contrast(color, background) >= MIN_CONTRAST, (color, background)
        for end in colors.map_ends():
            assert colors.contrast(color, end) >= colors.MIN_MAP_CONTRAST, (color, end)
        for theme in themes.THEMES:  # so it is drawn as it is, on either theme
            assert colors.visible(color, themes.background(theme)) == color


def test_the_palette_is_what_optimizers_without_a_colour_get():
    scene = Scene(name="s", surface=lambda a, b: a * a + b * b,
                  optimizers=[Optimizer(f"o{i}", object, lr=1) for i in range(8)])
    assert [o.color for o in scene.optimizers] == list(PALETTE) + list(PALETTE[:2])
    assert [look.marker for look in colors.looks(scene.optimizers, "light")] == [m for m, _, _ in colors.MARKERS[:8]]


# ---- colours that would vanish on a theme --------------------------------------------------------

AWKWARD = ["black", "snow", "white", "darkred", "navy", "darkgreen", "blue", "yellow", "#303030", "#e0e0e0"]


@pytest.mark.parametrize("theme", list(themes.THEMES))
def test_every_drawn_colour_has_a_contrast_of_3_to_1_against_its_theme(theme):
    """Whatever colour a scene names, what is drawn has a WCAG contrast of at least 3:1 against
    the theme's background (WCAG 2.1, 1.4.11): 4.5:1 where a colour had to be replaced."""
    background = themes.background(theme)
    scene = Scene(name="s", surface=lambda a, b: a * a + b * b,
                  optimizers=[Optimizer(c, object, lr=1, color=c) for c in AWKWARD])
    for look in colors.looks(scene.optimizers, theme):
        assert colors.contrast(look.drawn, background) >= MIN_CONTRAST, look
        if look.drawn != look.color:
            assert colors.contrast(look.drawn, background) >= colors.REPLACEMENT_CONTRAST, look
            assert colors.contrast(look.color, background) < MIN_CONTRAST, look


def test_a_colour_that_would_vanish_becomes_one_of_its_hue_family():
    dark, light = themes.background("dark"), themes.background("light")
    grey = colors.visible("black", dark)  # black on the dark theme: a grey, lighter
    assert colors.lab(grey)[1:] == pytest.approx((0, 0), abs=0.5) and colors.luminance(grey) > colors.luminance(dark)
    snow = colors.visible("snow", light)  # snow on white: darker
    assert colors.luminance(snow) < colors.luminance("snow") and colors.contrast(snow, light) >= 4.5
    for color in ("darkred", "navy", "darkgreen"):  # lighter on dark, with the same OKLab hue
        shown = colors.visible(color, dark)
        _, a0, b0 = colors.oklab(color)
        _, a1, b1 = colors.oklab(shown)
        turn = math.degrees(math.atan2(b1, a1) - math.atan2(b0, a0))
        assert abs((turn + 180) % 360 - 180) < 3, (color, shown)
        assert colors.luminance(shown) > colors.luminance(color)
    assert colors.visible("red", dark) == "red" and colors.visible("red", light) == "red"


def test_optimizers_sharing_a_colour_keep_sharing_it_when_it_is_replaced():
    scene = Scene(name="s", surface=lambda a, b: a * a + b * b,
                  optimizers=[Optimizer("SGD", object, lr=[0.1, 0.2, 0.3], color="black")])
    drawn = {look.drawn for look in colors.looks(scene.optimizers, "dark")}
    assert len(drawn) == 1 and drawn != {"black"}


@pytest.fixture(scope="module")
def lecture():
    return pipeline.prepare(SCENES / "pathological.py")


def built(prepared, name, theme="light", width=640, height=360):
    settings = Settings(views=(name,), width=width, height=height, theme=theme)
    data = view_data(prepared.scene, prepared.runs, window.view_window(prepared.scene, prepared.runs), name, settings)
    view = view_class(name)(data, width, height)
    line = timeline(prepared.scene, settings)
    view.frame(line.frame(len(line) - 1))
    return view


@pytest.mark.parametrize("theme", list(themes.THEMES))
def test_the_legend_and_loss_curves_of_the_lecture_are_drawn_3_to_1_against_the_theme(lecture, theme):
    """Read from the figure: the colour of every legend line and every loss curve of the dashboard
    (drawn on the theme's background, without a halo)."""
    view = built(lecture, "dashboard", theme, 1280, 720)
    background = themes.background(theme)
    lines = view.fig.legends[0].legend_handles + [line for line in view.loss.ax.lines if line.get_xdata().size]
    assert len(lines) == 6 + 6 + 6  # legend entries, curves, heads
    for line in lines:
        assert colors.contrast(line.get_color(), background) >= MIN_CONTRAST, (theme, line.get_color())
    assert not any(line.get_linewidth() > style.PATH_WIDTH for line in view.loss.ax.lines)  # no halo


# ---- a head marker per optimizer, in every view ----------------------------------------------------

LECTURE_MARKERS = ["o", "s", "D", "^", "v", "*"]


@pytest.mark.parametrize("name", ["contour", "surface", "dashboard"])
def test_each_optimizer_has_its_own_marker_in_the_rendered_legend(lecture, name):
    view = built(lecture, name)
    legend = view.fig.legends[0] if view.fig.legends else view.legend  # the contour view's is in its axes
    entries = [(handle.get_marker(), text.get_text()) for handle, text in zip(legend.legend_handles, legend.get_texts())
               if text.get_text() not in ("minimum", "minima", "lowest on grid")]  # the star's entry
    labels = [text.split("  ")[0].split("\n")[0] for _, text in entries]  # the label, before its settings
    markers = [marker for marker, _ in entries]
    assert labels == [o.label for o in lecture.scene.optimizers]
    assert markers == LECTURE_MARKERS and len(set(markers)) == 6


def test_heads_carry_their_optimizers_marker_in_every_panel(lecture):
    view = built(lecture, "dashboard", width=1280, height=720)
    # The contour panel's heads: a scatter whose points each have their run's shape.
    heads = view.contour.heads
    expected = [style.marker_path(m) for m in LECTURE_MARKERS]
    drawn = heads.get_paths()
    assert len(drawn) == 6
    for path, want in zip(drawn, expected):
        np.testing.assert_allclose(path.vertices, want.vertices)
    # The 3-D heads, stamped per optimizer (its marker for heads, a cross for ends), and the loss panel's heads.
    stamped = [(marker, face) for points, marker, size, face, edge, width in view.surface.markers.stamps
               if marker != "X"]
    assert [marker for marker, _ in stamped] == LECTURE_MARKERS
    assert [face for _, face in stamped] == [run.color for run in view.surface.runs]
    assert [line.get_marker() for line in view.loss.heads] == LECTURE_MARKERS


# ---- the notes about a scene's own colours ---------------------------------------------------------

def test_the_lecture_scene_is_told_which_pairs_look_alike_and_to_whom(lecture):
    notes = colors.notes(colors.looks(lecture.scene.optimizers, "light"), "light")
    assert ("SGD (red) and RMSprop (darkgreen) look alike under protanopia (CIEDE2000 2.2, below 12); "
            "their markers (circle, down triangle) tell them apart") in notes
    assert ("Nesterov (darkred) and RMSprop (darkgreen) look alike under deuteranopia (CIEDE2000 2.5, below 12); "
            "their markers (diamond, down triangle) tell them apart") in notes
    assert [n for n in notes if "look alike" in n] == notes[-2:]  # no other pair
    assert notes[0] == ("Adagrad's snow would vanish on the light background (contrast 1.0:1, below 3:1): "
                        "drawn as #797474")


def test_the_lecture_on_the_dark_theme_is_drawn_in_visible_colours_and_says_so(lecture):
    looks = colors.looks(lecture.scene.optimizers, "dark")
    assert [look.color for look in looks] == ["red", "blue", "darkred", "snow", "darkgreen", "black"]
    assert [look.drawn for look in looks] == ["red", "#4078ff", "#fe7a69", "snow", "#3f923a", "#808080"]
    notes = colors.notes(looks, "dark")
    assert "Adam's black would vanish on the dark background (contrast 1.2:1, below 3:1): drawn as #808080" in notes
    # Adam and Adagrad (issue 12: they looked the same) are now far apart, to everyone.
    assert min(colors.difference("#808080", "snow", vision) for vision in VISIONS) > 30


def test_default_colours_get_no_notes():
    scene = Scene(name="s", surface=lambda a, b: a * a + b * b,
                  optimizers=[Optimizer(f"o{i}", object, lr=1) for i in range(6)])
    for theme in themes.THEMES:
        assert colors.notes(colors.looks(scene.optimizers, theme), theme) == []


def test_a_shared_colour_is_one_note():
    scene = Scene(name="s", surface=lambda a, b: a * a + b * b,
                  optimizers=[Optimizer("SGD", object, lr=[0.1, 0.2], color="red")])
    assert colors.notes(colors.looks(scene.optimizers, "light"), "light") == [
        "SGD lr=0.1 and SGD lr=0.2 share the colour red; their markers (circle, square) tell them apart"]


# ---- what students with a deficiency see -----------------------------------------------------------

def machado(rgb8, deficiency):
    """An 8-bit sRGB colour through Machado et al.'s matrix, computed here from the standard's
    formulas in float64: decode, multiply in linear light, clip, encode, round to 8 bits."""
    c = np.asarray(rgb8, dtype=float) / 255
    light = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    light = np.clip(np.array(colors.MACHADO_2009[deficiency]) @ light, 0, 1)
    encoded = np.where(light <= 0.0031308, 12.92 * light, 1.055 * light ** (1 / 2.4) - 0.055)
    return np.floor(encoded * 255 + 0.5).astype(int)


@pytest.mark.parametrize("deficiency", DEFICIENCIES)
def test_the_frame_transform_is_the_matrix_on_flat_colours(deficiency):
    known = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (68, 1, 84), (253, 231, 37), (33, 145, 140), (156, 0, 255),
             (128, 128, 128), (255, 255, 255), (0, 0, 0), (200, 80, 30)]
    frame = np.zeros((len(known) * 4, 6, 4), np.uint8)
    for i, rgb8 in enumerate(known):
        frame[4 * i:4 * i + 4, :, :3] = rgb8
        frame[4 * i:4 * i + 4, :, 3] = 25 * i  # alpha is kept as it is
    seen = colors.simulate_frame(frame, deficiency)
    for i, rgb8 in enumerate(known):
        block = seen[4 * i:4 * i + 4]
        assert (block[..., :3] == machado(rgb8, deficiency)).all(), (rgb8, block[0, 0])
        assert (block[..., 3] == 25 * i).all()
        assert colors.simulate(colors.hex_of(np.array(rgb8) / 255), deficiency) == colors.hex_of(block[0, 0, :3] / 255)


def test_the_frame_transform_rounds_like_the_formula_on_every_8_bit_level():
    """Each channel level alone, and random colours: at most one level off, where float32 and the
    float64 formula fall on two sides of a rounding midpoint (a few pixels in a million)."""
    rng = np.random.default_rng(0)
    levels = np.arange(256, dtype=np.uint8)
    pixels = np.concatenate([np.stack([levels, levels * 0, levels * 0], -1), np.stack([levels * 0, levels, levels * 0], -1),
                             np.stack([levels * 0, levels * 0, levels], -1), rng.integers(0, 256, (20000, 3))]).astype(np.uint8)
    frame = np.concatenate([pixels, np.full((len(pixels), 1), 255, np.uint8)], -1)[None]
    for deficiency in DEFICIENCIES:
        seen = colors.simulate_frame(frame, deficiency)[0, :, :3].astype(int)
        expected = np.array([machado(p, deficiency) for p in pixels])
        off = np.abs(seen - expected)
        assert off.max() <= 1 and (off > 0).mean() < 1e-3, deficiency
        assert (off[:768] == 0).all()  # the primaries' levels exactly


@pytest.mark.parametrize("name", ["contour", "dashboard"])
def test_the_preview_view_draws_the_same_frames_through_the_matrix(lecture, name):
    """Frame after frame (forwards, backwards, a jump: the preview transforms again only the pixels
    that changed), each is exactly the normal frame through the matrix."""
    settings = Settings(views=(name,), width=640, height=360)
    frame_window = window.view_window(lecture.scene, lecture.runs)
    normal = view_class(name)(view_data(lecture.scene, lecture.runs, frame_window, name, settings), 640, 360)
    preview = dataclasses.replace(settings, cvd_preview="deuteranopia")
    seen = view_class(name)(view_data(lecture.scene, lecture.runs, frame_window, name, preview), 640, 360)
    line = timeline(lecture.scene, settings)
    for index in (0, 1, 2, 60, len(line) - 1, 30, 31):
        f = line.frame(index)
        expected = colors.simulate_frame(np.array(normal.frame(f)), "deuteranopia")
        np.testing.assert_array_equal(seen.frame(f), expected, err_msg=f"frame {index}")


def test_the_colour_science_imports_nothing_heavy():
    import subprocess
    import sys

    code = "import sys, anim.look.colors, anim.declare.scene; print(sorted(m for m in ('numpy', 'matplotlib') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parents[2])
    assert result.stdout.strip() == "[]"


def test_a_transparent_preview_is_laid_on_the_simulated_background(tiny_scene, tmp_path, monkeypatch):
    """MP4 and GIF have no alpha: a --transparent render lays its frames on the theme's
    background, which under a preview is what the deficiency sees of it."""
    import anim
    from anim.write import encode

    shapes = []
    real = encode.Shape
    monkeypatch.setattr(encode, "Shape", lambda *fields: shapes.append(real(*fields)) or shapes[-1])
    anim.render(tiny_scene, tmp_path, views=["contour"], formats=["mp4"], size=(160, 96), theme="dark",
                transparent=True, cvd_preview="tritanopia")
    assert [shape.background for shape in shapes] == ["#131819"]  # #15171c as tritanopia sees it
