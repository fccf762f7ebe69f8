"""The look: legends, colour scales, themes, and frames untouched by the scene file's own matplotlib style."""

import numpy as np
import probe
from PIL import Image


def test_legend_says_where_runs_diverged_or_left_the_view():
    import numpy as np

    from anim.compute.trajectory import Run
    from anim.look.style import legend_label

    def run(diverged=None, left=None):
        return Run("SGD", "red", 0, np.zeros((9, 3), np.float32), diverged, left)

    assert legend_label("SGD", [run()]) == "SGD"
    assert legend_label("SGD", [run(diverged=7)]) == "SGD\n(diverged at step 7)"
    assert legend_label("SGD", [run(left=3)]) == "SGD\n(left the view at step 3)"
    assert legend_label("SGD", [run(2), run(1), run()]) == "SGD\n(2 of 3 runs diverged)"
    assert legend_label("SGD", [run(2), run(left=4)]) == "SGD\n(1 of 2 runs diverged, 1 of 2 left the view)"
    # A run that leaves the view and diverges later is drawn up to where it left: so says the legend.
    assert legend_label("SGD", [run(diverged=68, left=57)]) == "SGD\n(left the view at step 57)"
    assert legend_label("SGD", [run(diverged=5, left=7)]) == "SGD\n(diverged at step 5)"


def test_a_log_color_scale_spaces_levels_and_colours_by_decades_above_the_minimum():
    import numpy as np

    from anim.compute.window import Mesh
    from anim.look.style import surface_colors

    z = np.array([[2.0, 3.0], [10.0, 10002.0]])  # minimum 2, span 10^4
    levels, norm = surface_colors(Mesh(np.arange(2.0), np.arange(2.0), z), "log")
    assert levels[0] == 2.0 and levels[-1] == 10002.0
    np.testing.assert_allclose(levels[1:] - 2, np.geomspace(1.0, 1e4, 24))  # first level 10^-4 of the span up
    # colours: the minimum darkest, the maximum brightest, each decade an equal share between
    np.testing.assert_allclose(norm([2.0, 10002.0]), [0, 1], atol=1e-12)
    np.testing.assert_allclose(norm([2 + 10 - 1, 2 + 1000 - 1]), [0.25, 0.75], atol=1e-4)
    levels, norm = surface_colors(Mesh(np.arange(2.0), np.arange(2.0), z), "linear")
    assert norm(6002.0) == 0.6 and np.allclose(np.diff(levels), levels[1] - levels[0])


def test_dark_theme_frames_are_dark_and_opaque_by_default(tmp_path, tiny_scene, render):
    rendered = render(tiny_scene, tmp_path, "--theme", "dark", "--size", "320x180",
                      "--view", "surface", "--format", "png", "--format", "webm")
    folder, records = rendered.folder, rendered.records
    with Image.open(folder / "surface.png") as image:
        assert image.mode == "RGB"
        corner = np.asarray(image)[2, 2]
    np.testing.assert_array_equal(corner, [0x15, 0x17, 0x1C])
    assert records["surface.webm"]["pix_fmt"] == "yuv420p" and not probe.alpha_mode(folder / "surface.webm")
    assert probe.decoded_frames(folder / "surface.webm") == records["surface.webm"]["frames"]


def test_frames_ignore_the_scene_files_matplotlib_style(tmp_path, scene_file, render, null_encoder):
    """Drawn here, where the scene file ran, or in worker processes, where it never did: the same pixels."""
    path = scene_file("""
        import matplotlib.pyplot as plt
        import torch
        from anim import Scene, Optimizer
        plt.style.use("dark_background")
        plt.rcParams["lines.linewidth"] = 9
        scene = Scene(name="styled", surface=lambda a, b: a * a + b * b, init=(1, 1), steps=6,
                      x_range=(-2, 2), y_range=(-2, 2), optimizers=[Optimizer("SGD", torch.optim.SGD, lr=0.1)])
    """)
    for jobs in ("1", "2"):
        render(path, tmp_path / jobs, "--view", "surface", "--format", "mp4", "--size", "160x96", "--jobs", jobs)
    here, in_workers = null_encoder
    assert here.frames == in_workers.frames > 0 and set(here.shapes) == {(96, 160, 4)}
    assert here.digests == in_workers.digests


def _grid_runs(labels, side):
    """Runs of each label from the same side x side grid of starts over [-1, 1]^2, in run order."""
    from anim.compute.trajectory import Run

    axis = np.linspace(-1, 1, side)
    starts = [(x, y) for y in axis for x in axis]
    return [Run(label, "red", k, np.array([[x, y, 0.0]] * 2, np.float32))
            for label in labels for k, (x, y) in enumerate(starts)]


def test_a_swarm_draws_bold_the_same_few_spread_out_starts_for_every_optimizer():
    from anim.look import style

    runs = _grid_runs(["SGD", "Adam"], 5)  # 50 runs: a swarm
    featured = style.featured_starts(runs)
    # The start in the middle first, then each the farthest from those taken: two corners.
    assert 12 in featured and len(featured) == style.FEATURED_EACH
    assert featured - {12} <= {0, 4, 20, 24}
    looks = style.run_looks(runs)
    assert [run.run for run, look in zip(runs, looks) if look is style.FEATURED] == sorted(featured) * 2
    assert all(look == style.path_look(runs) for run, look in zip(runs, looks) if run.run not in featured)
    # The order runs come in does not change which are featured.
    assert style.featured_starts(runs[::-1]) == featured
    # Six optimizers share FEATURED_RUNS bold paths: two each; a handful of runs features none.
    assert len(style.featured_starts(_grid_runs([f"O{i}" for i in range(6)], 5))) == 2
    few = _grid_runs(["SGD", "Adam"], 2)
    assert style.featured_starts(few) == set() and set(style.run_looks(few)) == {style.FEW}


def test_swarms_are_drawn_interleaved_by_optimizer_with_the_featured_runs_on_top():
    from anim.look import style

    runs = _grid_runs(["SGD", "Adam"], 5)
    order = [runs[i] for i in style.drawing_order(runs)]
    featured = style.featured_starts(runs)
    plain = [(run.label, run.run) for run in order if run.run not in featured]
    assert plain[:4] == [("SGD", 1), ("Adam", 1), ("SGD", 2), ("Adam", 2)]  # run 0 is featured
    assert [run.run in featured for run in order] == [False] * 44 + [True] * 6
