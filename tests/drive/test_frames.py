"""Frames drawn here or in worker processes are the same pixels, in the order asked for."""


def test_surface_frames_are_byte_identical_for_any_number_of_jobs(tmp_path, tiny_scene, render, null_encoder):
    for jobs in ("1", "2"):
        render(tiny_scene, tmp_path / jobs, "--view", "surface", "--format", "mp4", "--size", "256x144",
               "--jobs", jobs)
    here, in_workers = null_encoder
    assert here.frames == in_workers.frames == 87 and set(here.shapes) == {(144, 256, 4)}
    assert here.digests == in_workers.digests
    assert len(set(here.digests)) > here.frames // 2  # the camera moves: frames differ
