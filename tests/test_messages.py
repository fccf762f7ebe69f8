"""Messages a lecturer reads: one line each that says what to do (a start point outside a fixed
window, a numpy surface, an optimizer object given as factory, multi-line reprs)."""

import json

import numpy as np
import pytest
import torch
from click.testing import CliRunner

import anim
from anim.faces.cli import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


OUTSIDE = """
    import torch
    from anim import Scene, Optimizer
    scene = Scene(name="outside", surface=lambda w1, w2: w1 ** 2 + w2 ** 2, init={init}, steps=5,
                  x_range=(-2, 2), y_range=(-2, 2),
                  optimizers=[Optimizer("SGD", torch.optim.SGD, lr=0.1, color="red")])
"""


def test_a_start_point_outside_a_fixed_window_is_a_note_and_in_the_manifest(scene_file, tmp_path):
    path = scene_file(OUTSIDE.format(init="(5, 0.5)"))
    result = run("render", path, "-o", tmp_path, "--size", "160x96", "--format", "png", "--view", "contour")
    assert result.exit_code == 0, result.output
    assert ("  note: start point 0 (5, 0.5) lies outside the view window w1 in (-2, 2), w2 in (-2, 2): "
            "widen x_range or move it") in result.output.splitlines()
    manifest = json.loads((tmp_path / "outside" / "manifest.json").read_text())
    assert manifest["starts_outside"] == [{"run": 0, "start": [5.0, 0.5]}]


def test_several_start_points_outside_are_one_note(scene_file, tmp_path):
    path = scene_file(OUTSIDE.format(init="[(0, 0), (5, 5), (1, -3)]"))
    result = run("render", path, "-o", tmp_path, "--size", "160x96", "--format", "png", "--view", "contour")
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if "outside the view window" in line]
    assert notes == ["  note: 2 start points lie outside the view window w1 in (-2, 2), w2 in (-2, 2), "
                     "the first 1 (5, 5): widen x_range and y_range or move them"]


def test_render_says_which_start_points_lie_outside_and_none_inside(tmp_path):
    def scene(init):
        return anim.Scene(name="outside", surface=lambda w1, w2: w1 ** 2 + w2 ** 2, init=init, steps=5,
                          x_range=(-2, 2), y_range=(-2, 2),
                          optimizers=[anim.Optimizer("SGD", torch.optim.SGD, lr=0.1)])

    options = dict(out=tmp_path, views=["contour"], formats=["png"], size=(160, 96))
    result = anim.render(scene([(0, 0), (-2, 2), (0, 2.5)]), **options)  # an edge is inside
    assert result.starts_outside == [(2, (0.0, 2.5))]
    assert result.manifest["starts_outside"] == [{"run": 2, "start": [0.0, 2.5]}]
    result = anim.render(scene([(0, 0), (1, -1)]), **options)
    assert result.starts_outside == [] and result.manifest["starts_outside"] == []


NUMPY_SURFACE = ("surface: must use torch operations (torch.sin, torch.exp, ...), not numpy, "
                 "so that the optimizers get gradients")


@pytest.mark.parametrize("surface, line", [   # line 6 is where it fails; line 5 the def, when nothing fails
    ("np.sin(w1) + w2 ** 2", 6),                                 # numpy functions on the tensors
    ("np.sin(w1.numpy()) + w2 ** 2", 6),                         # the tensors made numpy
    ("np.sin(w1.numpy()) + np.cos(w2.numpy())", 5),              # a numpy array returned
    ("torch.from_numpy(np.sin(w1.numpy())) + w2 ** 2", 6),       # and back
    ("torch.sin(w1) + (np.exp(w2) if w2.dim() == 0 else torch.exp(w2))", 6),  # numpy in the runs alone
])
def test_a_numpy_surface_is_told_to_use_torch_in_one_line(scene_file, tmp_path, surface, line):
    path = scene_file(f"""
        import numpy as np
        import torch
        from anim import Scene, Optimizer
        def loss(w1, w2):
            return {surface}
        scene = Scene(name="np", surface=loss, steps=3, optimizers=[Optimizer("SGD", torch.optim.SGD, lr=0.1)])
    """)
    for args in (["info", path], ["render", path, "-o", tmp_path], ["trajectories", path, "-o", tmp_path / "t.csv"]):
        result = run(*args)
        assert (result.exit_code, result.output) == (1, f"error: {path}:{line}: {NUMPY_SURFACE}\n")
    assert list(tmp_path.iterdir()) == [path]


def test_numpy_in_an_lbfgs_closure_is_told_to_use_torch(scene_file):
    """The closure is the surface's third call: after the check on a mesh and the first update's loss."""
    path = scene_file("""
        import numpy as np
        import torch
        from anim import Scene, Optimizer
        calls = []
        def loss(w1, w2):
            calls.append(1)
            return (np.square(w1) if len(calls) == 3 else w1 ** 2) + w2 ** 2
        scene = Scene(name="np", surface=loss, steps=3, optimizers=[Optimizer("LBFGS", torch.optim.LBFGS)])
    """)
    result = run("info", path)
    assert (result.exit_code, result.output) == (1, f"error: {path}:8: {NUMPY_SURFACE}\n")


def test_numpy_on_a_tensor_that_needs_gradients_in_the_scene_file_names_the_line(scene_file):
    path = scene_file("""
        import numpy as np
        import torch
        print(np.sin(torch.ones(2, requires_grad=True)))
    """)
    result = run("info", path)
    assert (result.exit_code, result.output) == (
        1, f"error: {path}:4: numpy was called on a tensor that needs gradients: use torch operations "
           "(torch.sin, torch.exp, ...), not numpy, so that the optimizers get gradients\n")


def test_the_api_raises_the_numpy_message_for_a_scene_built_in_python():
    scene = anim.Scene(name="np", surface=lambda w1, w2: np.cos(w1) + w2 ** 2, steps=3,
                       optimizers=[anim.Optimizer("Adam", torch.optim.Adam, lr=0.1)])
    for call in (anim.info, anim.trajectories):
        with pytest.raises(anim.SceneError) as caught:
            call(scene)
        assert str(caught.value) == NUMPY_SURFACE


@pytest.mark.parametrize("lines, message", [
    (["p = torch.nn.Parameter(torch.zeros(2))",
      "scene = Scene(name='c', surface=loss, optimizers=[Optimizer('SGD', torch.optim.SGD([p], lr=0.1))])"],
     ":6: optimizers['SGD']: factory is an optimizer object (SGD); pass the class, torch.optim.SGD, and its "
     "hyperparameters as keywords: Optimizer('SGD', torch.optim.SGD, lr=0.1)"),
    (["p = torch.nn.Parameter(torch.zeros(2))",
      "sgd = torch.optim.SGD([p], lr=0.1, momentum=0.9, nesterov=True)",
      "scene = Scene(name='c', surface=loss, optimizers=[Optimizer('Nesterov', sgd)])"],
     ":7: optimizers['Nesterov']: factory is an optimizer object (SGD); pass the class, torch.optim.SGD, and its "
     "hyperparameters as keywords: Optimizer('Nesterov', torch.optim.SGD, lr=0.1, momentum=0.9, nesterov=True)"),
    (["p = torch.nn.Parameter(torch.zeros(2))",
      "scene = Scene(name='c', surface=loss, optimizers=[torch.optim.Adam([p], lr=0.1)])"],
     ":6: optimizers[0]: got an optimizer object (Adam); declare the class and its hyperparameters as keywords: "
     "anim.Optimizer('Adam', torch.optim.Adam, lr=0.1)"),
    (["scene = Scene(name='c', surface=loss, init=np.zeros((400, 2)), optimizers=[Optimizer('SGD', torch.optim.SGD)])"],
     ":5: init: got a numpy array of shape (400, 2); use a start point (w1, w2), a non-empty list of them, "
     "or anim.starts.grid(n), random(n, seed) or circle(n, radius)"),
    (["scene = Scene(name='c', surface=np.ones((20, 20)), optimizers=[Optimizer('SGD', torch.optim.SGD)])"],
     ":5: surface: got a numpy array of shape (20, 20); use a function loss(w1, w2) of two tensors"),
    (["scene = Scene(name='c', surface=loss, x_range=list(range(100)), optimizers=[])"],
     ":5: x_range: got [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, ... (100 items); "
     "use a (low, high) pair of numbers, 'auto' or 'symmetric'"),
    (["from anim import starts", "scene = Scene(name='c', surface=loss, init=starts.circle(3, center=np.zeros((3, 3))),"
      "              optimizers=[Optimizer('SGD', torch.optim.SGD)])"],
     ":6: starts.circle: center: got array([[0., 0., 0.], [0., 0., 0.], [0., 0., 0.]]); use a pair of numbers (w1, w2)"),
    (["x = torch.max(torch.ones(2), 0.5)"],
     ":5: TypeError: max() received an invalid combination of arguments - got (Tensor, float), but expected one "
     "of: (Tensor input, *, Tensor out = None); (Tensor input, Tensor other, *, Tensor out = None); "
     "(Tensor input, int dim, bool keepdim = False, *, tuple of Tensors out = None)"),
])
def test_what_a_scene_file_declares_wrong_is_one_line_without_a_multi_line_repr(scene_file, lines, message):
    path = scene_file("\n".join(["import numpy as np", "import torch", "from anim import Scene, Optimizer",
                                 "loss = lambda w1, w2: w1 ** 2 + w2 ** 2", *lines]) + "\n")
    result = run("info", path)
    assert (result.exit_code, result.output) == (1, f"error: {path}{message}\n")


@pytest.mark.parametrize("surface, optimizer, message", [
    ("torch.max(w1, 0.5) + w2 ** 2", "Optimizer('SGD', torch.optim.SGD, lr=0.1)",
     "surface: fails on a mesh of points (TypeError: max() received an invalid combination of arguments - got "
     "(Tensor, float), but expected one of: (Tensor input, *, Tensor out = None); (Tensor input, Tensor other, *, "
     "Tensor out = None); (Tensor input, int dim, bool keepdim = False, *, tuple of Tensors out = None)); "
     "write it elementwise with torch operations"),
    ("w1 ** 2 + w2 ** 2 if w1.dim() else torch.max(w1, 0.5)", "Optimizer('SGD', torch.optim.SGD, lr=0.1)",
     "surface: raised TypeError: max() received an invalid combination of arguments - got (Tensor, float), but "
     "expected one of: (Tensor input, *, Tensor out = None); (Tensor input, Tensor other, *, Tensor out = None); "
     "(Tensor input, int dim, bool keepdim = False, *, tuple of Tensors out = None) at step 0 of optimizers['SGD']"),
    ("w1 ** 2 + w2 ** 2 if w1.dim() else (w1 ** 2).repeat(100)", "Optimizer('SGD', torch.optim.SGD, lr=0.1)",
     "surface: must return one torch value for scalar w1, w2; got a tensor of shape (100,)"),
    ("w1 ** 2 + w2 ** 2", "Optimizer('SGD', torch.optim.SGD, lr=0.1, scheduler=lambda o: np.zeros((10, 10)))",
     "optimizers['SGD'].scheduler: returned a numpy array of shape (10, 10), which has no step(); "
     "return a torch.optim.lr_scheduler object"),
])
def test_what_running_the_scene_finds_wrong_is_one_line(scene_file, surface, optimizer, message):
    path = scene_file(f"""
        import numpy as np
        import torch
        from anim import Scene, Optimizer
        scene = Scene(name="c", surface=lambda w1, w2: {surface}, steps=3, optimizers=[{optimizer}])
    """)
    result = run("info", path)
    assert (result.exit_code, result.output) == (1, f"error: {path}:5: {message}\n")


def test_short_values_are_quoted_as_they_are_and_long_ones_shortened():
    from anim.declare.scene import brief, one_line

    assert [brief(v) for v in ((1, 2), "sgd", [1.5, None])] == ["(1, 2)", "'sgd'", "[1.5, None]"]
    assert brief(list(range(100))) == "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, ... (100 items)"
    assert brief("x" * 100) == "'" + "x" * 59 + "..."
    assert brief(torch.zeros(3, 40)) == "a tensor of shape (3, 40)"
    assert one_line("one line  kept as it is") == "one line  kept as it is"
    assert one_line("first\n  second\n") == "first second"


def test_info_and_still_also_note_a_start_point_outside_a_fixed_range(scene_file, tmp_path):
    path = scene_file(OUTSIDE.format(init="(5, 0.5)").replace("y_range=(-2, 2)", 'y_range="auto"'))
    note = "note: start point 0 (5, 0.5) lies outside the view window w1 in (-2, 2), w2 fitted: widen x_range or move it"
    result = run("info", path)
    assert result.exit_code == 0, result.output
    assert note in result.output.splitlines()
    result = run("still", path, "-o", tmp_path, "--size", "160x96", "--format", "png", "--view", "contour")
    assert result.exit_code == 0, result.output
    assert any(line.startswith("note: start point 0 (5, 0.5) lies outside the view window w1 in (-2, 2), w2 in (")
               and line.endswith(": widen x_range or move it") for line in result.output.splitlines()), result.output


# The first hour's messages (issue 27): each one line, naming file and line, that says what to type.

NUMBER_SURFACE = ("surface: turns a tensor into one Python number (math.sin, float(), .item(), ...); use torch "
                  "functions such as torch.sin, which take a whole mesh of points and keep the gradient")
TRUTH_SURFACE = ("surface: uses a tensor as one truth value (if w1 > 0: ...); choose point by point with "
                 "torch.where(w1 > 0, this, that), which takes a whole mesh of points")
NEWCOMER = """\
import math
import torch
from anim import Scene, Optimizer

def loss({arguments}):
    {body}

scene = Scene(name="first", surface=loss, init=(1, 1), steps=10,
              optimizers=[Optimizer("SGD", torch.optim.SGD, lr={lr}),
                          Optimizer("Adam", torch.optim.Adam, lr={adam_lr})])
"""


def newcomer(tmp_path, arguments="w1, w2", body="return w1 ** 2 + w2 ** 2", lr="0.1", adam_lr="0.1"):
    path = tmp_path / "first.py"
    path.write_text(NEWCOMER.format(arguments=arguments, body=body, lr=lr, adam_lr=adam_lr))
    return path


@pytest.mark.parametrize("body", ["return math.sin(w1) + w2 ** 2", "return float(w1) ** 2 + w2 ** 2"])
def test_a_surface_made_of_python_numbers_is_one_line_with_no_torch_warning_before_it(tmp_path, body):
    """As a real process: what torch warns on the way (a tensor that needs gradients made a
    number) would print on stderr ahead of the message."""
    import subprocess
    import sys

    path = newcomer(tmp_path, body=body)
    result = subprocess.run([sys.executable, "-m", "anim", "info", str(path)], capture_output=True, text=True,
                            cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", f"error: {path}:6: {NUMBER_SURFACE}\n")


@pytest.mark.parametrize("arguments, body, line, message", [
    ("w", "return w[0] ** 2 + w[1] ** 2", 5,
     "surface: loss(w) takes 1 argument; a surface is called with the two weights, one tensor each: "
     "def loss(w1, w2)"),
    ("w1, w2, scale", "return scale * (w1 ** 2 + w2 ** 2)", 5,
     "surface: loss(w1, w2, scale) takes 3 arguments; a surface is called with the two weights, one tensor each: "
     "def loss(w1, w2)"),
    ("w1, w2", "return w1 ** 2 + w2 ** 2 if w1 > 0 else w2 ** 2", 6, TRUTH_SURFACE),
    ("w1, w2", "return w1.item() ** 2 + w2 ** 2", 6, NUMBER_SURFACE),
])
def test_a_surface_written_for_one_point_is_told_the_fix_at_its_line(tmp_path, arguments, body, line, message):
    path = newcomer(tmp_path, arguments, body)
    for args in (["info", path], ["render", path, "-o", tmp_path / "out"]):
        result = run(*args)
        assert (result.exit_code, result.output) == (1, f"error: {path}:{line}: {message}\n")


@pytest.mark.parametrize("lr, adam_lr, line, message", [
    ("-0.1", "0.1", 9, "optimizers['SGD']: SGD rejected its hyperparameters: Invalid learning rate: -0.1"),
    ("0.1", "[0.1, -1.0]", 10,
     "optimizers['Adam lr=-1']: Adam rejected its hyperparameters: Invalid learning rate: -1.0"),
])
def test_a_hyperparameter_an_optimizer_rejects_names_the_line_declaring_it(tmp_path, lr, adam_lr, line, message):
    path = newcomer(tmp_path, lr=lr, adam_lr=adam_lr)
    result = run("info", path)
    assert (result.exit_code, result.output) == (1, f"error: {path}:{line}: {message}\n")


def test_a_misspelt_scene_file_is_told_the_closest_name(tmp_path):
    (tmp_path / "scenes").mkdir()
    (tmp_path / "scenes" / "rosenbrock.py").write_text("")
    result = run("render", tmp_path / "scenes" / "rosenbrok.py", "-o", tmp_path / "out")
    assert (result.exit_code, result.output) == (
        1, f"error: {tmp_path / 'scenes' / 'rosenbrok.py'}: no such file "
           f"(did you mean {tmp_path / 'scenes' / 'rosenbrock.py'}?)\n")
    assert not (tmp_path / "out").exists()
def test_a_complex_surface_is_one_line_before_any_work_without_a_torch_warning(scene_file, recwarn):
    path = scene_file(OUTSIDE.format(init="(1, 1)").replace("w1 ** 2 + w2 ** 2", "(w1 + 1j * w2) ** 2"))
    result = run("info", path)
    assert result.exit_code == 1
    assert result.output.splitlines() == [f"error: {path}:4: surface: returns complex64 values; a loss is a real "
                                          "number at each point (for complex values, take .abs() or .real)"]
    assert [str(w.message) for w in recwarn if "complex" in str(w.message)] == []


def test_an_infinite_learning_rate_renders_its_divergence(scene_file, tmp_path):
    path = scene_file(OUTSIDE.format(init="(1, 1)").replace("lr=0.1", "lr=float('inf')"))
    result = run("render", path, "-o", tmp_path, "--size", "160x96", "--format", "png", "--view", "contour")
    assert result.exit_code == 0, result.output
    assert "  note: SGD (run 0) diverged at step 1: drawn up to there" in result.output.splitlines()
    manifest = json.loads((tmp_path / "outside" / "manifest.json").read_text())
    assert manifest["optimizers"][0]["hyperparameters"] == {"lr": "inf"}  # JSON has no inf
