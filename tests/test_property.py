"""Random scenes either render valid files whose decoded frames match the manifest, or fail with
an optianim error: never an unexpected exception."""

import tempfile
from pathlib import Path

import probe
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anim.drive import pipeline
from anim.drive.settings import Settings
from anim.errors import AnimError

UNARY = ["torch.sin({})", "torch.cos({})", "torch.tanh({})", "torch.exp({})", "torch.abs({})",
         "torch.sigmoid({})", "({}) ** 2", "torch.sqrt({})", "torch.log({})", "-({})"]
BINARY = ["({}) + ({})", "({}) - ({})", "({}) * ({})", "({}) / ({})"]
numbers = st.floats(min_value=-3, max_value=3, allow_nan=False).map(lambda v: repr(round(v, 3)))


def expressions():
    """Torch expressions of w1 and w2 from a small grammar, a few levels deep."""
    variables = st.sampled_from(["w1", "w2"])
    leaves = variables | variables | numbers  # mostly variables: a constant surface is just one error
    return st.recursive(
        leaves,
        lambda inner: st.builds(str.format, st.sampled_from(UNARY), inner)
        | st.builds(lambda form, a, b: form.format(a, b), st.sampled_from(BINARY), inner, inner),
        max_leaves=6)


OPTIMIZERS = {
    "SGD": st.fixed_dictionaries({"lr": st.sampled_from([1e-3, 0.1, 1.0, 10.0, 1e3])},
                                 optional={"momentum": st.sampled_from([0.0, 0.5, 0.9, -0.5])}),
    "Adam": st.fixed_dictionaries({"lr": st.sampled_from([1e-3, 0.1, 10.0])},
                                  optional={"betas": st.sampled_from([(0.9, 0.999), (1.5, 0.9)])}),
    "RMSprop": st.fixed_dictionaries({"lr": st.sampled_from([1e-2, 1.0])}),
    "Adagrad": st.fixed_dictionaries({"lr": st.sampled_from([0.1, 5.0])}),
}


@st.composite
def scene_sources(draw):
    names = draw(st.lists(st.sampled_from(sorted(OPTIMIZERS)), min_size=1, max_size=3, unique=True))
    optimizers = ", ".join(f'Optimizer("{name}", torch.optim.{name}, **{draw(OPTIMIZERS[name])!r})'
                           for name in names)
    widths = st.floats(min_value=0.5, max_value=6, allow_nan=False)
    ranges = (st.sampled_from(['"auto"', '"symmetric"'])
              | st.builds(lambda low, width: f"({low}, {float(low) + round(width, 2)})", numbers, widths)
              | st.tuples(numbers, numbers).map(lambda pair: f"({pair[0]}, {pair[1]})"))  # maybe reversed
    starts = st.lists(st.tuples(numbers, numbers).map(lambda p: f"({p[0]}, {p[1]})"), min_size=1, max_size=2)
    return (f"import torch\nfrom anim import Scene, Optimizer\n\n"
            f"def loss(w1, w2):\n    return {draw(expressions())}\n\n"
            f"scene = Scene(name='random', surface=loss, init=[{', '.join(draw(starts))}], "
            f"steps={draw(st.integers(1, 8))}, x_range={draw(ranges)}, y_range={draw(ranges)}, "
            f"optimizers=[{optimizers}])\n")


TINY = Settings(width=64, height=64, fps=10, pace=10, hold_start=0.0, hold_end=0.2, formats=("mp4", "gif"),
                jobs=1)


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(source=scene_sources())
def test_random_scenes_render_valid_files_or_fail_with_an_optianim_error(source):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.py"
        path.write_text(source)
        try:
            result = pipeline.render(path, Path(folder) / "out", TINY)
        except AnimError:
            return  # a clear message, which the CLI prints in one line
        probe.check_decoded_frames(result.folder, result.manifest["files"], source)
