"""Renders many scenes at once (files and folders) in worker processes here, or on a Dask cluster
(anim.drive.cluster); reports each scene as it goes and writes batch.json and index.html at the output root."""

import html
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from anim.drive.outcome import Notice, Outcome, Planned
from anim.drive.settings import SCENE_TIMEOUT
from anim.errors import AnimError
from anim.version import __version__
from anim.write import files
from anim.write.slides import COURSE_FILE

BATCH_FILE = "batch.json"
INDEX_FILE = "index.html"
RESERVED = (BATCH_FILE, INDEX_FILE, COURSE_FILE)  # no scene's folder may take these names at the output root


@dataclass
class Batch:
    """What render_many did: an Outcome per scene in the order given, the batch.json and
    index.html it wrote at the output root, the notices (version differences), the files of the
    folders given that are not scenes ((path, why) each), the time, and with --format pptx the
    course's deck (course.pptx at the root, every scene's slides in order)."""

    outcomes: list
    root: Path
    seconds: float
    notices: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    course: object = None

    @property
    def failed(self):
        return [o for o in self.outcomes if not o.ok]

    @property
    def batch_file(self):
        return self.root / BATCH_FILE

    @property
    def index_file(self):
        return self.root / INDEX_FILE


def scene_files(paths):
    """(scene files, skipped) of `paths`: a file as it is, a bare name the current folder's file or
    the shipped scene; of a folder, its scene files as `optianim list` finds them (read, never run:
    anim.declare.library.scan), each once, and the folder's other *.py files with why they are
    skipped. A path that is no scene file fails later as that scene, with the loader's message."""
    from anim.declare import library

    found, skipped = [], []
    for path in (library.find_scene(given).path for given in paths):
        if path.is_dir():
            inside, passed = library.scan(path)
            if not inside:
                raise AnimError(f"{path}: a folder with no scene files (a scene file is a *.py that sets `scene` "
                                "at its top level)")
            found += inside
            skipped += passed
        else:
            found.append(path)
    return list(dict.fromkeys(found)), skipped


def plan_jobs(jobs, scenes):
    """(scenes rendered at once, frame workers each) for `jobs` processes in all (0/None: one per
    core): as many scenes at once as there are jobs, and the jobs left over, when scenes are
    fewer, shared among them for 3-D frames, so the processes drawing never exceed `jobs`."""
    total = jobs or cores()
    at_once = max(1, min(total, scenes))
    return at_once, max(1, total // at_once)


def cores():
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def render_many(paths, out_root, options, jobs=None, scheduler=None, report=None, scene_timeout=SCENE_TIMEOUT,
                scheduler_timeout=None):
    """Render every scene of `paths` into out_root with the api.render keywords `options`; here
    (`jobs` processes in all, each scene in a process of its own, stopped after `scene_timeout`
    seconds; None or 0: no limit) or on the Dask cluster at `scheduler` (reached within
    `scheduler_timeout` seconds). Returns the Batch; a failed scene is an Outcome, not an
    exception. Interrupted, it writes batch.json with the scenes done so far, then raises."""
    report = report or (lambda event: None)
    started = time.perf_counter()
    scenes, skipped = scene_files(paths)
    if not scenes:
        raise AnimError("no scene files given")
    out_root = Path(out_root).absolute()
    notices = []

    def reporting(event):
        if isinstance(event, Notice):
            notices.append(event.text)
        report(event)

    if scheduler:
        from anim.drive import cluster

        cluster.reach(scheduler, scheduler_timeout)
    finished = {}  # index -> Outcome, as scenes end
    try:
        if scheduler:
            report(Planned([str(p) for p in scenes], skipped=skipped))
            outcomes = cluster.render(scenes, out_root, options, scheduler, reporting, scheduler_timeout, finished,
                                      scene_timeout)
        else:
            outcomes = _render_here(scenes, out_root, options, jobs, reporting, scene_timeout, finished, skipped)
    except KeyboardInterrupt:  # Ctrl-C (or SIGTERM, in the CLI): batch.json still says which scenes are done
        outcomes = [finished.get(index) or Outcome(str(path), "failed", 0.0, error=(
            f"{path}: interrupted before it finished; its folder is unchanged")) for index, path in enumerate(scenes)]
        batch = Batch(outcomes, out_root, round(time.perf_counter() - started, 3), notices, skipped)
        try:
            write_batch(batch, scheduler, options.get("theme") or "light")
        except AnimError:
            pass
        raise
    outcomes = _same_folder_refused(outcomes)
    batch = Batch(outcomes, out_root, round(time.perf_counter() - started, 3), notices, skipped)
    if "pptx" in (options.get("formats") or ()) and len(batch.failed) < len(outcomes):
        batch.course = _course(batch, options.get("pptx_media") or "gif")
    write_batch(batch, scheduler, options.get("theme") or "light", options.get("html_script") == "shared")
    return batch


def _course(batch, media):
    """One deck for the whole course: every scene rendered, in the order given."""
    from anim.write import slides

    try:
        return slides.course(batch.root, [batch.root / o.folder for o in batch.outcomes if o.ok], media)
    except OSError as exc:
        raise AnimError(f"cannot write {exc.filename or batch.root}: {exc.strerror or exc}") from exc


def _render_here(scenes, out_root, options, jobs, report, timeout, finished, skipped):
    """The scenes rendered on this machine, each in a fresh process of its own (anim.drive.isolation),
    as many at once as `jobs` allows, each with its share of the jobs for 3-D frames."""
    from anim.drive import isolation

    at_once, frame_jobs = plan_jobs(jobs, len(scenes))
    report(Planned([str(p) for p in scenes], at_once, frame_jobs, skipped))
    tasks = [isolation.Task(str(path), str(out_root), options, frame_jobs, RESERVED) for path in scenes]
    return isolation.run(tasks, at_once, report, timeout, finished)


def _same_folder_refused(outcomes):
    """Two scene files with one scene name write one folder: the later one is reported failed."""
    first = {}
    checked = []
    for outcome in outcomes:
        if outcome.ok and outcome.folder in first:
            outcome = Outcome(outcome.scene_file, "failed", outcome.seconds, error=(
                f"{outcome.scene_file}: its scene name {outcome.name!r} is also that of {first[outcome.folder]}; "
                f"both wrote {outcome.folder}/: give each scene its own name"), worker=outcome.worker)
        elif outcome.ok:
            first[outcome.folder] = outcome.scene_file
        checked.append(outcome)
    return checked


def write_batch(batch, scheduler, theme, shared_script=False):
    """batch.json and index.html at the output root, each written atomically; with `shared_script`
    (--html-script shared) the explorables' one script too (a cluster's workers wrote theirs elsewhere)."""
    from anim.write.manifest import json_bytes

    document = {
        "optianim": __version__,
        "scheduler": scheduler or None,
        "seconds": batch.seconds,
        "failed": len(batch.failed),
        "notices": batch.notices,
        "skipped": [{"file": str(path), "reason": why} for path, why in batch.skipped],
        "course": batch.course and batch.course.name,
        "scenes": [{**asdict(o), "manifest": o.manifest} for o in batch.outcomes],
    }
    try:
        batch.root.mkdir(parents=True, exist_ok=True)
        files.write_bytes(batch.batch_file, json_bytes(document))
        files.write_bytes(batch.index_file, index_page(batch, theme).encode())
        if shared_script and any(o.ok for o in batch.outcomes):
            from anim.write import explore

            name, body = explore.shared_script()
            if not (batch.root / name).is_file() or (batch.root / name).read_bytes() != body:
                files.write_bytes(batch.root / name, body)
    except OSError as exc:
        raise AnimError(f"cannot write {exc.filename or batch.root}: {exc.strerror or exc}") from exc


def index_page(batch, theme="light"):
    """The output root's page: a link to every scene's preview page, and each failure's message."""
    from anim.write.mathtext import title_html
    from anim.write.page import COLORS, STYLE

    rows = []
    for o in batch.outcomes:
        e = lambda text: html.escape(str(text), quote=True)  # noqa: E731
        if o.ok:
            cell = f'<a href="{e(o.folder)}/index.html">{title_html(o.title or o.name)}</a>'
            if (batch.root / o.folder / "explore.html").is_file():
                cell += f' (<a href="{e(o.folder)}/explore.html">explore</a>)'
            status = "ok"
        else:
            cell, status = e(o.scene_file), f"failed: {e(o.error)}"
        rows.append(f"<tr><td>{cell}</td><td>{e(o.scene_file)}</td><td>{o.seconds:.1f} s</td>"
                    f"<td>{status}</td></tr>")
    done = len(batch.outcomes) - len(batch.failed)
    course = f' The whole course as one deck: <a href="{batch.course.name}">{batch.course.name}</a>.' \
        if batch.course else ""
    return ("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<title>optianim batch</title>\n"
            f"<style>{STYLE % COLORS[theme]}</style>\n</head>\n<body>\n<h1>optianim batch</h1>\n"
            f"<p class=\"meta\">{done} of {len(batch.outcomes)} scenes rendered in {batch.seconds:.1f} s "
            f"(<a href=\"{BATCH_FILE}\">{BATCH_FILE}</a>).{course}</p>\n<table>\n"
            "<tr><th>scene</th><th>file</th><th>time</th><th>status</th></tr>\n"
            + "\n".join(rows) + "\n</table>\n</body>\n</html>\n")
