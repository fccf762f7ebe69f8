"""How one optimizer is stepped on the point, as its authors document it: the weight's shape and
parameter groups, the closure, backward with create_graph, Schedule-Free's train(), and the
per-step extras it exports (the averaged point x, the step-size estimate d)."""

import contextlib
import copy
import inspect
import io

import numpy as np

# Matrix-only optimizers: the point is a 1x2 matrix [[w1, w2]] for them. torch.optim.Muon,
# pytorch_optimizer's SpectralSphere, and its Muon family, which also wants its matrices in a group
# marked use_muon=True.
MATRIX_NOTE = "1x2 matrix"  # short: a legend of six fits two columns in the dashboard
_MATRIX = {("torch.optim", "Muon"), ("pytorch_optimizer", "SpectralSphere")}
_USE_MUON = {("pytorch_optimizer", "MuonBase")}
# Optimizers that estimate Hessian-vector products from the gradient: loss.backward(create_graph=True).
_CREATE_GRAPH = {("pytorch_optimizer", "AdaHessian"), ("pytorch_optimizer", "SophiaH")}
# Optimizers whose step needs a closure though its signature makes it optional: BSAM re-evaluates
# the loss (a standard closure); AliG wants only the loss value, `optimizer.step(lambda: float(loss))`.
_REEVALUATING_CLOSURE = {("pytorch_optimizer", "BSAM")}
_LOSS_VALUE_CLOSURE = {("pytorch_optimizer", "AliG")}
# Optimizers that estimate their own step size d (kept in their parameter group): it is exported.
_ESTIMATES_D = {("pytorch_optimizer", name) for name in ("Prodigy", "DAdaptAdaGrad", "DAdaptAdam", "DAdaptAdan",
                                                          "DAdaptLion", "DAdaptSGD")}


def _is(cls, known):
    """Whether `cls` is, or derives from, one of `known` (library, class name) pairs."""
    return isinstance(cls, type) and any(base.__name__ == name and base.__module__.startswith(library)
                                         for base in cls.__mro__ for library, name in known)


def is_matrix_only(factory):
    """Whether the optimizer steps matrices only (Muon): it gets the point as a 1x2 matrix."""
    return _is(factory, _MATRIX | _USE_MUON)


def point(torch, factory, start):
    """One run's weights as a Parameter: (2,) from a start point (w1, w2), or (1, 2) for a
    matrix-only optimizer."""
    weights = torch.as_tensor(np.asarray(start, dtype=np.float32))
    if is_matrix_only(factory):
        weights = weights.reshape(1, 2)
    return torch.nn.Parameter(weights.clone())


def params(factory, weights):
    """What the factory is given: [weights], or for pytorch_optimizer's Muon family one group
    marked use_muon=True (its docstring's usage for hidden weight matrices)."""
    if _is(factory, _USE_MUON):
        return [dict(params=[weights], use_muon=True)]
    return [weights]


def flat(weights):
    """One run's weights as (w1, w2), a (1, 2) matrix's too: a view, so gradients flow."""
    return weights.reshape(-1)


class Stepping:
    """Steps one built optimizer; `evaluate()` gives the loss at its weights (for a closure),
    `add_noise()` adds the gradient noise to their gradient.

    Use: `begin()` once; each step `backward(loss)`, then `torch_optimizer.step(*step_args(loss))`;
    `extras_before()` where the point is recorded and `extras_after()` after the step."""

    def __init__(self, torch_optimizer, evaluate, add_noise):
        cls = type(torch_optimizer)
        self.torch_optimizer, self._evaluate, self._add_noise = torch_optimizer, evaluate, add_noise
        self.create_graph = _is(cls, _CREATE_GRAPH)
        self.schedule_free = callable(getattr(torch_optimizer, "train", None)) and callable(
            getattr(torch_optimizer, "eval", None))
        if needs_closure(torch_optimizer) or _is(cls, _REEVALUATING_CLOSURE):
            self.closure = "reevaluate"
        elif _is(cls, _LOSS_VALUE_CLOSURE):
            self.closure = "loss value"
        else:
            self.closure = None
        self.estimates_d = _is(cls, _ESTIMATES_D)

    def begin(self):
        """Schedule-Free: train() before stepping, so the weights hold y, where gradients are taken."""
        if self.schedule_free:
            with _quiet():
                self.torch_optimizer.train()

    def backward(self, loss):
        """The gradient of `loss` into the weights (with its graph kept for Hessian-vector
        products where the optimizer needs them), plus the gradient noise unless a closure
        computes the gradients the step uses (it adds the noise to those)."""
        self.torch_optimizer.zero_grad()
        loss.backward(create_graph=self.create_graph)
        if self.closure != "reevaluate":
            self._add_noise()

    def step_args(self, loss):
        """The arguments of step(): () or a closure."""
        if self.closure == "loss value":
            return (lambda: float(loss),)
        if self.closure == "reevaluate":

            def closure():  # re-evaluates the loss; each gradient it computes gets the next noise
                self.torch_optimizer.zero_grad()
                again = self._evaluate()
                again.backward(create_graph=self.create_graph)
                self._add_noise()
                return again

            return (closure,)
        return ()

    # The per-step extras, by name: arrays of one row per step (see EXTRAS).

    def extras_before(self):
        """Recorded with the point: Schedule-Free's x, where eval() would put the weights (taken on
        a copy of the optimizer, so the run itself is not touched)."""
        if not self.schedule_free:
            return {}
        twin = copy.deepcopy(self.torch_optimizer)
        if twin.state:  # (before the first update there is no average yet: x is the point itself)
            with _quiet():
                twin.eval()
        return {"x": flat(twin.param_groups[0]["params"][0]).detach().numpy().copy()}

    def extras_after(self):
        """Recorded after the update: the step-size estimate d it used (Prodigy, D-Adaptation)."""
        if not self.estimates_d:
            return {}
        return {"d": np.float64(float(self.torch_optimizer.param_groups[0]["d"]))}


# The per-step extras a run may carry (Run.extras), one row per step: their meaning and shape.
EXTRAS = {
    "x": "Schedule-Free's averaged point (where eval() puts the weights), recorded with the point; "
         "(steps, 2)",
    "d": "the step-size estimate d the update used (Prodigy, D-Adaptation); (steps,)",
}


def stack_extras(rows):
    """Per-step dicts -> one array per name, row t for step t (empty when there are none)."""
    if not rows or not rows[0]:
        return {}
    return {name: np.stack([row[name] for row in rows]) for name in rows[0]}


def _quiet():
    """Swallow what a library prints (schedulefree's reference classes print each mode switch)."""
    return contextlib.redirect_stdout(io.StringIO())


def needs_closure(torch_optimizer):
    """Whether step() requires a closure by its signature (LBFGS)."""
    try:
        parameter = inspect.signature(torch_optimizer.step).parameters.get("closure")
    except (TypeError, ValueError):
        return False
    return parameter is not None and parameter.default is inspect.Parameter.empty
