"""Render settings (views, formats, quality, pace, theme) and the output files they imply."""

import dataclasses
import math
from dataclasses import dataclass

from anim.declare.scene import LEGENDS
from anim.errors import SceneError, UsageError
from anim.look.colors import DEFICIENCIES
from anim.look.themes import THEMES
from anim.look.views import DEFAULT_VIEWS, VIEWS
from anim.write.formats import DEFAULT_FORMATS, FORMATS, X264_CRF, X264_PRESET, frame_formats

STILL_FORMATS = ("png", "svg", "pdf")  # the static figures of `optianim still` (matplotlib draws them)
# Like manim's presets: name -> (width, height, fps).
QUALITIES = {"low": (854, 480, 15), "medium": (1280, 720, 30), "high": (1920, 1080, 60), "4k": (3840, 2160, 60)}
DEFAULT_QUALITY = "medium"
SLIDE_MAX_WIDTH = 960  # GIF and WebP, for slides: labels stay legible when the picture fills a slide
SLIDE_TARGET_FPS = 15  # each GIF frame delay a whole number of 1/100 s near this; >= 20 ms always
MIN_SIDE = 64
# explore.html's script (three.js and the page's): in each page, or once at the output root for a course site
HTML_SCRIPTS = ("inline", "shared")
SCENE_TIMEOUT = 1800  # seconds a scene of a batch here may render before it is stopped (--scene-timeout)
SCHEDULER_TIMEOUT = 5  # seconds to reach a Dask scheduler and hear it answer as one (--scheduler-timeout)


@dataclass(frozen=True)
class Settings:
    """How to render: every field has the default a lecturer would keep."""

    views: object = None      # view names; None = those the scene declares (Scene.views), else DEFAULT_VIEWS
    formats: tuple = DEFAULT_FORMATS
    width: int = 1280
    height: int = 720
    fps: int = 30
    pace: float = 30.0        # optimizer updates per second of video, whatever the fps
    hold_start: float = 0.5   # seconds on the start points before the first update
    hold_end: float = 2.0     # seconds on the final paths
    theme: str = "light"
    transparent: bool = False  # formats with alpha keep it (see formats.Format.alpha); the others stay opaque
    trail: int = 0            # updates of path kept behind each head, fading out; 0 = the whole path
    gif_max_mb: float = 0.0   # shrink each GIF until it fits; 0 = no limit
    jobs: int = 0             # worker processes for 3-D frames; 0 = every core
    cvd_preview: object = None  # a deficiency of anim.look.colors.DEFICIENCIES: frames show what it sees
    overlays: object = None   # arrows at the heads (anim.look.arrows), instead of the scene's; None = the scene's
    html_script: str = "inline"  # explore.html carries its script ('inline'), or loads it from the output root ('shared')
    pptx_media: str = "gif"   # what a pptx deck embeds: the GIF (a picture that animates) or the MP4 (a movie)
    legend: object = None     # what the legend says of each optimizer (Scene.legend's LEGENDS); None = the scene's

    def __post_init__(self):
        for name in ("width", "height"):
            value = getattr(self, name)
            if not _whole(value) or value < MIN_SIDE:
                raise UsageError(f"{name}: must be a whole number of at least {MIN_SIDE} pixels, got {value!r}")
            # H.264 in yuv420p needs even sides: round odd sizes down.
            object.__setattr__(self, name, value - value % 2)
        if not _whole(self.fps) or self.fps < 1:
            raise UsageError(f"fps: must be a whole number of frames per second, at least 1, got {self.fps!r}")
        if not _number(self.pace) or not self.pace > 0:
            raise UsageError(f"pace: must be more than 0 updates per second, got {self.pace!r}")
        for name, known in (("views", VIEWS), ("formats", FORMATS)):
            value = getattr(self, name)
            if value is None and name == "views":
                continue
            if isinstance(value, str):
                value = (value,)
            value = tuple(dict.fromkeys(value))
            unknown = [v for v in value if v not in known]
            if not value or unknown:
                raise UsageError(f"{name}: {', '.join(map(repr, unknown)) or 'none given'}; "
                                 f"use one or more of {', '.join(known)}")
            object.__setattr__(self, name, value)
        if self.theme not in THEMES:
            raise UsageError(f"theme: got {self.theme!r}; use one of {', '.join(THEMES)}")
        for name in ("hold_start", "hold_end", "trail", "gif_max_mb", "jobs"):
            if not _number(getattr(self, name)) or getattr(self, name) < 0:
                raise UsageError(f"{name}: must be a number >= 0, got {getattr(self, name)!r}")
        if self.cvd_preview is not None and self.cvd_preview not in DEFICIENCIES:
            raise UsageError(f"cvd_preview: got {self.cvd_preview!r}; use one of {', '.join(DEFICIENCIES)} "
                             "(or None for the colours as they are)")
        if self.overlays is not None:
            overlays = (self.overlays,) if isinstance(self.overlays, str) else self.overlays
            if not isinstance(overlays, (tuple, list)) or not all(isinstance(o, str) and o for o in overlays):
                raise UsageError(f"overlays: got {self.overlays!r}; use overlay names such as 'gradient', 'update', "
                                 "'momentum' or a state key")
            object.__setattr__(self, "overlays", tuple(dict.fromkeys(overlays)))
        if self.html_script not in HTML_SCRIPTS:
            raise UsageError(f"html_script: got {self.html_script!r}; use one of {', '.join(HTML_SCRIPTS)}")
        for fmt in FORMATS.values():  # a document's choice of what it embeds, which the render then writes too
            if fmt.chooser and getattr(self, fmt.chooser) not in fmt.embeds:
                raise UsageError(f"{fmt.chooser}: got {getattr(self, fmt.chooser)!r}; "
                                 f"use one of {', '.join(fmt.embeds)}")
        embedded = [FORMATS[name].embedded(self) for name in self.formats]
        object.__setattr__(self, "formats", tuple(dict.fromkeys([*self.formats, *filter(None, embedded)])))
        if self.legend is not None and self.legend not in LEGENDS:
            raise UsageError(f"legend: got {self.legend!r}; use one of {', '.join(LEGENDS)} (or None for the scene's)")
        if not _whole(self.trail) or not _whole(self.jobs):
            raise UsageError(f"trail and jobs: must be whole numbers, got {self.trail!r} and {self.jobs!r}")

    def for_scene(self, scene):
        """These settings with views chosen: those asked, else the scene's own (`views`), else
        contour and surface. A name the scene gives that is no view is a SceneError."""
        if self.views is not None:
            return self
        unknown = [view for view in scene.views if view not in VIEWS]
        if unknown:
            raise SceneError(f"views: {', '.join(map(repr, unknown))} "
                             f"{'is no view' if len(unknown) == 1 else 'are no views'}; use one or more of "
                             f"{', '.join(VIEWS)}")
        return dataclasses.replace(self, views=scene.views or DEFAULT_VIEWS)

    @classmethod
    def preset(cls, quality=DEFAULT_QUALITY, size=None, fps=None, **fields):
        """The settings of a quality preset, its size and fps overridden where given."""
        if quality not in QUALITIES:
            raise UsageError(f"quality: got {quality!r}; use one of {', '.join(QUALITIES)}")
        width, height, preset_fps = QUALITIES[quality]
        if size is not None:
            width, height = size
        return cls(width=width, height=height, fps=preset_fps if fps is None else fps, **fields)

    @property
    def slide_step(self):
        """Slide formats (GIF, WebP) keep every slide_step-th video frame."""
        return max(1, round(self.fps / SLIDE_TARGET_FPS))

    @property
    def slide_size(self):
        """The size of slide formats: at most SLIDE_MAX_WIDTH wide, the video's aspect, even sides."""
        width = min(self.width, SLIDE_MAX_WIDTH)
        height = round(width * self.height / self.width)
        return (width, height - height % 2)

    @property
    def folder_suffix(self):
        """'-deuteranopia' under a colour-vision preview, else '': a preview renders into
        OUT/<scene name>-<deficiency>/, beside the real files, never over them."""
        return f"-{self.cvd_preview}" if self.cvd_preview else ""

    def described(self):
        """The settings as the manifest records them."""
        return {"fps": self.fps, "width": self.width, "height": self.height, "pace": self.pace,
                "hold_start": self.hold_start, "hold_end": self.hold_end, "theme": self.theme,
                "transparent": self.transparent, "trail": self.trail, "gif_max_mb": self.gif_max_mb or None,
                "x264_preset": X264_PRESET, "x264_crf": X264_CRF, "cvd_preview": self.cvd_preview,
                "overlays": None if self.overlays is None else list(self.overlays), "html_script": self.html_script,
                "pptx_media": self.pptx_media, "views": None if self.views is None else list(self.views),
                "legend": self.legend}


def from_keywords(views=None, formats=None, quality=DEFAULT_QUALITY, size=None, fps=None, pace=Settings.pace,
                  theme=Settings.theme, transparent=False, trail=0, gif_max_mb=None, jobs=None, cvd_preview=None,
                  overlays=None, html_script=Settings.html_script, pptx_media=Settings.pptx_media, legend=None):
    """The Settings that anim.render's keywords (and `optianim render`'s options) ask for: a
    quality preset, its size ((w, h) or 'WxH') and fps overridden where given; UsageError naming
    a keyword whose value cannot be used."""
    fields = dict(pace=pace, theme=theme, transparent=bool(transparent), trail=trail,
                  gif_max_mb=gif_max_mb or 0.0, jobs=jobs or 0, cvd_preview=cvd_preview, overlays=overlays,
                  html_script=html_script, pptx_media=pptx_media, legend=legend)
    if views:
        fields["views"] = views
    if formats:
        fields["formats"] = formats
    return Settings.preset(quality, size=parse_size(size), fps=fps, **fields)


def parse_size(size):
    """(width, height) from (w, h) or 'WxH'; None stays None."""
    if size is None:
        return None
    if isinstance(size, str):
        try:
            return tuple(int(part) for part in size.lower().split("x", 1))
        except ValueError:
            raise UsageError(f"size: {size!r} is not WIDTHxHEIGHT, e.g. 1280x720") from None
    if isinstance(size, (tuple, list)) and len(size) == 2:
        return tuple(size)
    raise UsageError(f"size: got {size!r}; use (width, height) or 'WIDTHxHEIGHT'")


@dataclass(frozen=True)
class Output:
    """One file a render writes: its name and what a decoder will read back from it."""

    view: object  # None for a document (one per scene)
    format: str
    frames: object
    fps: object
    width: object
    height: object
    document: str = None  # a document's file name

    @property
    def filename(self):
        return self.document or f"{self.view}.{self.format}"

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
    """Every file a render of `steps` updates writes for its views, then its documents, in writing order.

    A GIF under --gif-max-mb may come out with fewer pixels (never fewer frames): these are its most.
    """
    frames = frame_count(steps, settings)
    planned = []
    for view in settings.views or DEFAULT_VIEWS:  # (without a scene, settings that leave views to it)
        for name in frame_formats(settings.formats):
            rule = FORMATS[name].frames
            if rule == "slide":
                planned.append(Output(view, name, math.ceil(frames / settings.slide_step),
                                      settings.fps / settings.slide_step, *settings.slide_size))
            else:
                planned.append(Output(view, name, 1 if rule == "last" else frames, settings.fps,
                                      settings.width, settings.height))
    for name in settings.formats:
        if FORMATS[name].document:
            planned.append(Output(None, name, None, None, None, None, FORMATS[name].filename))
    return planned


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _whole(value):
    return isinstance(value, int) and not isinstance(value, bool)
