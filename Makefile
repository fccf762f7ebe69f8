# Two commands do everything on a fresh machine: `make render` and `make test` (which builds the docs too).
# torch is pinned to the release the suite passes on. Which build pip takes depends on where it looks:
# here pip is configured with a local CPU wheel; from plain PyPI on Linux the same pin is the CUDA
# build (several GB of nvidia-* packages). For the CPU build anywhere, follow PyTorch's instructions:
#   make render TORCH_INDEX=https://download.pytorch.org/whl/cpu

VENV  ?= .venv
PY    := $(VENV)/bin/python
PIP   := $(PY) -m pip install --quiet --disable-pip-version-check
TORCH := torch==2.13.0
TORCH_INDEX ?=

.PHONY: setup client-tools render test docs bench clean

# What rendering needs: torch and optianim with its dependencies (numpy, matplotlib, imageio-ffmpeg,
# click), enough for every shipped scene but modern_optimizers.py (the optimizers extra).
$(VENV)/.render: pyproject.toml
	@echo "setting up $(VENV) to render: $(TORCH) $(if $(TORCH_INDEX),from $(TORCH_INDEX),from pip's configured indexes) and optianim, once"
	python3 -m venv $(VENV)
	$(PIP) $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX)) $(TORCH)
	$(PIP) -e .
	touch $@

# What the test suite needs on top: its tools (the test extra), the extras it checks (optimizers, dask)
# and the docs extra (the suite builds the documentation site: tests/test_docs.py).
$(VENV)/.test: $(VENV)/.render
	@echo "adding the test tools and the optimizers, dask and docs extras to $(VENV), once"
	$(PIP) -e '.[test,optimizers,dask,docs]'
	touch $@

setup: $(VENV)/.test  # everything a developer needs: what `make test` sets up

render: $(VENV)/.render
	$(VENV)/bin/optianim render scenes/pathological.py

client-tools:  # ffprobe, Chromium, LibreOffice Impress, pdflatex (animate) and pdftoppm for tests/clients, from Debian's packages (apt-get, as root)
	bash tests/clients/install-tools.sh

test: $(VENV)/.test client-tools
	$(PY) -m pytest -n auto --dist loadfile

docs: setup  # the documentation site, warnings as errors; the gallery renders through the render cache
	$(VENV)/bin/sphinx-build -W --keep-going -b html docs docs/_build/html
	@echo "open docs/_build/html/index.html, or serve it: python3 -m http.server -d docs/_build/html"

bench: setup  # about 12 minutes on 2 cores; see tests/bench/
	$(PY) tests/bench/bench_swarm.py
	$(PY) tests/bench/bench_render.py

clean:  # the virtual environment and rendered media; media/readme/ is tracked and kept
	rm -rf $(VENV)
	find media -mindepth 1 -maxdepth 1 -type d ! -name readme -exec rm -rf {} +
