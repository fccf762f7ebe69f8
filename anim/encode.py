"""The only module that talks to ffmpeg: raw RGBA frames in, MP4, WebM, GIF and PNG out, atomically."""

import contextlib
import io
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from anim import files
from anim.errors import EncodeError

X264_PRESET = "veryfast"  # measured 1.7x faster than 'medium' at no size cost on these flat frames
X264_CRF = 20


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


PALETTE_SAMPLES = 8  # frames, spread over the video, that a GIF's 256 colours are chosen from
GIF_DITHER = "paletteuse=dither=bayer:bayer_scale=4:diff_mode=rectangle"


def palette(frames, width, height, gif_size, background=None):
    """The GIF palette (16x16 RGBA, one pixel per colour) that ffmpeg's palettegen picks for the
    sample `frames` (HxWx4 RGBA arrays) scaled to `gif_size`, laid on `background` if given.

    Choosing the colours from samples first lets the GIF be encoded while frames stream in, in
    constant memory; palettegen on the stream itself would hold every frame until the last.
    """
    gif_width, gif_height = gif_size
    chain = f"scale={gif_width}:{gif_height}:flags=bicubic,palettegen=stats_mode=full:reserve_transparent=0"
    if background is not None:
        chain = _flattened("[0:v]", background, width, height, 1) + "," + chain
    args = [*_raw_rgba_input(width, height, 1), "-filter_complex", chain,
            "-f", "rawvideo", "-pix_fmt", "rgba", "pipe:1"]
    data = b"".join(memoryview(frame).cast("B") for frame in frames)
    colours = _run(args, "choosing the GIF palette", data)
    if len(colours) != 16 * 16 * 4:
        raise EncodeError(f"ffmpeg gave {len(colours)} bytes for the GIF palette, not {16 * 16 * 4}")
    return colours


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


# VP9 'good' at its fastest (-cpu-used 5) took 3x as long as rendering; 'realtime' at 7 is 8x faster
# than that, for 20% more bytes than 'good' on these frames.
VP9 = ["-c:v", "libvpx-vp9", "-crf", "34", "-b:v", "0", "-deadline", "realtime", "-cpu-used", "7",
       "-row-mt", "1"]
X264 = ["-c:v", "libx264", "-preset", X264_PRESET, "-crf", str(X264_CRF), "-profile:v", "high",
        "-movflags", "+faststart"]
# Videos are converted from RGB with the BT.709 matrix and say so: untagged, Chromium guessed
# BT.601 for small videos and BT.709 from 720p up, and showed 720p colours 10 levels off.
# (setparams tags the frames; the output options alone left primaries and transfer unknown)
BT709 = ["-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv"]
STREAM_ORDER = ("mp4", "webm", "gif", "gif_source")  # 'png' is the last frame, written without ffmpeg


def command(targets, width, height, fps, gif_step=1, gif_size=None, palette_path=None, background=None):
    """The ffmpeg argument list that encodes raw RGBA frames of width x height into `targets`.

    targets maps a format to the path ffmpeg writes it to: 'mp4' (H.264), 'webm' (VP9), 'gif'
    (needs the path of a raw 16x16 RGBA palette from `palette`) and 'gif_source' (the GIF's
    frames, lossless, for `shrink_gif`). `background` ('#rrggbb') says the frames are
    transparent: WebM keeps their alpha channel, MP4 and GIF, which have none, are laid on it.
    """
    names = [fmt for fmt in STREAM_ORDER if fmt in targets]
    if set(targets) - set(STREAM_ORDER) or not names:
        raise ValueError(f"formats must be some of {STREAM_ORDER}, got {sorted(targets)}")
    args = _raw_rgba_input(width, height, fps)
    if "gif" in targets:
        if palette_path is None:
            raise ValueError("a GIF needs a palette: see encode.palette")
        args += ["-f", "rawvideo", "-pix_fmt", "rgba", "-s", "16x16", "-i", str(palette_path)]
    gif_width, gif_height = gif_size or (width, height)
    graph = ["[0:v]split=" + str(len(names)) + "".join(f"[in_{name}]" for name in names)]
    for name in names:
        source = f"[in_{name}]"
        if background is not None and name != "webm":
            graph.append(_flattened(source, background, width, height, fps, f"bg_{name}") + f"[flat_{name}]")
            source = f"[flat_{name}]"
        if name in ("gif", "gif_source"):
            graph.append(f"{source}framestep={gif_step},scale={gif_width}:{gif_height}:flags=bicubic[small_{name}]")
            source = f"[small_{name}]"
        if name == "gif":
            graph.append(f"{source}[1:v]{GIF_DITHER}[out_gif]")
        elif name == "gif_source":
            graph.append(f"{source}null[out_{name}]")
        else:
            pix_fmt = "yuva420p" if name == "webm" and background is not None else "yuv420p"
            graph.append(f"{source}scale=out_color_matrix=bt709:out_range=tv,format={pix_fmt},"
                         f"setparams=colorspace=bt709:color_primaries=bt709:color_trc=bt709:range=tv[out_{name}]")
    args += ["-filter_complex", ";".join(graph)]
    for name in names:
        args += ["-map", f"[out_{name}]"]
        if name == "mp4":
            args += [*X264, *BT709, "-f", "mp4"]
        elif name == "webm":
            args += [*VP9, *BT709, "-f", "webm"]
        elif name == "gif":
            args += ["-loop", "0", "-f", "gif"]
        else:
            args += ["-c:v", "ffv1", "-f", "matroska"]
        args.append(str(targets[name]))
    return args


def shrink_gif(source, final, max_bytes, fps, width, height):
    """Re-encode the GIF frames in `source` (from 'gif_source') until the file fits in
    `max_bytes`: first fewer frames, then fewer pixels, then fewer colours.

    Returns (temporary path beside `final`, what was chosen: fps, width, height, colours,
    frame step); raises EncodeError naming the smallest size reached when nothing fits.
    """
    tries = [(step, 1.0, 256) for step in (2, 3)]  # (the full rate at full size was the first GIF)
    tries += [(3, scale, 256) for scale in (0.75, 0.5)]
    tries += [(3, 0.5, colors) for colors in (128, 64, 32, 16)]
    sizes = []
    with tempfile.TemporaryDirectory(prefix="optianim-") as scratch:
        for step, scale, colors in tries:
            size = (_even(width * scale), _even(height * scale))
            temp = files.temp_path(final)
            try:
                _gif_from_source(source, temp, Path(scratch) / "palette.png", step, size, colors)
                written = temp.stat().st_size
            except BaseException:
                files.discard(temp)
                raise
            if written <= max_bytes:
                files.fsync(temp)
                return temp, {"fps": fps / step, "width": size[0], "height": size[1], "colors": colors,
                              "frame_step": step}
            files.discard(temp)
            sizes.append(written)
    step, scale, colors = tries[-1]
    size = (_even(width * scale), _even(height * scale))
    raise EncodeError(f"{Path(final).name} does not fit in {max_bytes / 1e6:g} MB even at {fps / step:g} fps, "
                      f"{size[0]}x{size[1]} and {colors} colours ({min(sizes) / 1e6:.2f} MB); "
                      "raise --gif-max-mb, or render fewer steps or a shorter hold")


def _even(value):
    value = int(round(value))
    return max(2, value - value % 2)


def _gif_from_source(source, target, palette_png, step, size, colors):
    """Two ffmpeg passes over the lossless GIF frames: the palette of them all, then the GIF."""
    scaled = f"framestep={step},scale={size[0]}:{size[1]}:flags=bicubic"
    quiet = [*_quiet_ffmpeg(), "-i", str(source)]
    _run([*quiet, "-vf", f"{scaled},palettegen=max_colors={colors}:stats_mode=full:reserve_transparent=0",
          str(palette_png)], f"choosing the colours of {target.name}")
    _run([*quiet, "-i", str(palette_png), "-filter_complex", f"[0:v]{scaled}[s];[s][1:v]{GIF_DITHER}",
          "-loop", "0", "-f", "gif", str(target)], f"writing {target.name}")


def _run(args, doing, data=None):
    """Run ffmpeg to the end (fed `data`, if given); its standard output, or an EncodeError."""
    try:
        result = subprocess.run(args, input=data, capture_output=True, start_new_session=True)
    except OSError as exc:
        raise EncodeError(f"cannot start ffmpeg ({args[0]}): {exc}") from exc
    if result.returncode != 0:
        raise EncodeError(f"ffmpeg failed (exit {result.returncode}) {doing}: {_last_line(result.stderr, 'no message')}")
    return result.stdout


def png_bytes(frame, alpha):
    """An HxWx4 uint8 RGBA frame as PNG bytes: RGBA if `alpha`, else RGB."""
    from PIL import Image

    image = Image.fromarray(frame, "RGBA")
    buffer = io.BytesIO()
    (image if alpha else image.convert("RGB")).save(buffer, format="PNG")
    return buffer.getvalue()


class Encoder:
    """Context manager: `write(frame)` each HxWx4 uint8 RGBA frame; on clean exit the files are
    complete under temporary names.

    finals maps a format ('mp4', 'webm', 'gif', 'png': the last frame) to its final path. Each
    output goes to a temporary file beside its final path. When they are complete, `completed`
    lists (temporary, final) pairs for the caller to move into place (files.commit_all); an error
    or interrupt removes them, so earlier outputs are never touched. With `keep_gif_source`,
    `gif_source` is the GIF's frames, lossless, for `shrink_gif`, until `close()`; it lies beside
    the GIF under a temporary name, so the next render removes it if this one is killed.
    """

    def __init__(self, finals, width, height, fps, gif_step=1, gif_size=None, palette=None,
                 background=None, keep_gif_source=False):
        self.finals = {fmt: Path(path) for fmt, path in finals.items()}
        self.temps = {fmt: files.temp_path(path) for fmt, path in self.finals.items()}
        self._palette = palette
        self._command = dict(width=width, height=height, fps=fps, gif_step=gif_step, gif_size=gif_size,
                             background=background)
        self._keep_gif_source = keep_gif_source
        self._frame_bytes = width * height * 4
        self._last = None
        self._process = None
        self._log = None
        self._scratch = None
        self.gif_source = None
        self.completed = []

    def __enter__(self):
        self._scratch = tempfile.TemporaryDirectory(prefix="optianim-")
        streams = {fmt: temp for fmt, temp in self.temps.items() if fmt != "png"}
        if not streams:
            return self
        try:
            palette_path = None
            if self._palette is not None:
                palette_path = Path(self._scratch.name) / "palette.rgba"
                palette_path.write_bytes(self._palette)
            if self._keep_gif_source:
                frames = self.finals["gif"].with_name(self.finals["gif"].name + "-frames.mkv")
                self.gif_source = streams["gif_source"] = files.temp_path(frames)
            args = command(streams, **self._command, palette_path=palette_path)
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
                files.discard(*self.temps.values())
                self._close()
            elif not self._keep_gif_source:
                self._close()
        return False

    def close(self):
        """Remove the scratch files (the GIF frames) once `shrink_gif` no longer needs them."""
        self._close()

    def _finish(self):
        if self._process is not None:
            with contextlib.suppress(BrokenPipeError):
                self._process.stdin.close()
            if self._process.wait() != 0:
                raise EncodeError(self._failure())
        if "png" in self.temps:
            if self._last is None:
                raise EncodeError(f"no frame to write {self.finals['png'].name} from")
            alpha = self._command["background"] is not None
            with open(self.temps["png"], "wb") as handle:
                handle.write(png_bytes(self._last, alpha))
        for fmt, temp in self.temps.items():
            files.fsync(temp)
            self.completed.append((temp, self.finals[fmt]))

    def _stop(self):
        if self._process is None:
            return
        with contextlib.suppress(OSError, ValueError):
            self._process.stdin.close()
        self._process.kill()
        self._process.wait()

    def _close(self):
        if self.gif_source is not None:
            files.discard(self.gif_source)
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None

    def _failure(self):
        self._log.seek(0)
        detail = _last_line(self._log.read(), "no message")
        names = ", ".join(p.name for p in self.finals.values())
        return f"ffmpeg failed (exit {self._process.returncode}) writing {names}: {detail}"
