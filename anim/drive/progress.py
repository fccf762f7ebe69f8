"""What a render tells as it goes: the events a progress callback receives (the CLI prints them)."""

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Started:
    """The scene is loaded and its trajectories computed; its files go to `folder`."""

    scene: object
    folder: Path


@dataclass(frozen=True)
class FrameDone:
    """Frame `done` of `total` of `view` went to the encoder."""

    view: str
    done: int
    total: int


@dataclass(frozen=True)
class FileDone:
    """A file is complete (under its temporary name until the whole render is); `record` says what
    it holds; `reused` that it is the render cache's copy of an identical earlier one."""

    record: object
    reused: bool = False


@dataclass(frozen=True)
class Notice:
    """Something the user should know that did not stop the render: one line (a render cache
    that could not be used)."""

    text: str


def ignore(event):
    """The progress callback used when none is given."""
