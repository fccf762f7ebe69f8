"""What the legend says of each optimizer: its label and the settings that reproduce its run
(Scene.legend "short" or "full"), or its label alone ("label")."""

import functools
import inspect

# Flags that choose an implementation, not the update: left out of the short text.
IMPLEMENTATION = ("foreach", "fused", "capturable", "differentiable")
LIBRARIES = ("torch.optim", "pytorch_optimizer", "schedulefree")  # named with their class in the full text
SEPARATOR = "  "  # between the label and its settings: where a legend too narrow breaks the line


def text(optimizer, mode="short"):
    """The legend's text for `optimizer` (an anim.Optimizer): 'Adam  lr 0.1' (short: the
    hyperparameters that differ from its factory's defaults, the learning rate always, what a
    sweep set left to the label), 'Adam  torch.optim.Adam, lr 0.1, betas (0.9, 0.999), ...'
    (full: every hyperparameter given, at full precision, the scheduler, the gradient noise), or
    'Adam' (label). Gradient clipping and hyperparameters a tuner chose show when the optimizer
    carries them (`clip_grad_norm`, `clip_norm_type`, `clip_grad_value`, `tuned`)."""
    if mode == "label":
        return optimizer.label
    full = mode == "full"
    number = repr if full else _short
    given = dict(optimizer.hyperparameters)
    defaults = _defaults(optimizer.factory)
    tuned = set(getattr(optimizer, "tuned", None) or ())
    shown = {}
    if "lr" in defaults and "lr" not in given and isinstance(defaults["lr"], (int, float)):
        shown["lr"] = defaults["lr"]  # the learning rate a picture is read by, even the default
    for name, value in given.items():
        if name in optimizer.swept:
            continue  # the label says it ('SGD lr=0.1')
        default = name in defaults and _same(value, defaults[name]) and name != "lr"
        if not full and (name in IMPLEMENTATION or default):
            continue
        shown[name] = value
    parts = [_setting(name, value, number) + (" (tuned)" if name in tuned else "") for name, value in shown.items()]
    parts += _clipping(optimizer, number)
    if optimizer.scheduler is not None:
        parts.append(_scheduler(optimizer.scheduler, full))
    noise = getattr(optimizer, "grad_noise", None)
    if noise and "grad_noise" not in optimizer.swept:
        parts.append(f"grad noise {number(noise)}" + (f" (seed {optimizer.noise_seed})" if full and optimizer.noise_seed is not None else ""))
    if full:
        parts.insert(0, _name(optimizer.factory))
    return optimizer.label + (SEPARATOR + ", ".join(parts) if parts else "")


def _clipping(optimizer, number):
    """'clipped at 1' (the gradient's norm; '(L1 norm)' for another norm than 2), 'clipped at ±0.5'
    (each gradient value)."""
    parts = []
    norm = getattr(optimizer, "clip_grad_norm", None)
    if norm is not None:
        kind = float(getattr(optimizer, "clip_norm_type", 2.0) or 2.0)
        parts.append(f"clipped at {number(norm)}" + ("" if kind == 2.0 else f" (L{number(kind)} norm)"))
    value = getattr(optimizer, "clip_grad_value", None)
    if value is not None:
        parts.append(f"clipped at \u00b1{number(value)}")
    return parts


def _setting(name, value, number):
    """'lr 0.1', 'betas (0.9, 0.99)', 'nesterov' (True), 'amsgrad off' (False)."""
    if value is True:
        return name
    if value is False:
        return f"{name} off"
    if isinstance(value, (int, float)):
        return f"{name} {number(value)}"
    if isinstance(value, tuple) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        return f"{name} ({', '.join(number(v) for v in value)})"
    return f"{name} {value!r}" if isinstance(value, str) else f"{name} {_brief(value)}"


def _short(value):
    """A number in at most four significant digits, as a lecturer writes it: 0.1, 10, 1e-5."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return str(value)
    shown = format(value, ".4g")
    if "e" in shown:
        mantissa, exponent = shown.split("e")
        shown = f"{mantissa}e{int(exponent)}"
    return shown


def _same(value, default):
    """Whether a given value is the default (True is not 1 here)."""
    if isinstance(value, bool) or isinstance(default, bool):
        return value is default
    try:
        return bool(value == default)
    except Exception:  # a value that does not compare to one truth value (a tensor)
        return False


def _defaults(factory):
    """{keyword: default} of the factory's signature; {} if it has none to read."""
    try:
        parameters = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):
        return {}
    return {p.name: p.default for p in parameters if p.default is not inspect.Parameter.empty}


def _scheduler(scheduler, full):
    """'StepLR' (short) or 'StepLR(step_size=30, gamma=0.5)' (full); 'scheduled lr' for a lambda."""
    if isinstance(scheduler, functools.partial):
        name = getattr(scheduler.func, "__name__", "scheduled lr")
        if full and (scheduler.args or scheduler.keywords):
            given = [repr(a) for a in scheduler.args] + [f"{k}={v!r}" for k, v in scheduler.keywords.items()]
            return f"{name}({', '.join(given)})"
        return name
    name = getattr(scheduler, "__name__", "")
    return name if name and name != "<lambda>" else "scheduled lr"


def _name(factory):
    """The factory as a scene names it: torch.optim.Adam, pytorch_optimizer.Lion, or its own name."""
    module = getattr(factory, "__module__", "") or ""
    name = getattr(factory, "__qualname__", None) or type(factory).__name__
    library = next((known for known in LIBRARIES if module == known or module.startswith(known + ".")), None)
    return f"{library}.{name}" if library else name


def _brief(value, limit=24):
    shown = " ".join(repr(value).split())
    return shown if len(shown) <= limit else shown[:limit - 3] + "..."
