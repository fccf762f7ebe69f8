"""The only module that talks to ffmpeg: raw RGBA frames in, every registered format out, atomically."""

import contextlib
import io
import math
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from anim.errors import EncodeError
from anim.write import files
from anim.write.formats import FORMATS
from anim.write.manifest import FileRecord

PALETTE_SAMPLES = 8  # frames, spread over the video, that a GIF's 256 colours are chosen from
# No dither: on the views' flat-shaded cells and plain backgrounds a pattern dither only adds noise.
# Measured on the ravine's 3-D GIF (tests/bench/gif_quality.py): 4.2 MB at 43.1 dB mean PSNR
# against the raw frames, where Bayer (scale 4) gave 4.9 MB at 41.0 dB.
GIF_DITHER = "paletteuse=dither=none:diff_mode=rectangle"
GIF_WHOLE_FRAMES = ("-gifflags", "-transdiff")  # each GIF frame whole (its changed rectangle), not differenced
GIF_SOURCE = "gif_source"  # every frame at the GIF's size, lossless, kept for shrinking it under a size budget


def ffmpeg_exe():
    """Path of the ffmpeg binary imageio-ffmpeg ships (or IMAGEIO_FFMPEG_EXE)."""
    import imageio_ffmpeg

    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as exc:
        raise EncodeError(f"ffmpeg not found: {exc}. Reinstall imageio-ffmpeg "
                          "or point IMAGEIO_FFMPEG_EXE at an ffmpeg binary") from exc


def ffmpeg_version():
    import imageio_ffmpeg

    try:
        return imageio_ffmpeg.get_ffmpeg_version()
    except Exception:  # a broken or fake binary: the version is informational only
        return "unknown"


@dataclass(frozen=True)
class Shape:
    """The frames an encoder is fed (width x height at fps) and how slide formats (GIF, WebP)
    thin them: every `slide_step`-th frame, scaled to `slide_size`. `background` ('#rrggbb')
    says the frames are see-through: formats with alpha keep it, the others are laid on it.
    `whole` says every pixel changes from frame to frame (a turning 3-D view): a GIF then stores
    each frame whole, without transparency differencing, which would only cost bytes."""

    width: int
    height: int
    fps: float
    slide_step: int = 1
    slide_size: tuple = None
    background: object = None
    whole: bool = False

    def size(self, fmt):
        return (self.slide_size or (self.width, self.height)) if fmt.frames == "slide" else (self.width, self.height)

    def rate(self, fmt):
        return self.fps / self.slide_step if fmt.frames == "slide" else self.fps

    def frames(self, fmt, written):
        """How many frames a file of `fmt` holds after `written` were fed."""
        if fmt.frames == "last":
            return 1
        return math.ceil(written / self.slide_step) if fmt.frames == "slide" else written


def palette(frames, shape):
    """The GIF palette (16x16 RGBA, one pixel per colour) that ffmpeg's palettegen picks for the
    sample `frames` (HxWx4 RGBA arrays) as the GIF shows them (scaled, laid on the background).

    Choosing the colours from samples first lets the GIF be encoded while frames stream in, in
    constant memory; palettegen on the stream itself would hold every frame until the last.
    """
    gif_width, gif_height = shape.size(FORMATS["gif"])
    chain = f"scale={gif_width}:{gif_height}:flags=bicubic,palettegen=stats_mode=full:reserve_transparent=0"
    if shape.background is not None:
        chain = _flattened("[0:v]", shape.background, shape.width, shape.height, 1) + "," + chain
    args = [*_raw_rgba_input(shape.width, shape.height, 1), "-filter_complex", chain,
            "-f", "rawvideo", "-pix_fmt", "rgba", "pipe:1"]
    data = b"".join(memoryview(frame).cast("B") for frame in frames)
    colours = _run(args, "choosing the GIF palette", data)
    if len(colours) != 16 * 16 * 4:
        raise EncodeError(f"ffmpeg gave {len(colours)} bytes for the GIF palette, not {16 * 16 * 4}")
    return colours


def command(targets, shape, palette_path=None):
    """The ffmpeg argument list that encodes raw RGBA frames of `shape` into `targets`, which maps
    a format name (or GIF_SOURCE) to the path ffmpeg writes it to; a GIF needs the path of a raw
    16x16 RGBA palette from `palette`."""
    names = [name for name in targets if name == GIF_SOURCE or FORMATS[name].ffmpeg is not None]
    if not names:
        raise ValueError(f"no format ffmpeg writes among {sorted(targets)}")
    args = _raw_rgba_input(shape.width, shape.height, shape.fps)
    if "gif" in targets:
        if palette_path is None:
            raise ValueError("a GIF needs a palette: see encode.palette")
        args += ["-f", "rawvideo", "-pix_fmt", "rgba", "-s", "16x16", "-i", str(palette_path)]
    graph = ["[0:v]split=" + str(len(names)) + "".join(f"[in_{name}]" for name in names)]
    outputs = []
    for name in names:
        fmt = FORMATS["gif" if name == GIF_SOURCE else name]
        source = f"[in_{name}]"
        if shape.background is not None and not fmt.alpha:
            graph.append(_flattened(source, shape.background, shape.width, shape.height, shape.fps, f"bg_{name}")
                         + f"[flat_{name}]")
            source = f"[flat_{name}]"
        steps = []
        if fmt.frames == "slide":
            width, height = shape.size(fmt)
            # The budget's source keeps every frame: a GIF shrunk to a lower rate thins them its own way.
            thinned = "" if name == GIF_SOURCE else f"framestep={shape.slide_step},"
            steps.append(f"{thinned}scale={width}:{height}:flags=bicubic")
        if name == GIF_SOURCE:
            graph.append(f"{source}{','.join(steps) or 'null'}[out_{name}]")
            outputs += ["-map", f"[out_{name}]", "-c:v", "ffv1", "-f", "matroska", str(targets[name])]
            continue
        if fmt.palette:
            graph.append(f"{source}{','.join(steps) or 'null'}[pre_{name}];[pre_{name}][1:v]{GIF_DITHER}[out_{name}]")
        else:
            steps.append(_conversion(fmt, shape.background is not None))
            graph.append(f"{source}{','.join(steps)}[out_{name}]")
        whole = GIF_WHOLE_FRAMES if fmt.palette and shape.whole else ()
        outputs += ["-map", f"[out_{name}]", *fmt.ffmpeg, *whole, "-f", fmt.muxer, str(targets[name])]
    return [*args, "-filter_complex", ";".join(graph), *outputs]


def _conversion(fmt, transparent):
    """The filter turning RGBA into the format's stream: through the BT.709 matrix, tagged so,
    for videos; straight to the pixel format otherwise (libwebp converts with WebP's own matrix)."""
    pix_fmt = fmt.pixel_format(transparent)
    if fmt.fields.get("color_space") != "bt709":
        return f"format={pix_fmt}"
    return (f"scale=out_color_matrix=bt709:out_range=tv,format={pix_fmt},"
            "setparams=colorspace=bt709:color_primaries=bt709:color_trc=bt709:range=tv")


def _flattened(source, background, width, height, fps, label="bg"):
    """A filter graph piece: the frames of `source` laid on a plain `background` (a colour
    source named `label`), opaque."""
    return (f"color=c={background}:s={width}x{height}:r={fps}[{label}];"
            f"[{label}]{source}overlay=shortest=1:format=rgb")


def _quiet_ffmpeg():
    return [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]


def _raw_rgba_input(width, height, fps):
    """ffmpeg, quiet, reading raw RGBA frames of width x height from standard input."""
    return [*_quiet_ffmpeg(), "-f", "rawvideo", "-pix_fmt", "rgba", "-s", f"{width}x{height}",
            "-framerate", str(fps), "-i", "pipe:0"]


def _last_line(stderr, fallback):
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else fallback


# What a GIF over its size budget gives up, in order (README, --gif-max-mb): frames per second, down to
# MIN_GIF_FPS (a turning camera still turns smoothly at 10), then pixels, then the colours of the
# surface. The reserved colours (every optimizer's, its halo's, the background's) are never given up:
# each path keeps its own colour in the legend's, whatever the budget.
MIN_GIF_FPS = 10
SHRINK_SCALES = (1.0, 0.75, 0.5)
SHRINK_COLORS = (256, 128, 64, 32, 16)  # the whole palette, reserved colours included


@dataclass(frozen=True)
class Try:
    """One way to make a GIF smaller: every `step`-th video frame, `scale` of its size, `colors` in all."""

    step: int
    scale: float
    colors: int


def shrink_tries(shape):
    """The tries of a GIF over its budget, in the order given up: rate, then pixels, then colours."""
    lowest = max(shape.slide_step, int(shape.fps // MIN_GIF_FPS))
    steps = [shape.slide_step] + ([lowest] if lowest > shape.slide_step else [])
    tries = [Try(step, 1.0, 256) for step in steps[1:]]
    tries += [Try(steps[-1], scale, 256) for scale in SHRINK_SCALES[1:]]
    tries += [Try(steps[-1], SHRINK_SCALES[-1], colors) for colors in SHRINK_COLORS[1:]]
    return tries


def _shrink_gif(source, final, max_bytes, shape, written, reserved):
    """Re-encode the GIF from the lossless frames in `source` (every video frame at the GIF's size)
    until the file fits in `max_bytes`, giving up what `shrink_tries` says in its order, and
    keeping the `reserved` colours ('#rrggbb') in every palette.

    Returns (temporary path beside `final`, the manifest facts of what was chosen, with `traded`:
    one phrase per thing given up); raises EncodeError naming the smallest size reached when
    nothing fits."""
    sizes = []
    width, height = shape.size(FORMATS["gif"])
    with files.scratch_folder() as scratch:
        for attempt in shrink_tries(shape):
            size = (_even(width * attempt.scale), _even(height * attempt.scale))
            temp = files.temp_path(final)
            try:
                surface = _gif_from_source(source, temp, Path(scratch), attempt, size, reserved, shape.whole)
                written_bytes = temp.stat().st_size
            except BaseException:
                files.discard(temp)
                raise
            if written_bytes <= max_bytes:
                files.fsync(temp)
                fps, frames = shape.fps / attempt.step, math.ceil(written / attempt.step)
                traded = []
                if attempt.step != shape.slide_step:
                    traded.append(f"frame rate {shape.fps / shape.slide_step:g} -> {fps:g} fps")
                if size != (width, height):
                    traded.append(f"size {width}x{height} -> {size[0]}x{size[1]}")
                if attempt.colors < 256:
                    traded.append(f"surface colours -> {surface}")
                return temp, {"frames": frames, "fps": fps, "duration": round(frames / fps, 6), "width": size[0],
                              "height": size[1], "colors": attempt.colors, "reserved_colors": len(reserved),
                              "traded": traded}
            files.discard(temp)
            sizes.append(written_bytes)
    last = shrink_tries(shape)[-1] if shrink_tries(shape) else Try(shape.slide_step, 1.0, 256)
    size = (_even(width * last.scale), _even(height * last.scale))
    kept = f", {len(reserved)} of them the paths'" if reserved else ""
    smallest = f"{min(sizes, default=0) / 1e6:.3g}"
    raise EncodeError(f"{Path(final).name} does not fit in {max_bytes / 1e6:g} MB without losing the paths' "
                      f"colours: the smallest it gets is {smallest} MB (at {shape.fps / last.step:g} fps, "
                      f"{size[0]}x{size[1]} and {last.colors} colours{kept}); raise --gif-max-mb to at least "
                      f"{smallest}, or render fewer steps or a shorter hold")


def _even(value):
    value = int(round(value))
    return max(2, value - value % 2)


def _gif_from_source(source, target, scratch, attempt, size, reserved, whole):
    """Two ffmpeg passes over the lossless frames: the surface's colours (all but the reserved
    ones), then the GIF with those and the reserved colours. Returns how many surface colours."""
    from PIL import Image

    chain = f"framestep={attempt.step},scale={size[0]}:{size[1]}:flags=bicubic"
    quiet = [*_quiet_ffmpeg(), "-i", str(source)]
    surface = max(attempt.colors - len(reserved), 2)
    palette_png, palette_raw = scratch / "palette.png", scratch / "palette.rgba"
    _run([*quiet, "-vf", f"{chain},palettegen=max_colors={surface}:stats_mode=full:reserve_transparent=0",
          str(palette_png)], f"choosing the colours of {target.name}")
    chosen = np.asarray(Image.open(palette_png).convert("RGBA")).reshape(-1, 4)[:surface]
    kept = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] + [255] for c in reserved], np.uint8).reshape(-1, 4)
    colours = np.vstack([kept, chosen])  # the reserved first: an exact colour maps to its own entry
    table = np.vstack([colours, np.repeat(colours[-1:], 256 - len(colours), axis=0)])
    palette_raw.write_bytes(table.astype(np.uint8).tobytes())
    flags = GIF_WHOLE_FRAMES if whole else ()
    _run([*quiet, "-f", "rawvideo", "-pix_fmt", "rgba", "-s", "16x16", "-i", str(palette_raw), "-filter_complex",
          f"[0:v]{chain}[s];[s][1:v]{GIF_DITHER}", "-loop", "0", *flags, "-f", "gif", str(target)],
         f"writing {target.name}")
    return surface


def _run(args, doing, data=None):
    """Run ffmpeg to the end (fed `data`, if given); its standard output, or an EncodeError."""
    try:
        result = subprocess.run(args, input=data, capture_output=True, start_new_session=True)
    except OSError as exc:
        raise EncodeError(f"cannot start ffmpeg ({args[0]}): {exc}") from exc
    if result.returncode != 0:
        raise EncodeError(f"ffmpeg failed ({_ended(result.returncode)}) {doing}: "
                          f"{_last_line(result.stderr, 'no message')}")
    return result.stdout


def _ended(returncode):
    """How ffmpeg ended, for a message: 'exit 1', or 'killed by SIGXFSZ: a file-size limit'."""
    if returncode >= 0:
        return f"exit {returncode}"
    try:
        name = signal.Signals(-returncode).name
    except ValueError:
        name = f"signal {-returncode}"
    return f"killed by {name}" + (": a file-size limit" if name == "SIGXFSZ" else "")


def first_frame_png(path):
    """The first frame of the video at `path`, as PNG bytes (a deck's poster for its movie)."""
    return _run([*_quiet_ffmpeg(), "-i", str(path), "-frames:v", "1", "-c:v", "png", "-f", "image2pipe", "pipe:1"],
                f"reading the first frame of {Path(path).name}")


def webp_frames(path):
    """How many frames (ANMF chunks) an animated WebP file holds."""
    data, count, pos = Path(path).read_bytes(), 0, 12
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos + 4:pos + 8], "little")
        count += data[pos:pos + 4] == b"ANMF"
        pos += 8 + size + (size & 1)
    return count


def png_bytes(frame, alpha):
    """An HxWx4 uint8 RGBA frame as PNG bytes: RGBA if `alpha`, else RGB."""
    from PIL import Image

    image = Image.fromarray(frame, "RGBA")
    buffer = io.BytesIO()
    (image if alpha else image.convert("RGB")).save(buffer, format="PNG")
    return buffer.getvalue()


class Encoder:
    """Context manager: `write(frame)` each HxWx4 uint8 RGBA frame; on a clean exit every file is
    complete under a temporary name beside its final path, and `finished` lists (temporary path,
    FileRecord) pairs for the caller to move into place (files.commit_all). An error or interrupt
    removes them all, so earlier outputs are never touched; scratch files go either way.

    finals maps a format name to its final path; `view` names the view in the records. A GIF is
    owned from start to finish: its palette is chosen from `samples` (frames spread over the
    video), and with `max_gif_bytes` it is shrunk until it fits (see _shrink_gif), never losing the
    `reserved` colours ('#rrggbb': the paths').
    """

    def __init__(self, finals, shape, view=None, samples=(), max_gif_bytes=0, reserved=()):
        self.finals = {name: Path(path) for name, path in finals.items()}
        unknown = set(self.finals) - set(FORMATS)
        if unknown:
            raise ValueError(f"unknown formats {sorted(unknown)}; use some of {', '.join(FORMATS)}")
        self.temps = {name: files.temp_path(path) for name, path in self.finals.items()}
        self.shape, self.view = shape, view
        self._samples, self._max_gif_bytes, self._reserved = samples, max_gif_bytes, tuple(reserved)
        self._frame_bytes = shape.width * shape.height * 4
        self._written = 0
        self._last = None
        self._process = self._log = self._scratch = self._gif_source = None
        self.finished = []

    def __enter__(self):
        self._scratch = files.scratch()  # named for this process: a killed render's is removed by the next
        streams = {name: temp for name, temp in self.temps.items() if FORMATS[name].ffmpeg is not None}
        if not streams:
            return self
        try:
            palette_path = None
            if "gif" in streams:
                if not self._samples:
                    raise ValueError("a GIF needs a palette: give the encoder sample frames")
                palette_path = self._scratch / "palette.rgba"
                palette_path.write_bytes(palette(self._samples, self.shape))
                if self._max_gif_bytes:
                    gif = self.finals["gif"]
                    self._gif_source = streams[GIF_SOURCE] = files.temp_path(gif.with_name(gif.name + "-frames.mkv"))
            args = command(streams, self.shape, palette_path)
            self._log = tempfile.TemporaryFile()
            try:
                # A session of its own: Ctrl-C reaches optianim, which stops ffmpeg itself.
                self._process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                                 stderr=self._log, start_new_session=True)
            except OSError as exc:
                raise EncodeError(f"cannot start ffmpeg ({args[0]}): {exc}") from exc
        except BaseException:
            self._close()
            raise
        return self

    def write(self, frame):
        data = memoryview(frame).cast("B")
        if data.nbytes != self._frame_bytes:
            raise EncodeError(f"frame of {data.nbytes} bytes, expected {self._frame_bytes}")
        self._written += 1
        if "png" in self.temps:
            self._last = np.array(frame)  # drawers may reuse the frame's memory for the next
        if self._process is None:
            return
        try:
            self._process.stdin.write(data)
        except (BrokenPipeError, ValueError):
            self._process.wait()
            raise EncodeError(self._failure()) from None

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self._finish()
        except BaseException:
            exc_type = True
            raise
        finally:
            if exc_type is not None:
                self._stop()
                files.discard(*self.temps.values(), *(temp for temp, _ in self.finished))
                self.finished = []
            self._close()
        return False

    def _finish(self):
        if self._process is not None:
            with contextlib.suppress(BrokenPipeError):
                self._process.stdin.close()
            if self._process.wait() != 0:
                raise EncodeError(self._failure())
        if "png" in self.temps:
            if self._last is None:
                raise EncodeError(f"no frame to write {self.finals['png'].name} from")
            try:
                with open(self.temps["png"], "wb") as handle:
                    handle.write(png_bytes(self._last, self.shape.background is not None))
            except OSError as exc:  # name the file asked for, not its temporary
                raise type(exc)(exc.errno, exc.strerror, str(self.finals["png"])) from exc
        for name, temp in self.temps.items():
            files.fsync(temp)
            self.finished.append(self._record(name, temp))

    def _record(self, name, temp):
        """(temporary path, FileRecord) of a complete file; a GIF over its budget is shrunk first."""
        fmt, shape = FORMATS[name], self.shape
        width, height = shape.size(fmt)
        facts = dict(frames=shape.frames(fmt, self._written), fps=shape.rate(fmt), width=width, height=height)
        if fmt.animated:
            facts["duration"] = round(facts["frames"] / facts["fps"], 6)
        if fmt.merges:  # the same duration, in the frames the file really holds
            facts["frames"] = webp_frames(temp)
        facts.update(fmt.manifest_fields(shape.background is not None))
        if name == "gif" and self._max_gif_bytes:
            facts["max_bytes"] = self._max_gif_bytes
            if temp.stat().st_size > self._max_gif_bytes:
                files.discard(temp)
                temp, chosen = _shrink_gif(self._gif_source, self.finals[name], self._max_gif_bytes, shape,
                                           self._written, self._reserved)
                facts.update(chosen)
        return temp, FileRecord.of(temp, self.finals[name], self.view, name, **facts)

    def _stop(self):
        if self._process is None:
            return
        with contextlib.suppress(OSError, ValueError):
            self._process.stdin.close()
        self._process.kill()
        self._process.wait()

    def _close(self):
        if self._gif_source is not None:
            files.discard(self._gif_source)
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def _failure(self):
        self._log.seek(0)
        detail = _last_line(self._log.read(), "no message")
        names = ", ".join(p.name for p in self.finals.values())
        return f"ffmpeg failed ({_ended(self._process.returncode)}) writing {names}: {detail}"
