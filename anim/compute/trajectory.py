"""Runs each optimizer from each start point exactly like the lecture's `train_curve`: from many
start points at once for optimizers whose update treats every weight alone (elementwise)."""

import contextlib
import difflib
import functools
import inspect
import math
import re
from dataclasses import dataclass, field

import numpy as np

from anim.compute import clipping, dynamo, stepping
from anim.declare import catalog
from anim.declare.scene import NUMPY_SURFACE, brief, calls_numpy, one_line
from anim.errors import SceneError


@dataclass(frozen=True)
class Stop:
    """Why and where a run stopped being drawn: `reason` is DIVERGED or LEFT_VIEW; `step` is the
    first step not drawn."""

    reason: str
    step: int


DIVERGED, LEFT_VIEW = "diverged", "left the view"

@dataclass(frozen=True)
class Run:
    """One optimizer from one start point: points[t] = (w1, w2, loss) before update t; and what
    the optimizer did there (see `Recorder`): grad[t] the gradient there (after any noise),
    clipped_grad[t] the gradient the step used if the optimizer clips it (else None), lr[t] the
    learning rate it was given, the update[t] it took and its state[key][t] after that update."""

    label: str
    color: str
    run: int
    points: np.ndarray
    diverged_at: object = None  # first step whose point or loss is not finite, or None
    left_view_at: object = None  # first (finite) step far outside the view window, or None
    marker: str = "o"  # the head marker its optimizer is drawn with (anim.look.colors.MARKERS)
    # Per-step arrays beyond the point, by name (anim.compute.stepping.EXTRAS: Schedule-Free's x, d).
    extras: dict = field(default_factory=dict)
    note: str = ""  # how the optimizer saw the point, for the legend ("1x2 matrix")
    grad: object = None    # [steps, 2] float32: the gradient the optimizer was given at points[t]
    update: object = None  # [steps, 2] float32: w(t+1) - w(t), the step it really took
    lr: object = None      # [steps] float64: the learning rate of the parameter group for update t
    state: object = None   # {key: [steps, 2]}: each per-weight tensor of optimizer.state after update t
    clipped_grad: object = None  # [steps, 2] float32: the gradient after clipping, which step() used; None: no clipping

    def __post_init__(self):
        """A run made without a record of its optimizer (by hand) gets NaN for it, and no state."""
        steps = len(self.points)
        for name, shape in (("grad", (steps, 2)), ("update", (steps, 2)), ("lr", (steps,))):
            if getattr(self, name) is None:
                object.__setattr__(self, name, np.full(shape, np.nan, dtype=np.float64 if name == "lr" else np.float32))
        if self.state is None:
            object.__setattr__(self, "state", {})

    @property
    def used_grad(self):
        """The gradient the optimizer's step used: clipped_grad if it clips, else grad."""
        return self.grad if self.clipped_grad is None else self.clipped_grad

    @functools.cached_property
    def stop(self):
        """Where the run stopped being drawn, for whichever came first: it diverged or it left the
        view (a tie counts as diverged); None if it is drawn to the end."""
        if self.diverged_at is not None and (self.left_view_at is None or self.diverged_at <= self.left_view_at):
            return Stop(DIVERGED, self.diverged_at)
        return None if self.left_view_at is None else Stop(LEFT_VIEW, self.left_view_at)

    def ended(self, position):
        """Whether the drawn path has reached where the run diverged or left the view."""
        return self.stop is not None and position >= self.stop.step - 1

    def shown(self, step):
        """Points 0..step, stopping before the stop (such a path is drawn up to where it left)."""
        end = step + 1 if self.stop is None else min(step + 1, self.stop.step)
        return self.points[:end]

    def shown_at(self, position):
        """The drawn path at a fractional `position`: points 0..floor(position), then a head
        partway to the next point (none past where the run diverged or left the view)."""
        step = math.floor(position)
        points = self.shown(step)
        fraction = position - step
        if fraction == 0 or len(points) <= step or step + 1 >= len(self.shown(step + 1)):
            return points
        head = points[step] + fraction * (self.points[step + 1] - points[step])
        return np.concatenate([points, head[None]])


# torch.optim optimizers whose update of each weight depends only on that weight's own gradient
# and state: one run of all start points stacked equals separate runs, bit for bit (tested).
# Not LBFGS (line search over all weights), Adafactor (factored, norm-clipped) nor Muon (matrices).
ELEMENTWISE = ("ASGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop",
               "Rprop", "SGD")
# pytorch_optimizer's optimizers that treat each weight alone (tested like torch's), but for the
# options listed: gradient centralisation, AdaNorm and cautious updates reduce over a whole tensor.
LIBRARY_ELEMENTWISE = {"Lion": ("use_gc", "adanorm", "cautious"), "AdaBelief": ("adanorm", "cautious")}


def compute(scene):
    """Every optimizer from every start point, in scene order: a list of Run in float32.

    Each optimizer starts from the same random state (seed 0), so a stochastic surface or optimizer
    gives the same trajectories every time (and in `render` and `trajectories` alike). Start points
    run together when the optimizer is elementwise (see `vectorizes`) and the surface gives the
    same loss twice at the same points, else one after another, each from that state: a noisy
    surface draws its noise for each start point as when it runs alone. An optimizer's
    `grad_noise` is drawn apart from torch's random state, per start point (see `GradNoise`), so
    it is the same alone and in a swarm; the recorded loss is the clean loss at the point.
    """
    import torch  # here, not at module level: Run must unpickle in render workers without torch

    dynamo.defer()  # torch.optim's graph breaks need no torch._dynamo outside torch.compile: ~1 s CPU saved

    runs = []
    together = len(scene.init) > 1 and _deterministic(torch, scene)
    for optimizer in scene.optimizers:
        swarm = None
        if together and vectorizes(optimizer):
            with _from_seed_0(torch):
                swarm = _run_swarm(torch, scene, optimizer)
        if swarm is not None:
            runs.extend(swarm)
            continue
        for run, start in enumerate(scene.init):
            with _from_seed_0(torch):
                runs.append(_run_one(torch, scene, optimizer, run, start))
    return runs


@contextlib.contextmanager
def _from_seed_0(torch):
    """torch's random state set to seed 0 for the block, and put back as it was after it."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        yield


class GradNoise:
    """The Gaussian noise added to the gradients of the runs `runs` (start point indexes) of an
    optimizer with `grad_noise` = std and `noise_seed` = seed, after backward() and before step().

    Run r draws from its own generator, numpy.random.default_rng(numpy.random.SeedSequence(seed,
    spawn_key=(r,))) (the r-th child of SeedSequence(seed).spawn), two standard normals per gradient
    it is given (for w1, then w2), in float64; the noise is std times them, rounded to float32. So a
    start point gets the same noise alone and in a swarm, whatever torch's random state, and every
    optimizer of a scene with the same seed sees the same draws at a start point, scaled by its std.
    """

    BLOCK = 64  # draws made at a time per run (a generator's draws do not depend on how many at once)

    def __init__(self, std, seed, runs):
        self.std = float(std)
        self._generators = [np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(run,))) for run in runs]
        self._block, self._next = None, self.BLOCK

    def draw(self):
        """The next noise: a float32 array (2, runs), column i for runs[i]."""
        if self._next == self.BLOCK:
            drawn = np.stack([g.standard_normal((self.BLOCK, 2)) for g in self._generators], axis=2)
            self._block, self._next = (self.std * drawn).astype(np.float32), 0
        self._next += 1
        return self._block[self._next - 1]

    def add_to(self, torch, weights):
        """Add the next noise to `weights.grad`: (2,) for one run, (2, n) for a swarm."""
        weights.grad.add_(torch.from_numpy(self.draw()).reshape(weights.grad.shape))


class Recorder:
    """What an optimizer is given and does at each step, for the `runs` start points of one torch
    run (weights of shape (2,) alone, (2, runs) in a swarm; column r is run r): call `before` right
    before the step call and `after` right after it; a closure passed through `catching` records
    the gradient of its first evaluation instead (what an optimizer such as LBFGS is given). With
    `clipping`, the gradient recorded is the one before clipping (given as `unclipped`) and the
    clipped one, in the weights' .grad, is recorded beside it.

    The state is every tensor in optimizer.state[weights] with as many elements as the weights,
    found generically (momentum_buffer, exp_avg, sum, a scene's own buffers, ...), NaN at the
    steps before it appears; scalars (step, eta, ...) and lists (LBFGS's history) are left out.
    """

    def __init__(self, steps, runs, clipping=False):
        self.grad = np.full((steps, 2, runs), np.nan, dtype=np.float32)
        self.clipped = np.full((steps, 2, runs), np.nan, dtype=np.float32) if clipping else None
        self.update = np.full((steps, 2, runs), np.nan, dtype=np.float32)
        self.lr = np.full(steps, np.nan)
        self.state = {}
        self._step, self._weights, self._first = 0, None, False

    def before(self, step, weights, torch_optimizer, unclipped=None):
        self._step, self._first = step, True
        self._weights = _columns(weights).copy()
        self._gradients(weights, unclipped)
        self.lr[step] = float(torch_optimizer.param_groups[0].get("lr", math.nan))

    def _gradients(self, weights, unclipped):
        if weights.grad is None:
            return
        self.grad[self._step] = _columns(weights.grad if unclipped is None else unclipped)
        if self.clipped is not None:
            self.clipped[self._step] = _columns(weights.grad)

    def catching(self, weights, closure, unclipped=lambda: None):
        """`closure`, recording the gradient it computes first after each `before` (`unclipped()`
        gives it as it was before clipping)."""
        def recorded():
            loss = closure()
            if self._first:
                self._gradients(weights, unclipped())
                self._first = False
            return loss

        return recorded

    def after(self, weights, torch_optimizer):
        step = self._step
        with np.errstate(invalid="ignore", over="ignore"):  # a run diverging: inf - inf is its NaN
            self.update[step] = _columns(weights) - self._weights
        for key, value in torch_optimizer.state.get(weights, {}).items():
            if getattr(value, "numel", None) is not None and value.numel() == weights.numel():
                if key not in self.state:
                    self.state[key] = np.full(self.grad.shape, np.nan, dtype=np.float32)
                self.state[key][step] = _columns(value)

    def of(self, run):
        """(grad, update, lr, state, clipped grad or None) of run `run` (a column of the weights)."""
        return (self.grad[:, :, run].copy(), self.update[:, :, run].copy(), self.lr.copy(),
                {key: values[:, :, run].copy() for key, values in self.state.items()},
                None if self.clipped is None else self.clipped[:, :, run].copy())


def _columns(tensor):
    """A (2,) or (2, n) tensor's values as a float (2, n) numpy array (a view where it can be; a
    16-bit float that numpy lacks, such as a bfloat16 state, as float32)."""
    tensor = tensor.detach()
    if tensor.is_floating_point() and tensor.element_size() < 4:
        tensor = tensor.float()
    return tensor.reshape(2, -1).numpy()


def _grad_noise(optimizer, runs):
    """The optimizer's GradNoise for these runs, or None without noise (grad_noise 0 adds nothing)."""
    if not optimizer.grad_noise:
        return None
    return GradNoise(optimizer.grad_noise, optimizer.noise_seed or 0, runs)


def vectorizes(optimizer):
    """Whether all start points can run as one: a torch.optim optimizer in ELEMENTWISE, one of
    pytorch_optimizer's in LIBRARY_ELEMENTWISE without the options that reduce over a tensor, or a
    class of the scene's own that says `elementwise = True`; not with fused=True, whose kernels
    round differently for many weights than for two."""
    import torch

    factory = optimizer.factory
    if optimizer.hyperparameters.get("fused"):
        return False
    if getattr(factory, "elementwise", False) is True:
        return True
    library = getattr(factory, "__module__", "").startswith("pytorch_optimizer.")
    if library and getattr(factory, "__name__", None) in LIBRARY_ELEMENTWISE:
        return not any(optimizer.hyperparameters.get(name) for name in LIBRARY_ELEMENTWISE[factory.__name__])
    return any(factory is getattr(torch.optim, name, None) for name in ELEMENTWISE)


def _deterministic(torch, scene):
    """Whether the surface gives the same losses twice at the start points (it draws no noise)."""
    points = torch.tensor(scene.init, dtype=torch.float32).T
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        try:
            first, second = (scene.surface(points[0], points[1]) for _ in range(2))
        except Exception:
            return False  # let the runs one by one report it, naming the step
        return isinstance(first, torch.Tensor) and torch.equal(first, second)


def check_optimizers(scene):
    """Build every optimizer once on a throw-away parameter, so bad hyperparameters fail early."""
    import torch
    dynamo.defer()

    for optimizer in scene.optimizers:
        why_not = catalog.refusal(optimizer.factory)
        if why_not:
            raise SceneError(f"{_field(optimizer)}: {optimizer.factory.__name__} cannot step two weights: {why_not}")
        _build(optimizer, stepping.point(torch, optimizer.factory, (0.0, 0.0)))


def check_first_steps(scene):
    """Take each optimizer's first update from the first start point, as a render will: the
    surface must be differentiable there, and the optimizer must be able to step (SparseAdam,
    for one, cannot take the dense gradient of two weights)."""
    import torch
    dynamo.defer()

    for optimizer in scene.optimizers:
        _run_one(torch, scene, optimizer, 0, scene.init[0], steps=1)


def _build(optimizer, weights, groups=None):
    """The torch optimizer on `weights` as its authors document it (anim.compute.stepping.params), or
    on parameter `groups` as given."""
    try:
        given = groups if groups is not None else stepping.params(optimizer.factory, weights)
        return optimizer.factory(given, **optimizer.hyperparameters)
    except (TypeError, ValueError) as exc:
        name = getattr(optimizer.factory, "__name__", "the factory")
        raise SceneError(f"{_field(optimizer)}: {name} rejected its hyperparameters: {one_line(exc)}"
                         f"{rejection_hint(optimizer, exc)}") from exc


def rejection_hint(optimizer, exc):
    """For a misspelt keyword, the factory's nearest one; for a value a sweep split up (betas given
    as a list), that a list sweeps and a tuple is one value."""
    unknown = re.search(r"unexpected keyword argument '(\w+)'", str(exc))
    if unknown:
        try:
            known = [p for p in inspect.signature(optimizer.factory).parameters if p not in ("self", "params")]
        except (TypeError, ValueError):
            return ""
        close = difflib.get_close_matches(unknown[1], known + ["color", "scheduler"], n=1)
        return f" (did you mean {close[0]}?)" if close else f" (it takes {', '.join(known)})"
    swept = [name for name in optimizer.swept if name in optimizer.hyperparameters]
    if swept and "subscriptable" in str(exc):
        return (f" ({', '.join(swept)} given as a list sweeps one value per item; "
                "give a tuple for one value, such as betas=(0.9, 0.999))")
    return ""


def build_scheduler(torch, optimizer, torch_optimizer):
    """The optimizer's scheduler on `torch_optimizer`, and a function stepping it after an update
    (ReduceLROnPlateau is given the loss before that update), or (None, None)."""
    if optimizer.scheduler is None:
        return None, None
    try:
        scheduler = optimizer.scheduler(torch_optimizer)
    except Exception as exc:
        hint = ""
        if isinstance(optimizer.scheduler, type) and isinstance(exc, TypeError):
            name = optimizer.scheduler.__name__
            hint = f"; give its arguments with functools.partial({name}, ...)"
        raise SceneError(f"{_field(optimizer)}.scheduler: failed on the optimizer "
                         f"({type(exc).__name__}: {one_line(exc)}){hint}") from exc
    if scheduler is torch_optimizer:  # its step() would take a second update after each one
        raise SceneError(f"{_field(optimizer)}.scheduler: returned the optimizer itself; "
                         "return a torch.optim.lr_scheduler object built on it")
    if not callable(getattr(scheduler, "step", None)):
        raise SceneError(f"{_field(optimizer)}.scheduler: returned {brief(scheduler)}, which has no step(); "
                         "return a torch.optim.lr_scheduler object")
    if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
        return scheduler, lambda loss: scheduler.step(float(loss))
    return scheduler, lambda loss: scheduler.step()


def _field(optimizer):
    return f"optimizers[{optimizer.label!r}]"


def _run_one(torch, scene, optimizer, run, start, steps=None):
    weights = stepping.point(torch, optimizer.factory, start)
    torch_optimizer = _build(optimizer, weights)
    _, step_scheduler = build_scheduler(torch, optimizer, torch_optimizer)
    noise = _grad_noise(optimizer, [run])
    add_noise = None if noise is None else (lambda: noise.add_to(torch, weights))
    clip = clipping.clipper(torch, optimizer, [weights])
    how = stepping.Stepping(torch_optimizer, [weights], lambda: scene.surface(*stepping.flat(weights)), add_noise,
                            clip)
    steps = scene.steps if steps is None else steps
    recorder = Recorder(steps, 1, clipping=clip is not None)
    points = np.empty((steps, 3), dtype=np.float32)
    before, after = [], []
    with torch.enable_grad():
        how.begin()
        for step in range(steps):
            loss = _evaluate(torch, scene, stepping.flat(weights), optimizer, step)
            points[step, :2] = stepping.flat(weights).detach().numpy()
            points[step, 2] = loss.item()
            before.append(how.extras_before())
            how.backward(loss)
            recorder.before(step, weights, torch_optimizer, how.unclipped)
            step_args = tuple(recorder.catching(weights, closure, lambda: how.unclipped)
                              for closure in how.step_args(loss))
            _step(optimizer, how, step_scheduler, step, points[step, 2], *step_args)
            recorder.after(weights, torch_optimizer)
            after.append(how.extras_after())
    extras = {**stepping.stack_extras(before), **stepping.stack_extras(after)}
    return _finished(optimizer, run, points, recorder.of(0), extras, stepping.MATRIX_NOTE if weights.dim() == 2 else "")


def _run_swarm(torch, scene, optimizer):
    """All start points as one (2, n) weight, the loss summed over them: each point's gradient is
    its own. None if the scheduler needs one loss per run (ReduceLROnPlateau) or the optimizer a
    closure: run them apart."""
    starts = np.asarray(scene.init, dtype=np.float32)
    weights = torch.nn.Parameter(torch.from_numpy(starts.T.copy()))
    torch_optimizer = _build(optimizer, weights)
    scheduler, step_scheduler = build_scheduler(torch, optimizer, torch_optimizer)
    if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau) or stepping.needs_closure(torch_optimizer):
        return None
    noise = _grad_noise(optimizer, range(len(starts)))
    clip = clipping.column_clipper(torch, optimizer, weights)
    points = np.empty((scene.steps, len(starts), 3), dtype=np.float32)
    recorder = Recorder(scene.steps, len(starts), clipping=clip is not None)
    with torch.enable_grad():
        for step in range(scene.steps):
            losses = _evaluate(torch, scene, weights, optimizer, step, shape=(len(starts),))
            points[step, :, :2] = weights.detach().numpy().T
            points[step, :, 2] = losses.detach().numpy()
            torch_optimizer.zero_grad()
            losses.sum().backward()
            if noise is not None:
                noise.add_to(torch, weights)
            unclipped = None
            if clip is not None:
                unclipped = weights.grad.detach().clone()
                clip()
            recorder.before(step, weights, torch_optimizer, unclipped)
            _step(optimizer, torch_optimizer, step_scheduler, step, None)
            recorder.after(weights, torch_optimizer)
    return [_finished(optimizer, run, points[:, run].copy(), recorder.of(run)) for run in range(len(starts))]


def batches_lrs(scene, optimizer):
    """Whether `lr_points` can run many learning rates of `optimizer` on the scene as one: it is
    elementwise (`vectorizes`), steps without a closure, its scheduler (if any) needs no loss per
    run, and the surface draws no noise. (`optimizer` at any one learning rate: it is built to see.)"""
    import torch

    if not vectorizes(optimizer) or not _deterministic(torch, scene):
        return False
    torch_optimizer = _build(optimizer, torch.nn.Parameter(torch.zeros(2)))
    scheduler, _ = build_scheduler(torch, optimizer, torch_optimizer)
    return not stepping.needs_closure(torch_optimizer) and not isinstance(
        scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau)


def lr_points(scene, optimizer, lrs):
    """The points [lrs, runs, steps, 3] of `optimizer` at each learning rate of `lrs` from every
    start point of the scene, as one torch run (see `batches_lrs`): one parameter group per learning
    rate, its weight of shape (2,) for one start point or (2, runs) for several (the swarm's
    columns); the losses of all summed, so each weight gets exactly its own gradient, noise and
    clipping. Each learning rate's runs equal it run alone, bit for bit (tests/compute/test_tuning.py)."""
    import torch

    starts = np.asarray(scene.init, dtype=np.float32)
    shape = (len(lrs), len(starts))
    # One block of memory holds every weight, (lrs, 2, runs): weight i is block[i], a Parameter of
    # shape (2, runs) ((2,) for one start point) sharing it, so the optimizer's in-place updates are
    # the block's; its gradient is a view of one block of gradients, written each step.
    block = torch.from_numpy(np.array(np.broadcast_to(starts.T, (len(lrs), 2, len(starts)))))  # (a copy: written to)
    gradients = torch.zeros_like(block)
    each = (lambda t: t[:, :, 0].unbind(0)) if len(starts) == 1 else (lambda t: t.unbind(0))
    weights = [torch.nn.Parameter(w) for w in each(block)]
    for w, grad in zip(weights, each(gradients)):
        w.grad = grad
    groups = [dict(params=[w], lr=float(lr)) for w, lr in zip(weights, lrs)]
    torch_optimizer = _build(optimizer.tuned_to("lr", float(lrs[0])), None, groups)
    _, step_scheduler = build_scheduler(torch, optimizer, torch_optimizer)
    noises = [_grad_noise(optimizer, range(len(starts))) for _ in lrs]
    clip = clipping.column_clipper(torch, optimizer, None)
    points = np.empty((scene.steps, *shape, 3), dtype=np.float32)
    with _from_seed_0(torch), torch.enable_grad():
        for step in range(scene.steps):
            values = block.detach().requires_grad_()  # the same memory, a leaf of its own
            losses = _evaluate(torch, scene, values.transpose(0, 1), optimizer, step, shape=shape)
            points[step, :, :, :2] = block.numpy().transpose(0, 2, 1)
            points[step, :, :, 2] = losses.detach().numpy()
            gradients.copy_(torch.autograd.grad(losses.sum(), values)[0])
            for w, noise in zip(weights, noises):
                if noise is not None:
                    noise.add_to(torch, w)
            if clip is not None:  # each column a start point's gradient alone: clipped as rows of two
                rows = gradients.transpose(1, 2).contiguous()
                clip(rows.reshape(-1, 2))
                gradients.copy_(rows.transpose(1, 2))
            _step(optimizer, torch_optimizer, step_scheduler, step, None)
    return points.transpose(1, 2, 0, 3)


def _step(optimizer, stepper, step_scheduler, step, loss, *step_args):
    """stepper.step(*step_args) (a torch optimizer, or a Stepping), then the scheduler's step."""
    try:
        stepper.step(*step_args)
        if step_scheduler is not None:
            step_scheduler(loss)
    except Exception as exc:
        if calls_numpy(exc):  # the closure of an optimizer such as LBFGS evaluates the surface
            raise SceneError(NUMPY_SURFACE) from exc
        raise SceneError(f"{_field(optimizer)}: step {step} failed: "
                         f"{type(exc).__name__}: {one_line(exc)}") from exc


def _finished(optimizer, run, points, recorded, extras=None, note=""):
    finite = np.isfinite(points).all(axis=1)
    diverged_at = None if finite.all() else int(np.argmin(finite))
    grad, update, lr, state, clipped = recorded
    return Run(optimizer.label, optimizer.color, run, points, diverged_at, grad=grad, update=update, lr=lr,
               state=state, extras=extras or {}, note=note, clipped_grad=clipped)


def _evaluate(torch, scene, weights, optimizer, step, shape=()):
    """The loss at `weights` (w1 = weights[0], w2 = weights[1]): one value, or `shape` of them."""
    try:
        loss = scene.surface(weights[0], weights[1])
    except Exception as exc:
        if calls_numpy(exc):
            raise SceneError(NUMPY_SURFACE) from exc
        raise SceneError(f"surface: raised {type(exc).__name__}: {one_line(exc)} at step {step} "
                         f"of {_field(optimizer)}") from exc
    if not isinstance(loss, torch.Tensor) or loss.numel() != math.prod(shape):
        wanted = "one torch value for scalar w1, w2" if not shape else f"{shape[0]} values for {shape[0]} points"
        raise SceneError(f"surface: must return {wanted}; got {brief(loss)}")
    if not loss.requires_grad:
        raise SceneError("surface: the loss does not depend on w1, w2 through torch operations "
                         "(not differentiable); use torch functions, not numpy or math")
    return loss.reshape(shape)
