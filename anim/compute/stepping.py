"""How one optimizer is stepped, on a surface's point or a network's weights, as its authors
document it: the weights' shape and parameter groups (Muon's matrices, AdamW beside it), the
closure, the gradient with create_graph, Schedule-Free's train(), gradient clipping, and the
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


# A network's weights: matrix-only optimizers step its weight matrices, and the rest (biases, gains)
# as their docs show. torch.optim.Muon's docstring: Muon on every 2-D parameter, and beside it
# torch.optim.AdamW(other_params, lr=3e-4, weight_decay=0.01); SpectralSphere (2-D only, its docs
# show no other use) likewise. pytorch_optimizer's Muon family steps both itself: matrices in a
# use_muon=True group, the rest in a use_muon=False group (its own AdamW).
COMPANION = dict(lr=3e-4, weight_decay=0.01)  # torch.optim.Muon's example AdamW for the parameters it cannot step


def network_params(factory, parameters):
    """(what the factory is given, the parameters a companion AdamW steps) for a network's
    `parameters` (its parameters() list)."""
    matrices = [p for p in parameters if p.dim() >= 2]
    rest = [p for p in parameters if p.dim() < 2]
    if _is(factory, _USE_MUON):
        groups = [dict(params=matrices, use_muon=True), dict(params=rest, use_muon=False)]
        return [group for group in groups if group["params"]], []
    if _is(factory, _MATRIX):
        return [p for p in parameters if p.dim() == 2], [p for p in parameters if p.dim() != 2]
    return list(parameters), []


def companion(torch, rest):
    """The AdamW that steps the parameters a matrix-only optimizer cannot (see network_params), or None."""
    return torch.optim.AdamW(rest, **COMPANION) if rest else None


class Stepping:
    """Steps one built optimizer (and its companion, if any) on `weights`, the tensors whose values
    make the point, in order (a surface's one weight, or a network's parameters()); `evaluate()`
    gives the loss at them (for a closure), `add_noise()` adds the gradient noise to their gradient,
    `clip()` (anim.compute.clipping) clips it before the step.

    Use: `begin()` once; each step `backward(loss)`, then `step(*step_args(loss))`;
    `extras_before()` where the point is recorded and `extras_after()` after the step. When it
    clips, `unclipped` holds the gradient of weights[0] as it was before the last clipping."""

    def __init__(self, torch_optimizer, weights, evaluate, add_noise=None, clip=None, companion=None):
        cls = type(torch_optimizer)
        self.torch_optimizer, self._evaluate = torch_optimizer, evaluate
        self._add_noise, self._clip = add_noise or (lambda: None), clip
        self.weights, self.companion = list(weights), companion
        self.unclipped = None
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
        """The gradient of `loss` into the weights, plus the gradient noise, then clipped, unless a
        closure computes the gradients the step uses (it adds the noise to those and clips them)."""
        self.unclipped = None
        self._zero_grad()
        self._gradient(loss)
        if self.closure != "reevaluate":
            self._noise_and_clip()

    def _zero_grad(self):
        self.torch_optimizer.zero_grad()
        if self.companion is not None:
            self.companion.zero_grad()

    def _gradient(self, loss):
        """loss.backward(); for Hessian optimizers the gradient keeps its graph, for their
        Hessian-vector products: taken with torch.autograd.grad(create_graph=True) and set as each
        parameter's .grad, as torch recommends (backward(create_graph=True) would tie each
        parameter and its gradient in a reference cycle, and warns so)."""
        if not self.create_graph:
            loss.backward()
            return
        import torch

        parameters = self._parameters()
        for parameter, grad in zip(parameters, torch.autograd.grad(loss, parameters, create_graph=True,
                                                                   allow_unused=True)):
            parameter.grad = grad

    def _parameters(self):
        """Every parameter the optimizer (and its companion) steps, once each."""
        optimizers = [self.torch_optimizer] + ([self.companion] if self.companion is not None else [])
        found = {}
        for optimizer in optimizers:
            for group in optimizer.param_groups:
                for parameter in group["params"]:
                    found.setdefault(id(parameter), parameter)
        return list(found.values())

    def _noise_and_clip(self):
        self._add_noise()
        if self._clip is not None:
            grad = self.weights[0].grad
            self.unclipped = None if grad is None else grad.detach().clone()
            self._clip()

    def step(self, *step_args):
        """The update: the optimizer's step (with a closure, if it takes one), then its companion's."""
        self.torch_optimizer.step(*step_args)
        if self.companion is not None:
            self.companion.step()

    def step_args(self, loss):
        """The arguments of step(): () or a closure."""
        if self.closure == "loss value":
            return (lambda: float(loss),)
        if self.closure == "reevaluate":

            def closure():  # re-evaluates the loss; each gradient it computes gets the next noise, then clipped
                self._zero_grad()
                again = self._evaluate()
                self._gradient(again)
                self._noise_and_clip()
                return again

            return (closure,)
        return ()

    # The per-step extras, by name: arrays of one row per step (see EXTRAS).

    def extras_before(self):
        """Recorded with the point: Schedule-Free's x, where eval() would put the weights (taken on
        a copy of the optimizer, so the run itself is not touched)."""
        if not self.schedule_free:
            return {}
        import torch

        originals = [p for group in self.torch_optimizer.param_groups for p in group["params"]]
        twin = copy.deepcopy(self.torch_optimizer)
        if twin.state:  # (before the first update there is no average yet: x is the point itself)
            with _quiet():
                twin.eval()
        copies = dict(zip(map(id, originals), (p for group in twin.param_groups for p in group["params"])))
        x = torch.cat([copies.get(id(w), w).detach().reshape(-1) for w in self.weights])
        return {"x": x.numpy().copy()}

    def extras_after(self):
        """Recorded after the update: the step-size estimate d it used (Prodigy, D-Adaptation)."""
        if not self.estimates_d:
            return {}
        return {"d": np.float64(float(self.torch_optimizer.param_groups[0]["d"]))}


# The per-step extras a run may carry (Run.extras), one row per step: their meaning and shape.
EXTRAS = {
    "x": "Schedule-Free's averaged point (where eval() puts the weights), recorded with the point; "
         "(steps, 2), or (steps, P) for a network's weights",
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
