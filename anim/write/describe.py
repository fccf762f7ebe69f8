"""What a render's videos show, in words: each view's alt text and the descriptive transcript (the
videos' text alternative), written from the scene's events (anim.compute.events) and the timeline;
as the manifest records them, as description.txt, as WebVTT cues and as HTML for the pages."""

import html
import math
from dataclasses import dataclass

from anim.compute import events as ev
from anim.look.views import view_class

DESCRIPTION_FILE = "description.txt"
CUE_SECONDS = 2.0  # how long a cue stays up, unless the video ends first


@dataclass(frozen=True)
class Line:
    """One event of the transcript: shown from `frame` (at `time` seconds) of the video, at `step`."""

    time: float
    frame: int
    step: int
    kind: str
    optimizer: str
    text: str


@dataclass(frozen=True)
class Description:
    """The alt text of each view and the transcript of the scene's videos (one timeline for all
    views): a summary, a line per event, the final losses ranked and the rules the events follow.
    `file` is description.txt when the render wrote it (it writes it beside animations), else None."""

    title: str
    alt: dict
    summary: str
    lines: tuple
    ranking: str
    rules: str
    duration: float
    file: object = DESCRIPTION_FILE

    def as_dict(self):
        """The manifest's `description`."""
        return {"file": self.file, "summary": self.summary,
                "events": [{"time": line.time, "frame": line.frame, "step": line.step, "kind": line.kind,
                            "optimizer": line.optimizer, "text": line.text} for line in self.lines],
                "ranking": self.ranking, "rules": self.rules}

    def text(self):
        """description.txt: the videos' text alternative, a line per event with its time and step."""
        events = [f"{clock(line.time)}  step {line.step:<5} {line.text}" for line in self.lines]
        return "\n".join([f"{self.title}: text version of the videos (their text alternative)", "",
                          f"{self.summary} The video lasts {self.duration:.1f} s; each line gives the time in it "
                          "and the step.", "", *(events or ["Nothing the descriptions name happens."]), "",
                          self.ranking, "", self.rules]) + "\n"

    def vtt(self, view):
        """The WebVTT descriptions of view `view`'s video: a cue per event, from the frame showing it."""
        cues = [f"WEBVTT\n\nNOTE {_cue_text(self.title)}, {view} view: the events of the video, "
                "for a track of kind descriptions"]
        for number, line in enumerate(self.lines, 1):
            start = math.ceil(line.time * 1000) / 1000  # inside the frame that first shows the event
            end = max(min(start + CUE_SECONDS, self.duration), start + 0.001)
            cues.append(f"{number}\n{_vtt_time(start)} --> {_vtt_time(end)}\n{_cue_text(line.text)}")
        return "\n\n".join(cues) + "\n"

    def html(self):
        """The transcript as an HTML fragment, with the id 'text-version' the pages link to."""
        e = lambda text: html.escape(str(text), quote=True)  # noqa: E731
        items = "\n".join(f"<li><time datetime=\"PT{line.time:.3f}S\">{clock(line.time)}</time> "
                          f"step {line.step}: {e(line.text)}</li>" for line in self.lines)
        source = f' (also as <a href="{e(self.file)}">{e(self.file)}</a>)' if self.file else ""
        return (f'<div id="text-version" class="text-version">\n<h2>Text version</h2>\n'
                f"<p class=\"meta\">The videos' text alternative{source}: each event with its time in the "
                f"video and its step.</p>\n<p>{e(self.summary)}</p>\n<ol>\n{items}\n</ol>\n"
                f"<p>{e(self.ranking)}</p>\n<p class=\"meta\">{e(self.rules)}</p>\n</div>")


def describe(scene, story, views, timeline, fps, written=True):
    """The Description of a render: `story` (anim.compute.events.Story) of `scene`, the `views`
    drawn, each event timed by `timeline` (anything with frame_of(step) and len()) at `fps`;
    `written` says description.txt is written beside the videos."""
    setup = _setup(scene, story)
    lines = tuple(Line(round(timeline.frame_of(event.seen) / fps, 6), timeline.frame_of(event.seen), event.step,
                       event.kind, event.label, _event_text(event, story)) for event in story.events)
    duration = round(len(timeline) / fps, 6)
    summary = f"{setup}."
    alt = {view: _alt(view_class(view).SHOWN_AS, scene.title, setup, story) for view in views}
    return Description(scene.title, alt, summary, lines, _ranking(story), _rules(story), duration,
                       DESCRIPTION_FILE if written else None)


def clock(seconds):
    """A time in the video as people read it: 0:03.2."""
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:04.1f}"


def _vtt_time(seconds):
    hours, rest = divmod(seconds, 3600)
    minutes, rest = divmod(rest, 60)
    return f"{int(hours):02d}:{int(minutes):02d}:{rest:06.3f}"


def _cue_text(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")  # so never a "-->" either


def _setup(scene, story):
    """'6 optimizers (SGD, ..., Adam) from (5, 5) over 100 steps'."""
    labels = story.labels
    named = f" ({', '.join(labels)})" if len(labels) <= 6 else ""
    count = "1 optimizer" if len(labels) == 1 else f"{len(labels)} optimizers"
    if story.plane:
        where = "from the network's initial weights, on a plane through its weights,"
    elif len(scene.init) == 1:
        where = f"from {_pair(scene.init[0])}"
    else:
        where = f"each from {len(scene.init):,} start points"
    return f"{count}{named} {where} over {scene.steps} steps"


def _pair(point, story=None):
    """(w1, w2) as given, or to a thousandth of the view's diagonal for a point a run reached."""
    if story is None:
        return f"({point[0]:g}, {point[1]:g})"
    decimals = max(0, -math.floor(math.log10(story.diagonal * 1e-3))) if story.diagonal > 0 else 3
    return "(" + ", ".join(f"{round(float(v), decimals) + 0.0:g}" for v in point[:2]) + ")"


def _reached(event):
    """What a REACHES event reached: the known minimum it names, else the lowest loss any run reached."""
    return "the lowest loss seen" if event.minimum is None else f"the minimum at {_pair(event.minimum)}"


SINGULAR = {ev.FLOOR: "enters the valley floor", ev.OSCILLATES: "oscillates", ev.STALLS: "stalls",
            ev.DIVERGES: "diverges", ev.LEAVES: "leaves the view"}
PLURAL = {ev.FLOOR: "enter the valley floor", ev.OSCILLATES: "oscillate", ev.STALLS: "stall",
          ev.DIVERGES: "diverge", ev.LEAVES: "leave the view"}


def _event_text(event, story):
    """The transcript's line for an event (see anim.compute.events for what each one means)."""
    loss = f"loss {event.where[2]:.3g}" if event.where else ""
    if event.runs > 1:
        verb = f"reach {_reached(event)}" if event.kind == ev.REACHES else PLURAL[event.kind]
        at = f" (at {_pair(event.where, story)})" if event.where else ""  # none for a run stopped at its start
        return (f"{event.count:,} of {event.runs:,} {event.label} runs {verb}: the first here{at}, "
                f"the median at step {event.median}")
    label = event.label
    if event.kind == ev.REACHES:
        within = "" if story.minima else f"within {_percent(ev.TOLERANCE)}, "
        return f"{label} reaches {_reached(event)} ({within}{loss}, at {_pair(event.where, story)})"
    if event.kind == ev.FLOOR:
        return f"{label} enters the valley floor at {_pair(event.where, story)} ({loss})"
    if event.kind == ev.OSCILLATES:
        return (f"{label} starts to oscillate: each update turns back on the one before, until step "
                f"{event.until}")
    if event.kind == ev.STALLS:
        where = "at its start" if event.step == 0 else f"at {_pair(event.where, story)}"
        return (f"{label} stalls {where}: from here every update is shorter than {_percent(ev.STILL)} of the view "
                f"({loss})")
    if event.kind == ev.DIVERGES:
        return f"{label} diverges: its loss is not finite at step {event.step}; its path ends here with a cross"
    return (f"{label} leaves the view: at step {event.step} it is more than a window's size past an edge; "
            "its path ends here with a cross")


def _alt(shown_as, title, setup, story):
    """One or two sentences: what the view shows, who reaches the lowest loss, oscillates, stalls,
    diverges or leaves the view and when, and who ends lowest."""
    clauses = []
    for kind in (ev.REACHES, ev.OSCILLATES, ev.STALLS, ev.DIVERGES, ev.LEAVES):
        having = [event for event in story.events if event.kind == kind]
        single = [event for event in having if event.runs == 1]
        if single:
            names = _and([f"{event.label} ({_when(event)})" for event in single])
            if kind == ev.REACHES:
                what = _reached(single[0]) if len({e.minimum for e in single}) == 1 else "a known minimum"
                verb = ("reaches " if len(single) == 1 else "reach ") + what
            else:
                verb = SINGULAR[kind] if len(single) == 1 else PLURAL[kind]
            clauses.append(f"{names} {verb}")
        swarms = {}  # several runs of an optimizer: their counts, one clause per kind (and minimum reached)
        for event in having:
            if event.runs > 1:
                verb = f"reach {_reached(event)}" if kind == ev.REACHES else PLURAL[kind]
                swarms.setdefault(verb, []).append(f"{event.count:,} of {event.runs:,} {event.label} runs "
                                                   f"(the first at step {event.step})")
        clauses += [f"{_and(counts)} {verb}" for verb, counts in swarms.items()]
    best = story.finals[0] if story.finals and story.finals[0].loss is not None else None
    if best is not None:
        median = "the lowest median loss" if best.runs > 1 else "the lowest loss"
        clauses.append(f"{best.label} ends with {median}, {best.loss:.3g}")
    return f"{shown_as} of {title}: {setup}. {'; '.join(clauses) or 'Nothing more happens'}."


def _when(event):
    if event.kind == ev.STALLS and event.step == 0:
        return "at its start"
    return f"from step {event.step}" if event.kind in (ev.OSCILLATES, ev.STALLS) else f"step {event.step}"


def _ranking(story):
    """The final losses, lowest first; then the optimizers whose every run stopped."""
    parts = []
    for final in story.finals:
        stopped = [f"{n:,} {what}" for n, what in ((final.diverged, "diverged"), (final.left, "left the view")) if n]
        if final.loss is None:
            what = "diverged" if final.diverged else "left the view"
            parts.append(f"{final.label} {what} at step {final.stopped_at}" if final.runs == 1 else
                         f"{final.label}: every run stopped ({', '.join(stopped)}), the first at step "
                         f"{final.stopped_at}")
        elif final.runs == 1:
            parts.append(f"{final.label} {final.loss:.3g}")
        else:
            ended = final.runs - final.diverged - final.left
            parts.append(f"{final.label} {final.loss:.3g} (the median of {ended:,} runs drawn to the end"
                         + (f"; {', '.join(stopped)}" if stopped else "") + ")")
    return "Final losses, lowest first: " + "; ".join(parts) + "."


def _rules(story):
    """The definitions, with the numbers this scene gave them."""
    if story.minima:
        lowest = f"the loss at the scene's known minima, {story.lowest:.3g}"
    else:
        lowest = f"the lowest loss any run reaches in view, {story.lowest:.3g}"
    floor = (f" The valley floor: where the loss rises on both sides across the valley, "
             f"{ev.ACROSS * story.diagonal:.3g} away ({_percent(ev.ACROSS)} of the view's diagonal)."
             if story.floor_tested else " The valley floor is not tested " +
             ("on a network's plane (its paths leave it)." if story.plane else "(torch cannot take the surface's "
              "second derivatives)."))
    return (f"How the events are found: the lowest loss is {lowest}; a run reaches it when its loss comes within "
            f"{_percent(ev.TOLERANCE)} of its own drop from its start to it.{floor} "
            f"Oscillating: {ev.TURNS} updates in a row each turning back on the one before. Stalling: every later "
            f"update shorter than {ev.STILL * story.diagonal:.3g} ({_percent(ev.STILL)} of the view's diagonal).")


def _percent(share):
    return f"{share * 100:g} %"


def _and(items):
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
