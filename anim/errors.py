"""The error hierarchy: every failure a user can cause or meet, with a message meant for them."""


class AnimError(Exception):
    """Base of every optianim error; its message is shown to the user as it is."""


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
