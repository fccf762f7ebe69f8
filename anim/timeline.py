"""Which trajectory prefix and camera pose each video frame shows."""

from dataclasses import dataclass

from anim.settings import frame_count, hold_frames


@dataclass(frozen=True)
class Frame:
    """Frame `index` shows points 0..step of every run, seen from (elevation, azimuth)."""

    index: int
    step: int
    elevation: float
    azimuth: float


@dataclass(frozen=True)
class Timeline:
    frames: int
    steps: int
    lead_in: int
    camera: object

    def frame(self, index):
        step = min(max(index - self.lead_in, 0), self.steps - 1)
        t = index / (self.frames - 1) if self.frames > 1 else 0.0
        elevation, azimuth = self.camera.pose(t)
        return Frame(index, step, elevation, azimuth)

    def __iter__(self):
        return (self.frame(i) for i in range(self.frames))

    def __len__(self):
        return self.frames


def timeline(scene, settings):
    return Timeline(frame_count(scene.steps, settings), scene.steps,
                    hold_frames(settings.hold_start, settings.fps), scene.camera)
