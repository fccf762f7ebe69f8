"""The error hierarchy: every failure a user can cause or meet, with a message meant for them (and,
in a notebook, a traceback of their own code only)."""


import types


class AnimError(Exception):
    """Base of every optianim error; its message is shown to the user as it is."""

    whole_traceback = False  # True: IPython shows every frame, optianim's too (anim.render(..., debug=True))

    def _render_traceback_(self):
        """How IPython (a notebook) shows the error: the message under the frames of the user's
        code alone, down to their call into optianim, without optianim's internals or the error
        that led to it (as click and httpx keep theirs out of a user's traceback). The exception
        keeps its whole traceback for %debug."""
        from IPython import get_ipython

        formatter = get_ipython().InteractiveTB
        if self.whole_traceback:
            return formatter.structured_traceback(type(self), self, self.__traceback__)
        frames, tb = [], self.__traceback__
        while tb is not None and tb.tb_frame.f_globals.get("__name__", "").partition(".")[0] != "anim":
            frames.append(tb)
            tb = tb.tb_next
        users = None
        for tb in reversed(frames):
            users = types.TracebackType(users, tb.tb_frame, tb.tb_lasti, tb.tb_lineno)
        chained = self.__cause__, self.__context__, self.__suppress_context__
        self.__cause__, self.__context__, self.__suppress_context__ = None, None, True
        try:
            return formatter.structured_traceback(type(self), self, users)
        finally:
            self.__cause__, self.__context__, self.__suppress_context__ = chained


class SceneError(AnimError):
    """A scene file cannot be loaded, or the scene it defines is invalid."""

    def __init__(self, message, path=None, line=None):
        self.path = path
        self.line = line
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line else f"{path}: "
        super().__init__(where + message)


class UsageError(AnimError):
    """An option or keyword has a value optianim cannot use (the CLI's exit code 2)."""


class RenderError(AnimError):
    """Frames could not be drawn or written."""


class EncodeError(RenderError):
    """ffmpeg is missing or failed while encoding."""


class CacheError(AnimError):
    """The render cache cannot be cleared (a render never fails because of the cache)."""
