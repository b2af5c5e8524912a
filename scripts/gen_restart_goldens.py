"""Golden values for tests/e2e/restart.rs: what PyTorch gives for each program run without a
restart (the tests run it with one in the middle).

    $NUTORCH_PYTHON scripts/gen_restart_goldens.py > tests/golden/restart.json
"""
import json
import torch

out = {}

# manual_seed 1; randn 2; <restart>; randn 2 (and a rand and randint after it)
torch.manual_seed(1)
first = torch.randn(2)
out["seeded"] = {
    "first": first.tolist(),
    "second": torch.randn(2).tolist(),
    "rand": torch.rand(3).tolist(),
    "randint": torch.randint(0, 100, (4,)).tolist(),
}

# manual_seed 0; w = randn 3 (requires grad); loss = (w * w).sum(); <wait>; backward
torch.manual_seed(0)
w = torch.randn(3, requires_grad=True)
loss = (w * w).sum()
loss.backward()
out["graph"] = {"w": w.tolist(), "loss": loss.item(), "grad": w.grad.tolist()}

print(json.dumps(out, indent=1))
