"""PyTorch's side of `npm run bench`: the same workloads, timed the same way (median of
timed repetitions after warm-up), printed as one JSON object. Run by bench/peers/pytorch.ts
with /usr/bin/python3 (Debian's torch); thread settings follow ../shared/PEERS.md:
OMP_NUM_THREADS and OPENBLAS_NUM_THREADS are set by the caller, torch.set_num_threads here.
"""
import json
import sys
import time

import torch


def median_ms(fn, warmup=2, min_runs=5, min_s=0.3):
    for _ in range(warmup):
        fn()
    samples = []
    start = time.perf_counter()
    while len(samples) < min_runs or time.perf_counter() - start < min_s:
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
        if len(samples) >= 200:
            break
    samples.sort()
    return samples[len(samples) // 2]


def sgemm(sizes):
    out = {}
    for n in sizes:
        a = torch.rand(n, n)
        b = torch.rand(n, n)
        out[str(n)] = median_ms(lambda: torch.mm(a, b))
    return out


def conv2d():
    x = torch.rand(8, 64, 56, 56)
    w = torch.rand(64, 64, 3, 3)
    return median_ms(lambda: torch.nn.functional.conv2d(x, w, padding=1))


def train(kind):
    torch.manual_seed(0)
    if kind == "mlp":
        model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 512), torch.nn.ReLU(), torch.nn.Linear(512, 10))
        x = torch.rand(128, 784)
        y = torch.randint(0, 10, (128,))
    else:
        model = torch.nn.Sequential(
            torch.nn.Conv2d(1, 32, 3), torch.nn.ReLU(), torch.nn.Conv2d(32, 64, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Flatten(), torch.nn.Linear(9216, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
        x = torch.rand(64, 1, 28, 28)
        y = torch.randint(0, 10, (64,))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    ms = median_ms(step, warmup=3, min_runs=5, min_s=1.0)
    return x.shape[0] / (ms / 1000)


threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
torch.set_num_threads(threads)
result = {
    "torch": torch.__version__,
    "threads": threads,
    "sgemm_ms": sgemm([128, 256, 512, 1024, 2048]),
    "conv2d_ms": conv2d(),
    "train_samples_per_s": {"mlp": train("mlp"), "cnn": train("cnn")},
}
print(json.dumps(result))
