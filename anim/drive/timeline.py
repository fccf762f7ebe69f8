"""Where along the trajectories and from which camera pose each video frame is drawn."""

import math
from dataclasses import dataclass

from anim.drive.settings import frame_count, hold_frames, motion_frames


@dataclass(frozen=True)
class Frame:
    """Frame `index` shows every run up to `position` (in updates: 2.5 is halfway from point 2
    to point 3), seen from (elevation, azimuth); `step` is the last whole point reached."""

    index: int
    position: float
    elevation: float
    azimuth: float

    @property
    def step(self):
        return math.floor(self.position)


@dataclass(frozen=True)
class Timeline:
    """`lead_in` frames on the start points, `motion` frames from the first point to the last at
    an even pace, then the final paths until `frames`; the camera moves over all of them."""

    frames: int
    steps: int
    lead_in: int
    camera: object
    motion: int = None  # default: one frame per update

    def frame(self, index):
        motion = self.steps if self.motion is None else self.motion
        moved = min(max(index - self.lead_in, 0), motion - 1)
        # Exact whole numbers at the ends: the last motion frame shows the last point itself.
        if motion > 1:
            position = moved * (self.steps - 1) / (motion - 1)
        else:  # a pace too fast for one frame per update: straight to the last point
            position = float(self.steps - 1 if index >= self.lead_in else 0)
        t = index / (self.frames - 1) if self.frames > 1 else 0.0
        elevation, azimuth = self.camera.pose(t)
        return Frame(index, position, elevation, azimuth)

    def frame_of(self, step):
        """The first frame whose heads have reached point `step` (a whole number of updates)."""
        step = min(max(int(step), 0), self.steps - 1)
        if step == 0:
            return 0
        motion = self.steps if self.motion is None else self.motion
        if motion <= 1:
            return self.lead_in
        # position = moved * (steps - 1) / (motion - 1) >= step, in whole numbers: no rounding to miss
        return self.lead_in + -(-step * (motion - 1) // (self.steps - 1))

    def __iter__(self):
        return (self.frame(i) for i in range(self.frames))

    def __len__(self):
        return self.frames


def timeline(scene, settings):
    return Timeline(frame_count(scene.steps, settings), scene.steps,
                    hold_frames(settings.hold_start, settings.fps), scene.camera,
                    motion_frames(scene.steps, settings))
