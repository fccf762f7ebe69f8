"""torch._dynamo left unloaded until something needs it: outside a compiled region, what torch.optim
asks of it (a graph break before and after each step, a dynamo-disabled wrapper around a few
methods) does nothing, and importing it costs about a second of CPU (sympy included)."""

import importlib
import sys
import threading
import types

NAME = "torch._dynamo"
NO_OPS = ("graph_break", "disable")  # what torch.optim calls; anything else loads the real module
_lock = threading.RLock()  # re-entered: importing the real module reads torch._dynamo's names


class Deferred(types.ModuleType):
    """Stands in for torch._dynamo in sys.modules. `graph_break` and `disable` do what the real ones
    do outside a compiled region (nothing, and call the function) until the real module is loaded;
    any other name loads it (so torch.compile, or a scene that imports dynamo, gets the real one),
    and from then on every call goes to it."""

    def __init__(self):
        super().__init__(NAME, "deferred by optianim: loaded on first use beyond graph_break and disable")
        self.__dict__["_real"] = None

    def graph_break(self, msg=""):
        real = self._real or _loaded()
        if real is not None:
            return real.graph_break(msg)
        return None

    def disable(self, fn=None, recursive=True, **options):
        if fn is None:  # @disable(recursive=False)
            return lambda function: self.disable(function, recursive, **options)
        cached = []

        def guarded(*args, **kwargs):
            real = self._real or _loaded()
            if real is None:  # nothing can be compiling: dynamo was never loaded
                return fn(*args, **kwargs)
            if not cached:
                cached.append(real.disable(fn, recursive, **options))
            return cached[0](*args, **kwargs)

        guarded.__wrapped__ = fn
        return guarded

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__") and name != "__path__":  # __file__ too: it has none
            raise AttributeError(name)
        return getattr(self._load(), name)

    def _load(self):
        with _lock:
            if self._real is None:
                if self.__dict__.get("_loading"):  # asked while it imports: the module as far as it got
                    return sys.modules[NAME]
                self.__dict__["_loading"] = True
                try:
                    if sys.modules.get(NAME) is self:
                        del sys.modules[NAME]
                    self.__dict__["_real"] = importlib.import_module(NAME)
                finally:
                    self.__dict__["_loading"] = False
        return self._real


def _loaded():
    """The real torch._dynamo if something imported it meanwhile, else None."""
    module = sys.modules.get(NAME)
    return None if module is None or isinstance(module, Deferred) else module


def defer():
    """Put the stand-in in place of torch._dynamo, unless torch has loaded the real one already."""
    torch = sys.modules.get("torch")
    if torch is None or NAME in sys.modules:
        return
    with _lock:
        if NAME not in sys.modules:
            stand_in = Deferred()
            sys.modules[NAME] = stand_in
            torch._dynamo = stand_in
