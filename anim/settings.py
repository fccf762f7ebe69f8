"""Render settings (views, formats, quality, pace, theme) and the output files they imply."""

import math
from dataclasses import dataclass

VIEWS = ("contour", "surface", "dashboard", "grid")
DEFAULT_VIEWS = ("contour", "surface")
FORMATS = ("mp4", "gif", "webm", "png")
DEFAULT_FORMATS = ("mp4", "gif")
VIDEO_FORMATS = ("mp4", "gif", "webm")  # animations; a png is the last frame alone
STILL_FORMATS = ("png", "svg", "pdf")    # the static figures of `optianim still`
THEMES = ("light", "dark")
# Like manim's presets: name -> (width, height, fps).
QUALITIES = {"low": (854, 480, 15), "medium": (1280, 720, 30), "high": (1920, 1080, 60), "4k": (3840, 2160, 60)}
DEFAULT_QUALITY = "medium"
GIF_MAX_WIDTH = 960   # slides: labels stay legible when the GIF fills a slide
GIF_TARGET_FPS = 15   # each GIF frame delay a whole number of 1/100 s near this; >= 20 ms always
MIN_SIDE = 64


@dataclass(frozen=True)
class Settings:
    """How to render: every field has the default a lecturer would keep."""

    views: tuple = DEFAULT_VIEWS
    formats: tuple = DEFAULT_FORMATS
    width: int = 1280
    height: int = 720
    fps: int = 30
    pace: float = 30.0        # optimizer updates per second of video, whatever the fps
    hold_start: float = 0.5   # seconds on the start points before the first update
    hold_end: float = 2.0     # seconds on the final paths
    theme: str = "light"
    transparent: bool = False  # PNG and WebM get an alpha channel; MP4 and GIF stay opaque
    trail: int = 0            # updates of path kept behind each head, fading out; 0 = the whole path
    gif_max_mb: float = 0.0   # shrink each GIF until it fits; 0 = no limit
    jobs: int = 0             # worker processes for 3-D frames; 0 = every core

    def __post_init__(self):
        for name in ("width", "height"):
            value = getattr(self, name)
            if value < MIN_SIDE:
                raise ValueError(f"{name} must be at least {MIN_SIDE} pixels, got {value}")
            # H.264 in yuv420p needs even sides: round odd sizes down.
            object.__setattr__(self, name, value - value % 2)
        if self.fps < 1:
            raise ValueError(f"fps must be at least 1, got {self.fps}")
        if not self.pace > 0:
            raise ValueError(f"pace must be more than 0 updates per second, got {self.pace}")
        if not self.views or set(self.views) - set(VIEWS):
            raise ValueError(f"views must be some of {VIEWS}, got {self.views}")
        if not self.formats or set(self.formats) - set(FORMATS):
            raise ValueError(f"formats must be some of {FORMATS}, got {self.formats}")
        if self.theme not in THEMES:
            raise ValueError(f"theme must be one of {THEMES}, got {self.theme!r}")
        if self.hold_start < 0 or self.hold_end < 0:
            raise ValueError(f"holds must be >= 0 seconds, got {self.hold_start} and {self.hold_end}")
        if self.trail < 0 or self.gif_max_mb < 0:
            raise ValueError(f"trail and gif_max_mb must be >= 0, got {self.trail} and {self.gif_max_mb}")

    @classmethod
    def preset(cls, quality=DEFAULT_QUALITY, size=None, fps=None, **fields):
        """The settings of a quality preset, its size and fps overridden where given."""
        width, height, preset_fps = QUALITIES[quality]
        if size is not None:
            width, height = size
        return cls(width=width, height=height, fps=fps or preset_fps, **fields)

    @property
    def gif_step(self):
        """The GIF keeps every gif_step-th video frame."""
        return max(1, round(self.fps / GIF_TARGET_FPS))

    @property
    def gif_fps(self):
        return self.fps / self.gif_step

    @property
    def gif_size(self):
        width = min(self.width, GIF_MAX_WIDTH)
        height = round(width * self.height / self.width)
        return (width, height - height % 2)


@dataclass(frozen=True)
class Output:
    """One file a render writes: its name and what a decoder will read back from it."""

    view: str
    format: str
    frames: int
    fps: float
    width: int
    height: int

    @property
    def filename(self):
        return f"{self.view}.{self.format}"

    @property
    def duration(self):
        return self.frames / self.fps


def motion_frames(steps, settings):
    """Frames from the first point to the last at `pace` updates per second (at least one)."""
    return round((steps - 1) * settings.fps / settings.pace) + 1


def frame_count(steps, settings):
    """Video frames for a scene of `steps` updates: start hold, the motion, end hold."""
    return (hold_frames(settings.hold_start, settings.fps) + motion_frames(steps, settings)
            + hold_frames(settings.hold_end, settings.fps))


def hold_frames(seconds, fps):
    return round(seconds * fps)


def outputs(steps, settings):
    """Every file a render of `steps` updates writes for its views, in writing order.

    A GIF under --gif-max-mb may come out with fewer frames or pixels: these are its most.
    """
    frames = frame_count(steps, settings)
    planned = []
    for view in settings.views:
        for fmt in settings.formats:
            if fmt == "gif":
                width, height = settings.gif_size
                planned.append(Output(view, fmt, math.ceil(frames / settings.gif_step),
                                      settings.gif_fps, width, height))
            elif fmt == "png":
                planned.append(Output(view, fmt, 1, settings.fps, settings.width, settings.height))
            else:
                planned.append(Output(view, fmt, frames, settings.fps, settings.width, settings.height))
    return planned
