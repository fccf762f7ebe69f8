"""The fading trail: which segments of a path a frame shows when only recent updates are kept,
and how opaque each one is."""

import math

import numpy as np
from matplotlib import colors as mcolors

FAINTEST = 0.08  # the opacity of a segment about to leave the trail


def segments(run, position, length):
    """The path of `run` at `position` cut to its last `length` updates, as (segments, alphas):
    segments an [n, 2, 3] array of point pairs, oldest first, the oldest starting exactly
    `length` updates behind the head, so the trail keeps its length as the head glides; each
    segment's opacity falls with its age, from 1 at the head towards FAINTEST at the tail."""
    path = run.shown_at(position)
    where = np.arange(len(path), dtype=float)  # each point's position along the timeline
    if len(path) == math.floor(position) + 2:  # the last point is a head partway to the next
        where[-1] = position
    tail = position - length
    later = np.flatnonzero(where > tail)
    if len(later) == 0:  # the run stopped (diverged) longer ago than the trail reaches
        return np.empty((0, 2, 3)), np.empty(0)
    first = later[0]
    if first > 0:  # start at the point `length` updates back, between two recorded points
        share = (tail - where[first - 1]) / (where[first] - where[first - 1])
        cut = path[first - 1] + share * (path[first] - path[first - 1])
        path, where = np.concatenate([cut[None], path[first:]]), np.concatenate([[tail], where[first:]])
    pieces = np.stack([path[:-1], path[1:]], axis=1)
    ages = position - (where[:-1] + where[1:]) / 2  # updates since the middle of each segment
    return pieces, np.clip(1 - ages / length, FAINTEST, 1.0)


def faded(color, alphas):
    """One RGBA colour per alpha: `color` at each opacity."""
    rgba = np.tile(mcolors.to_rgba(color), (len(alphas), 1))
    rgba[:, 3] = alphas
    return rgba
