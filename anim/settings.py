"""Render settings (views, formats, size, rates, holds) and the output files they imply."""

import math
from dataclasses import dataclass

VIEWS = ("contour", "surface")
FORMATS = ("mp4", "gif")
GIF_MAX_WIDTH = 960   # slides: labels stay legible when the GIF fills a slide
GIF_TARGET_FPS = 15   # each GIF frame delay a whole number of 1/100 s near this; >= 20 ms always
MIN_SIDE = 64


@dataclass(frozen=True)
class Settings:
    """How to render: every field has the default a lecturer would keep."""

    views: tuple = VIEWS
    formats: tuple = FORMATS
    width: int = 1280
    height: int = 720
    fps: int = 30
    hold_start: float = 0.5   # seconds on the start points before the first update
    hold_end: float = 2.0     # seconds on the final paths
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
        if not self.views or set(self.views) - set(VIEWS):
            raise ValueError(f"views must be some of {VIEWS}, got {self.views}")
        if not self.formats or set(self.formats) - set(FORMATS):
            raise ValueError(f"formats must be some of {FORMATS}, got {self.formats}")
        if self.hold_start < 0 or self.hold_end < 0:
            raise ValueError(f"holds must be >= 0 seconds, got {self.hold_start} and {self.hold_end}")

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
        return (width, round(width * self.height / self.width))


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


def frame_count(steps, settings):
    """Video frames for a scene of `steps` updates: start hold, one frame per update, end hold."""
    return hold_frames(settings.hold_start, settings.fps) + steps + hold_frames(settings.hold_end, settings.fps)


def hold_frames(seconds, fps):
    return round(seconds * fps)


def outputs(steps, settings):
    """Every animation file a render of `steps` updates writes, in writing order."""
    frames = frame_count(steps, settings)
    planned = []
    for view in settings.views:
        for fmt in settings.formats:
            if fmt == "gif":
                width, height = settings.gif_size
                planned.append(Output(view, fmt, math.ceil(frames / settings.gif_step),
                                      settings.gif_fps, width, height))
            else:
                planned.append(Output(view, fmt, frames, settings.fps, settings.width, settings.height))
    return planned
