"""GIF size and fidelity: a view's GIF rendered by optianim, its bytes, and the PSNR of each of its
frames against the raw frames it was made from.

    python tests/bench/gif_quality.py scenes/pathological.py --view surface [render options...]

The reference is the view's raw RGBA frames, drawn here in-process, thinned and scaled to the GIF's
size exactly as the encoder does (framestep, bicubic), so the PSNR measures what the palette,
dither and frame differencing lose, not the scaling a slide GIF always has. A GIF shrunk under
--gif-max-mb to fewer pixels is scaled back up to the reference size before comparing.
"""

import argparse
import json
import subprocess
import sys
import tempfile

import numpy as np


def _decoded(path, width, height):
    """Every frame of a GIF (or other video) as (n, height, width, 3) uint8, scaled to width x height."""
    from anim.write.encode import ffmpeg_exe

    args = [ffmpeg_exe(), "-v", "error", "-i", str(path), "-fps_mode", "passthrough",
            "-vf", f"scale={width}:{height}:flags=bicubic", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]
    data = subprocess.run(args, capture_output=True, check=True).stdout
    return np.frombuffer(data, np.uint8).reshape(-1, height, width, 3)


def _reference(scene_path, view, settings):
    """The raw frames of `view`, as the GIF takes them (every slide_step-th, scaled, opaque)."""
    from anim.compute import window
    from anim.drive import pipeline
    from anim.drive.frames import LocalDrawer
    from anim.drive.timeline import timeline
    from anim.look.views import view_class, view_data
    from anim.write import encode

    prepared = pipeline.prepare(scene_path)
    view_window = window.view_window(prepared.scene, prepared.runs)
    runs = window.mark_exits(prepared.runs, view_window)
    data = view_data(prepared.scene, runs, view_window, view, settings)
    drawer = LocalDrawer(view_class(view), data, settings.width, settings.height)
    width, height = settings.slide_size
    args = [encode.ffmpeg_exe(), "-v", "error", "-f", "rawvideo", "-pix_fmt", "rgba",
            "-s", f"{settings.width}x{settings.height}", "-i", "pipe:0",
            "-vf", f"framestep={settings.slide_step},scale={width}:{height}:flags=bicubic",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=out)
        for pixels in drawer.frames(timeline(prepared.scene, settings)):
            process.stdin.write(memoryview(pixels).cast("B"))
        process.stdin.close()
        process.wait()
        out.seek(0)
        return np.frombuffer(out.read(), np.uint8).reshape(-1, height, width, 3)


def psnr(a, b):
    """Peak signal-to-noise ratio of two uint8 images, in dB (inf when equal)."""
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255 ** 2 / mse)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scene")
    parser.add_argument("--view", default="surface")
    parser.add_argument("--theme", default="light")
    parser.add_argument("--gif-max-mb", type=float, default=0.0)
    args = parser.parse_args()

    import anim
    from anim.drive.settings import Settings

    settings = Settings(views=(args.view,), formats=("gif",), theme=args.theme, gif_max_mb=args.gif_max_mb, jobs=1)
    with tempfile.TemporaryDirectory() as out:
        result = anim.render(args.scene, out, views=[args.view], formats=["gif"], theme=args.theme,
                             gif_max_mb=args.gif_max_mb)
        record = next(f for f in result.files if f.format == "gif")
        width, height = settings.slide_size
        gif = _decoded(record.path, width, height)
    reference = _reference(args.scene, args.view, settings)
    if len(gif) != len(reference):  # a budget that dropped frames: compare each kept frame with its own
        step = round(len(reference) / len(gif))
        reference = reference[::step][:len(gif)]
    scores = [psnr(a, b) for a, b in zip(gif, reference)]
    print(json.dumps({"scene": args.scene, "view": args.view, "theme": args.theme, "bytes": record.bytes,
                      "frames": len(gif), "fps": record.fps, "size": f"{record.width}x{record.height}",
                      "psnr_mean": round(float(np.mean(scores)), 2), "psnr_min": round(float(np.min(scores)), 2)}))


if __name__ == "__main__":
    sys.exit(main())
