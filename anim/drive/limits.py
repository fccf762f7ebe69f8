"""Limits with reasons: the memory and time a render would need (its runs, its frames, its
processes), estimated before any work starts and refused past a limit unless allowed."""

import os

from anim.errors import SceneError, UsageError

# What the estimates rest on, measured on the 2-core machine this project is developed on:
RUN_BYTES = 4_000         # a run's own objects (peak RSS over 20,000-80,000 runs)
RUN_STEP_BYTES = 96       # a recorded point with its loss, grad, update, lr and an Adam's state (77-86 measured)
STEP_SECONDS = 0.0005     # an optimizer step of one run taken alone (0.3-1.2 ms); a swarm's step is one for all
FRAME_SECONDS = 0.025     # drawing and encoding a 1280x720 frame of a view (contour ~12 ms, 3-D ~31 ms CPU)
PROCESS_BYTES = 400e6     # a process that renders (torch, matplotlib, a figure): 361-420 MB peak RSS
# The limits:
MEMORY_SHARE = 0.8        # of the memory available when the render starts
MAX_FRAMES = 100_000      # a view's frames: 55 minutes of video at 30 fps
MAX_SECONDS = 3_600       # the optimizers' steps, run before the first frame
ALLOW = "--allow-large (allow_large=True from Python)"


def check_scene(scene, settings=None, path=None, allow=False):
    """Raise a SceneError naming the field and the estimate when computing `scene`'s runs (and,
    with `settings`, drawing its frames) would need more memory or time than the limits, unless
    `allow`."""
    if allow:
        return
    from anim.drive.settings import frame_count

    if hasattr(scene, "init"):  # a Scene; a Landscape's runs record whole models, sized when built
        runs = len(scene.init) * len(scene.optimizers)
        need = runs * (RUN_BYTES + scene.steps * RUN_STEP_BYTES)
        have = available_memory()
        if have and need > MEMORY_SHARE * have:
            raise SceneError(f"init and steps: {len(scene.init):,} start points x {len(scene.optimizers)} optimizers x "
                             f"{scene.steps:,} steps need about {_size(need)} of memory for the runs and "
                             f"{_size(have)} is free here; give fewer start points or steps, or pass {ALLOW}", path)
        alone = sum(len(scene.init) for o in scene.optimizers if not _vectorizes(o)) + sum(
            1 for o in scene.optimizers if _vectorizes(o))
        seconds = alone * scene.steps * STEP_SECONDS
        if seconds > MAX_SECONDS:
            raise SceneError(f"steps: {scene.steps:,} steps of {alone:,} runs taken one at a time would take about "
                             f"{_duration(seconds)} before the first frame (the limit is {_duration(MAX_SECONDS)}); "
                             f"give fewer steps or start points, or pass {ALLOW}", path)
    if settings is not None:
        frames = frame_count(scene.steps, settings)
        if frames > MAX_FRAMES:
            seconds = frames * len(settings.views) * FRAME_SECONDS * settings.width * settings.height / (1280 * 720)
            raise SceneError(f"steps: {scene.steps:,} steps make {frames:,} frames a view ({_duration(frames / settings.fps)} "
                             f"of video at {settings.fps} fps; about {_duration(seconds)} to draw and encode here), "
                             f"more than {MAX_FRAMES:,}; give fewer steps or a higher --pace, or pass {ALLOW}", path)


def check_jobs(jobs, allow=False):
    """Raise a UsageError when `jobs` processes would need more memory than is free, unless `allow`."""
    have = available_memory()
    if allow or not jobs or not have or jobs * PROCESS_BYTES <= MEMORY_SHARE * have:
        return
    most = max(1, int(MEMORY_SHARE * have // PROCESS_BYTES))
    raise UsageError(f"jobs: {jobs} processes need about {_size(jobs * PROCESS_BYTES)} of memory "
                     f"({_size(PROCESS_BYTES)} each) and {_size(have)} is free here; use at most {most}, or pass {ALLOW}")


def available_memory():
    """Bytes of memory available to new work now (Linux: MemAvailable), or None if unknown."""
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def _vectorizes(optimizer):
    from anim.compute.trajectory import vectorizes

    return vectorizes(optimizer)


def _size(nbytes):
    return f"{nbytes / 1e9:.1f} GB" if nbytes >= 1e9 else f"{nbytes / 1e6:.0f} MB"


def _duration(seconds):
    if seconds >= 2 * 86400:
        return f"{seconds / 86400:.1f} days"
    if seconds >= 2 * 3600:
        return f"{seconds / 3600:.0f} hours"
    if seconds >= 120:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds:.0f} s"
