"""Whether each optimizer on offer steps two weights here, found by running it (three updates on
a bowl, as a scene runs them), for `optianim optimizers`."""

from anim.compute import stepping, trajectory
from anim.declare import catalog
from anim.declare.scene import Optimizer, Scene
from anim.errors import SceneError


def status(entry):
    """(works, note) for the listing: whether it steps two weights here (three updates on a bowl,
    run as a scene runs them), else why not; the note says what it needs or how it is stepped."""
    reason = catalog.refusal(entry.cls)
    if reason:
        return False, reason
    known = catalog.known_note(entry.cls)
    if known:
        return True, known
    try:
        run = _probe(entry)
    except SceneError as exc:
        return False, str(exc).removeprefix("optimizers['probe']: ")
    notes = [stepping.MATRIX_NOTE] if stepping.is_matrix_only(entry.cls) else []
    notes += [f"records {name}" for name in run.extras]
    return True, "; ".join(notes)


def _probe(entry):
    scene = Scene(name="probe", surface=lambda w1, w2: (w1 - 1) ** 2 + 3 * (w2 + 0.5) ** 2, init=(1.5, -2.0),
                  steps=3, optimizers=[Optimizer("probe", entry.cls)])
    trajectory.check_optimizers(scene)
    return trajectory.compute(scene)[0]
