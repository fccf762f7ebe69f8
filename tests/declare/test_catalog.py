"""Optimizers by name: the closest names for an unknown one, the pip line for a missing library,
nothing imported until a scene names one, and `optianim optimizers` listing what works and why not."""

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

from anim import Optimizer
from anim.compute import probe
from anim.declare import catalog
from anim.errors import SceneError
from anim.faces.cli import main

ROOT = Path(__file__).resolve().parents[2]
pytest.importorskip("pytorch_optimizer")
pytest.importorskip("schedulefree")


@pytest.mark.parametrize("name, message", [
    ("loin", "optimizers['x']: no optimizer named 'loin' (did you mean 'lion'?); "
             "`optianim optimizers` lists every one"),
    ("sophia", "optimizers['x']: no optimizer named 'sophia' (did you mean 'sophiah' or 'spam' or 'soap'?); "
               "`optianim optimizers` lists every one"),
    ("torch.optim.Adm", "optimizers['x']: no optimizer named 'torch.optim.Adm' (did you mean 'torch.optim.Adam' or "
                        "'torch.optim.RAdam' or 'torch.optim.NAdam'?); `optianim optimizers` lists every one"),
    ("optax.adam", "optimizers['x']: 'optax.adam' names no optimizer library; give a name of pytorch_optimizer's "
                   "registry ('lion') or one of torch.optim.Name, pytorch_optimizer.Name, schedulefree.Name"),
])
def test_an_unknown_name_gets_the_closest_names(name, message):
    with pytest.raises(SceneError) as error:
        Optimizer("x", name)
    assert str(error.value) == message


def test_names_of_each_library_resolve_to_its_class():
    import pytorch_optimizer
    import schedulefree

    assert Optimizer("x", "Lion").factory is pytorch_optimizer.Lion
    assert Optimizer("x", "pytorch_optimizer.SOAP").factory is pytorch_optimizer.SOAP
    assert Optimizer("x", "torch.optim.Muon").factory is torch.optim.Muon
    assert Optimizer("x", "schedulefree.AdamWScheduleFree").factory is schedulefree.AdamWScheduleFree


@pytest.mark.parametrize("name, library", [("lion", "pytorch_optimizer"),
                                           ("schedulefree.AdamWScheduleFree", "schedulefree")])
def test_a_missing_library_says_which_pip_line_brings_it(monkeypatch, name, library):
    monkeypatch.setitem(sys.modules, library, None)  # import fails as if it were not installed
    with pytest.raises(SceneError) as error:
        Optimizer("x", name)
    assert str(error.value) == (f"optimizers['x']: {name!r} is an optimizer of {library}, which is not installed; "
                                "pip install 'optianim[optimizers]'")


def test_nothing_imports_the_libraries_until_a_scene_names_one():
    code = ("import sys, anim; s = anim.load('scenes/pathological.py'); "
            "print(sorted(m for m in ('pytorch_optimizer', 'schedulefree') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}).stdout
    assert out == "[]\n"  # (test_names_of_each_library_resolve_to_its_class: a name imports its library)


def test_the_extra_pins_both_libraries_and_brings_no_torch_of_its_own():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert extras["optimizers"] == ["pytorch-optimizer==4.1.0", "schedulefree==1.4.1"]


def test_optianim_optimizers_lists_each_with_whether_it_works_and_why_not():
    result = CliRunner().invoke(main, ["optimizers"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    rows = {line.split()[0]: line.split(None, 2)[1:] for line in lines if line.startswith("  ")}
    assert rows["torch.optim.SparseAdam"] == ["no", "it takes sparse gradients only (those of "
                                                    "nn.Embedding(sparse=True))"]
    assert rows["torch.optim.Muon"] == ["yes", "1x2 matrix"]
    assert rows["lomo"] == ["no", "it needs the model (an nn.Module): it fuses the update into the backward pass"]
    assert rows["prodigy"] == ["yes", "records d"] and rows["schedulefreeadamw"] == ["yes", "records x"]
    assert rows["lion"] == ["yes"] and rows["schedulefree.SGDScheduleFree"] == ["yes", "records x"]
    refused = sorted(name for name, row in rows.items() if row[0] == "no")
    assert refused == ["adalomo", "adammini", "demo", "distributedmuon", "lomo", "lorarite", "torch.optim.SparseAdam"]
    assert lines[-1] == f"{len(rows) - 7} of {len(rows)} optimizers can step two weights"
    assert not any("Switching" in line for line in lines)  # what a library prints is not let through


def test_a_listed_refusal_is_what_a_scene_is_told():
    for entry in catalog.entries("pytorch_optimizer"):
        reason = catalog.refusal(entry.cls)
        if reason:
            assert probe.status(entry) == (False, reason)
