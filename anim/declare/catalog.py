"""Optimizers by name: torch.optim, pytorch_optimizer's registry and schedulefree, looked up for a
scene; which ones cannot step two weights and why (anim.compute.probe tries the others)."""

import difflib
import importlib
import inspect
from dataclasses import dataclass

from anim.errors import SceneError

EXTRA = "pip install 'optianim[optimizers]'"
# The libraries a name may come from: what a name looks like there, and how it is installed.
LIBRARIES = ("torch.optim", "pytorch_optimizer", "schedulefree")

# Optimizers that cannot step two dense weights, whatever their hyperparameters: why, for the
# message that refuses them before rendering and for the listing. Keyed (library, class name).
REFUSED = {
    ("torch.optim", "SparseAdam"): "it takes sparse gradients only (those of nn.Embedding(sparse=True))",
    ("pytorch_optimizer", "LOMO"): "it needs the model (an nn.Module): it fuses the update into the backward pass",
    ("pytorch_optimizer", "AdaLOMO"): "it needs the model (an nn.Module): it fuses the update into the backward "
                                      "pass",
    ("pytorch_optimizer", "AdamMini"): "it needs the model (an nn.Module): it partitions the weights by layer name",
    ("pytorch_optimizer", "DistributedMuon"): "it is for distributed training only (an initialised process group)",
    ("pytorch_optimizer", "DeMo"): "it is for distributed training only (it exchanges compressed momenta "
                                   "between processes)",
    ("pytorch_optimizer", "LoRARite"): "it updates LoRA factor pairs (lora_a, lora_b) of a model only; a lone "
                                       "weight is skipped",
}


# What to know about an optimizer that steps two weights: the hyperparameter it needs, or what is recorded.
NOTES = {
    ("pytorch_optimizer", "Ranger21"): "give num_iterations (the run's length)",
    ("pytorch_optimizer", "BSAM"): "give num_data, and foreach=False (its batched path fails on CPU)",
    ("pytorch_optimizer", "SaRA"): "it moves only weights that start below threshold (1e-3): give threshold and lr",
    ("pytorch_optimizer", "AdaShift"): "it moves only after keep_num (10) updates",
    **{("schedulefree", name): "the point recorded is its x: it moves to y, where the gradient is taken, only "
                               "inside its closure" for name in ("AdamWScheduleFreeClosure", "RAdamScheduleFreeClosure",
                                                                 "SGDScheduleFreeClosure")},
}


@dataclass(frozen=True)
class Entry:
    """One optimizer on offer: the name a scene gives (`Optimizer(label, name)`), its library and class."""

    name: str
    library: str
    cls: type


def _known(factory, table):
    """The value `table` holds for the class `factory` (keyed (library, class name)), or None."""
    for (library, name), value in table.items():
        if isinstance(factory, type) and factory.__name__ == name and factory.__module__.startswith(library):
            return value
    return None


def refusal(factory):
    """Why the optimizer class `factory` cannot step two dense weights, or None."""
    return _known(factory, REFUSED)


def known_note(factory):
    """What to know about the optimizer class `factory` that steps two weights (NOTES), or None."""
    return _known(factory, NOTES)


def _import(library):
    """The library's module, or None when it is not installed."""
    try:
        return importlib.import_module(library)
    except ImportError:
        return None


def entries(library):
    """Every optimizer `library` offers here (none if it is not installed), by the name a scene gives."""
    module = _import(library)
    if module is None:
        return []
    if library == "pytorch_optimizer":  # its registry: lower-case names, as its load_optimizer takes
        from pytorch_optimizer.optimizer import OPTIMIZERS

        return [Entry(name, library, cls) for name, cls in sorted(OPTIMIZERS.items())]
    import torch

    return [Entry(f"{library}.{name}", library, value) for name, value in sorted(vars(module).items())
            if inspect.isclass(value) and issubclass(value, torch.optim.Optimizer) and value is not torch.optim.Optimizer
            and not name.startswith("_")]


def resolve(name, field):
    """The optimizer class a scene names: a name of pytorch_optimizer's registry ('lion', any case),
    or 'torch.optim.Adam' / 'schedulefree.AdamWScheduleFree' / 'pytorch_optimizer.Lion'. An unknown
    name gets the closest known ones; a library that is not installed, the pip line that brings it."""
    library, dot, attribute = name.rpartition(".")
    if not dot:
        library, attribute = "pytorch_optimizer", name
    if library not in LIBRARIES:
        raise SceneError(f"{field}: {name!r} names no optimizer library; give a name of pytorch_optimizer's "
                         f"registry ('lion') or one of {', '.join(f'{lib}.Name' for lib in LIBRARIES)}")
    module = _import(library)
    if module is None:
        raise SceneError(f"{field}: {name!r} is an optimizer of {library}, which is not installed; {EXTRA}")
    known = {entry.name.lower(): entry for entry in entries(library)}
    if library == "pytorch_optimizer" and dot:  # pytorch_optimizer.Lion: its class by attribute
        value = getattr(module, attribute, None)
        if inspect.isclass(value) and value in {entry.cls for entry in known.values()}:
            return value
    entry = known.get((attribute if library == "pytorch_optimizer" and not dot else name).lower())
    if entry is not None:
        return entry.cls
    raise SceneError(f"{field}: no optimizer named {name!r}{_closest(name)}; `optianim optimizers` lists every one")


def _closest(name):
    """' (did you mean ...?)' with the closest names of every installed library, or ''."""
    names = [entry.name for library in LIBRARIES for entry in entries(library)]
    by_lower = {n.lower(): n for n in names}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=3, cutoff=0.6)
    return f" (did you mean {' or '.join(repr(by_lower[c]) for c in close)}?)" if close else ""
