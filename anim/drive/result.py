"""What a render wrote and said: the Result every render returns, drawn or answered by the cache."""

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Result:
    """What a render wrote: the folder, a FileRecord per file (manifest.json, which lists them,
    aside), the manifest, and what the render said of the runs (`stops`, `swarms`). `runs` are
    the runs as drawn (each knowing where it stopped): empty when the render cache answered
    before the scene ran. The API returns it as anim.faces.notebook.Rendered, which displays
    itself in a notebook."""

    folder: Path
    files: list = field(default_factory=list)
    manifest: dict = field(default_factory=dict)
    runs: list = field(default_factory=list)
    masked: dict = field(default_factory=dict)  # view -> share of its mesh where the surface is not finite
    removed_temps: list = field(default_factory=list)  # left by renders that were killed
    starts_outside: list = field(default_factory=list)  # (index, (w1, w2)) of start points outside the window
    color_notes: list = field(default_factory=list)  # one line each about the scene's colours (anim.look.colors.notes)
    plane: object = None  # a Landscape's manifest `plane`: how well the plane holds the paths
    overlay_notes: list = field(default_factory=list)  # one line each on overlays skipped (anim.look.arrows.notes)
    stops: list = field(default_factory=list)  # (optimizer label, run, step, reason) of each run that stopped early
    swarms: int = 0  # how many optimizers are drawn as a swarm (several start points each), overlapping in a panel
    reused: bool = False  # every file came from the render cache, the scene not run
    description: object = None  # what the videos show in words (anim.write.describe.Description), if the scene ran
    tunings: tuple = ()  # the anim.compute.tuning.Tuning of each hyperparameter tuned before the race, if it ran

    def stopped(self, reason):
        """(optimizer label, run, step) of every run that stopped being drawn for `reason`."""
        return [(label, run, step) for label, run, step, why in self.stops if why == reason]

    @property
    def diverged(self):
        from anim.compute.trajectory import DIVERGED

        return self.stopped(DIVERGED)

    @property
    def left_view(self):
        from anim.compute.trajectory import LEFT_VIEW

        return self.stopped(LEFT_VIEW)
