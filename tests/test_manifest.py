"""manifest.json: strict JSON whatever the runs did, one FileRecord per file as a decoder reads it."""

import json

import anim
import probe


def test_manifest_is_strict_json_even_when_a_run_diverges(tmp_path, scene_file, render):
    path = scene_file("""
        import torch
        from anim import Scene, Optimizer
        scene = Scene(name="boom", surface=lambda a, b: torch.exp(a) + b ** 2, init=[(1, 1), (0, 0)], steps=30,
                      x_range=(-3, 3), y_range=(-3, 3),
                      optimizers=[Optimizer("SGD", torch.optim.SGD, lr=1e6), Optimizer("Adam", torch.optim.Adam, lr=0.1)])
    """)
    result = render(path, tmp_path, "--size", "160x96")
    # it leaves the view at once and overflows later: reported once, for what stopped it first
    assert "note: SGD (run 0) left the view at step 1 (far outside it)" in result.output
    assert "diverged" not in result.output

    def refuse(constant):
        raise AssertionError(f"{constant} in manifest.json")

    manifest = json.loads((tmp_path / "boom" / "manifest.json").read_text(), parse_constant=refuse)
    runs = {(r["optimizer"], r["run"]): r for r in manifest["runs"]}
    assert runs[("SGD", 0)]["diverged_at"] is not None and runs[("Adam", 0)]["diverged_at"] is None
    probe.check_outputs(tmp_path / "boom", path, anim.info(path, size="160x96"))
