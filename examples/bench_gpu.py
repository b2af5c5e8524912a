"""The work of examples/bench_gpu.nu in PyTorch-Python, timed the same way (median of 5 timings
of `reps` repetitions, each ending with torch.cuda.synchronize). One JSON line per row."""
import json
import statistics
import sys
import time

import torch

device = sys.argv[1] if len(sys.argv) > 1 else "cuda"
size = int(sys.argv[2]) if len(sys.argv) > 2 else 8192
elements = int(sys.argv[3]) if len(sys.argv) > 3 else 10_000_000


def sync():
    if device.startswith("cuda"):
        torch.cuda.synchronize(device)


def median_ms(reps, body):
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(reps):
            body()
        sync()
        times.append((time.perf_counter() - t0) * 1e3 / reps)
    return statistics.median(times)


def row(what, ms, **extra):
    print(json.dumps({"side": "pytorch", "what": what, "ms": ms, **extra}, ensure_ascii=False))


torch.manual_seed(0)
for dtype in [torch.bfloat16, torch.float32]:
    a = torch.randn(size, size, dtype=dtype, device=device)
    b = torch.randn(size, size, dtype=dtype, device=device)
    a.mm(b)
    reps = 20 if dtype == torch.bfloat16 else 5
    ms = median_ms(reps, lambda: a.mm(b))
    name = "bfloat16" if dtype == torch.bfloat16 else "float32"
    row(f"mm {size}³ ({name})", ms, tflops=2 * size**3 / (ms / 1e3) / 1e12)

x = torch.randn(elements, device=device)
chain = lambda: torch.exp(torch.add(torch.mul(torch.sin(x), 2), 1))
chain()
row(f"elementwise chain sin·mul·add·exp, {elements} float32", median_ms(20, chain))

small = torch.randn(10, device=device)
row("sin of a 10-element tensor (one call)", median_ms(200, lambda: torch.sin(small)))

m = torch.randn(1_000_000, device=device)
row("tovalue of 1M float32 from the GPU", median_ms(3, lambda: m.tolist()))


def blobs(n, std=0.7, skew=0.3):
    per = n // 3
    centers = [torch.tensor([0.0, 0.0]), torch.tensor([3.0, 0.0]), torch.tensor([1.5, 2.5])]
    xs, ys = [], []
    for i, c in enumerate(centers):
        p = torch.randn(per, 2) * std + c
        if i:
            mat = torch.tensor([[1.0, skew * (i - 1)], [skew * (i - 1), 1.0]])
            p = torch.mm(p - c, mat) + c
        xs.append(p)
        ys.append(torch.full((per,), i, dtype=torch.long))
    return torch.cat(xs).to(device), torch.cat(ys).to(device)


# The seed's training (../shared/reference/simple_nn.py's loop) on the GPU.
for n in [300, 30000]:
    torch.manual_seed(42)
    X, y = blobs(n)
    ps = [torch.randn(*s, device=device, requires_grad=True) for s in [(20, 2), (20,), (3, 20), (3,)]]

    def train(epochs):
        w1, b1, w2, b2 = ps
        for _ in range(epochs):
            h = torch.relu(torch.mm(X, w1.t()) + b1)
            out = torch.mm(h, w2.t()) + b2
            loss = torch.nn.functional.cross_entropy(out, y)
            for p in ps:
                p.grad = None
            loss.backward()
            with torch.no_grad():
                for p in ps:
                    p -= 0.1 * p.grad
        return loss

    train(10)
    sync()
    t0 = time.perf_counter()
    train(1000)
    sync()
    row(f"seed network, nn train, {n} points", (time.perf_counter() - t0) * 1e3 / 1000, per="epoch")
