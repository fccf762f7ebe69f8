"""The house has floors: pyproject.toml's import-linter contracts hold (and break when a lower
layer imports a higher one), and an independent reading of every import statement in anim/, at
any depth, finds no circle and no module that declares or computes reaching a view, an encoder,
the pipeline or a face."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "anim"
LAYERS = ("declare", "compute", "look", "write", "drive", "faces")  # bottom to top


def lint_imports(cwd):
    executable = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(executable)], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_the_import_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


def test_the_trajectory_module_importing_the_cli_breaks_the_layers_contract(tmp_path):
    shutil.copytree(PACKAGE, tmp_path / "anim", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    trajectory = tmp_path / "anim" / "compute" / "trajectory.py"
    lines = trajectory.read_text().splitlines()
    trajectory.write_text("\n".join(lines + ["from anim.faces import cli  # noqa: E402, F401"]) + "\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1
    assert "anim.compute is not allowed to import anim.faces:" in result.stdout
    assert f"- anim.compute.trajectory -> anim.faces.cli (l.{len(lines) + 1})" in result.stdout


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports():
    """{module: the anim modules it imports}, from every import statement, function-level ones too."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = package.split(".")[:len(package.split(".")) - node.level + 1] if node.level else []
                source = ".".join(base + ([node.module] if node.module else []))
                # `from anim.look import style` imports the module anim.look.style
                found |= {f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source
                          for alias in node.names}
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def test_no_module_imports_itself_back_through_others():
    graph = imports()
    state = {}

    def visit(module, path):
        state[module] = "open"
        for imported in sorted(graph[module]):
            if state.get(imported) == "open":
                cycle = path[path.index(imported):] + [imported]
                pytest.fail("import circle: " + " -> ".join(cycle))
            if imported not in state:
                visit(imported, path + [imported])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])


def reached(graph, module):
    seen, todo = set(), [module]
    while todo:
        for imported in graph[todo.pop()] - seen:
            seen.add(imported)
            todo.append(imported)
    return seen


def test_each_layer_reaches_only_its_own_layer_and_below_even_indirectly():
    graph = imports()
    for module in graph:
        layer = module.split(".")[1] if module.count(".") and module.split(".")[1] in LAYERS else None
        if layer is None:
            continue
        above = {f"anim.{upper}" for upper in LAYERS[LAYERS.index(layer) + 1:]}
        upward = sorted(m for m in reached(graph, module) if m.rpartition(".")[0] in above or m in above)
        assert not upward, f"{module} reaches {upward}"
    # in particular, what declares and computes never reaches a view, an encoder, the pipeline or a face
    for module in (m for m in graph if m.startswith(("anim.declare", "anim.compute"))):
        assert not reached(graph, module) & {"anim.look.contour", "anim.look.threed", "anim.write.encode",
                                              "anim.drive.pipeline", "anim.faces.api", "anim.faces.cli"}


def test_anim_shows_its_layers_each_saying_what_it_owns_and_may_import():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 8, top
    for layer in LAYERS:
        doc = ast.get_docstring(ast.parse((PACKAGE / layer / "__init__.py").read_text()))
        assert doc and doc.startswith(f"Layer {LAYERS.index(layer) + 1}, {layer}:"), layer
        assert "import" in doc.lower(), layer
