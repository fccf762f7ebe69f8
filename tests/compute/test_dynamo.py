"""torch._dynamo stays unloaded while optianim runs the optimizers, and the trajectories are bit for
bit those with the real torch._dynamo loaded (as every torch.optim step imports it otherwise)."""

import json
import subprocess
import sys

from conftest import SCENES

# Shipped scenes covering torch.optim's kinds: the lecture's six (plain, momentum, Nesterov, Adagrad,
# RMSprop, Adam), a scene's own optimizer, noisy gradients, recorded state, a sweep, a swarm. (A
# Landscape's plane is evaluated with torch.func, which loads torch._dynamo itself.)
CHECKED = ["pathological.py", "custom_optimizer.py", "noisy_sgd.py", "adam_explained.py", "lr_sweep.py", "swarm.py"]
PROBE = """
import hashlib, json, sys
import numpy as np
if sys.argv[1] == "real":
    import torch._dynamo  # loaded first: what torch.optim imports on its first step otherwise
from anim.drive import pipeline
digests = {}
for path in sys.argv[2:]:
    prepared = pipeline.prepare(path)
    h = hashlib.sha256()
    for run in prepared.runs:
        for array in (run.points, run.grad, run.update, run.lr, *[run.state[k] for k in sorted(run.state)]):
            h.update(np.ascontiguousarray(array).tobytes())
    digests[path] = h.hexdigest()
print(json.dumps({"digests": digests, "dynamo": type(sys.modules.get("torch._dynamo")).__name__,
                  "sympy": "sympy" in sys.modules}))
"""


def run(mode):
    done = subprocess.run([sys.executable, "-c", PROBE, mode, *(str(SCENES / name) for name in CHECKED)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def test_trajectories_are_bit_identical_without_loading_torch_dynamo():
    deferred, real = run("deferred"), run("real")
    assert deferred["dynamo"] == "Deferred" and not deferred["sympy"]  # never loaded, nor what it drags in
    assert real["dynamo"] == "module"
    assert deferred["digests"] == real["digests"]


def test_anything_beyond_the_guards_loads_the_real_dynamo_and_the_guards_follow_it():
    probe = """
import sys, torch
from anim.compute import dynamo
dynamo.defer()
optimizer = torch.optim.SGD([torch.zeros(2, requires_grad=True)], lr=0.1)
optimizer.zero_grad()  # its dynamo-disabled wrapper, made while deferred
assert type(sys.modules["torch._dynamo"]).__name__ == "Deferred"
import torch._dynamo
torch._dynamo.config  # torch.compile, or a scene, asking for more than the guards: the real module
assert type(sys.modules["torch._dynamo"]).__name__ == "module" and torch._dynamo is sys.modules["torch._dynamo"]
optimizer.zero_grad()  # the same wrapper now goes through the real torch._dynamo.disable
optimizer.step()
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.stdout.strip() == "ok", done.stderr
