#!/usr/bin/env python3
"""skewbench's PyTorch yardstick: trains the two reference models on the CPU and prints images/second.

It does the work `skewbench bench training` does (same models, optimiser, batch, image count, one
warm-up epoch then the timed epochs) and prints the same fields, one JSON object per model, so the
two can be run back to back and their ratio read. Compare ratios of runs made one after the other,
never absolute times across machines.

Needs Python 3 and PyTorch, e.g. on Debian:  apt-get install -y python3-torch libopenblas0-pthread
(run with /usr/bin/python3; without OpenBLAS, Debian's PyTorch runs its dense layers on the reference BLAS)
Usage: torch_throughput.py [--model mlp|cnn|both] [--size 28] [--channels 1] [--labels 10]
                           [--batch 64] [--images 2048] [--epochs 2] [--threads 1]
"""
import argparse
import json
import time

import torch

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--model", choices=["mlp", "cnn", "both"], default="both")
parser.add_argument("--size", type=int, default=28, help="side of the square input")
parser.add_argument("--channels", type=int, default=1)
parser.add_argument("--labels", type=int, default=10)
parser.add_argument("--batch", type=int, default=64)
parser.add_argument("--images", type=int, default=2048, help="images per epoch")
parser.add_argument("--epochs", type=int, default=2, help="timed epochs after one warm-up epoch")
parser.add_argument("--threads", type=int, default=1)
args = parser.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)


def reference_model(kind: str) -> torch.nn.Module:
    """The reference MLP and CNN of skewbench's README, for NCHW input."""
    nn = torch.nn
    side, c = args.size, args.channels
    if kind == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(c * side * side, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, args.labels))
    return nn.Sequential(
        nn.Conv2d(c, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * (side // 4) * (side // 4), 64), nn.ReLU(), nn.Linear(64, args.labels),
    )


for kind in ["mlp", "cnn"] if args.model == "both" else [args.model]:
    # Random data as the harness's benchmark uses: uniform pixels, each label positive with p = 0.3.
    images = torch.rand(args.images, args.channels, args.size, args.size)
    targets = (torch.rand(args.images, args.labels) < 0.3).float()
    model = reference_model(kind)
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_of = torch.nn.BCEWithLogitsLoss()

    def one_epoch() -> None:
        for start in range(0, args.images, args.batch):
            optimiser.zero_grad()
            loss_of(model(images[start:start + args.batch]), targets[start:start + args.batch]).backward()
            optimiser.step()

    one_epoch()
    began = time.perf_counter()
    for _ in range(args.epochs):
        one_epoch()
    seconds = time.perf_counter() - began
    print(json.dumps({
        "engine": f"torch-{torch.__version__}",
        "threads": torch.get_num_threads(),
        "model": kind,
        "inputSize": args.size,
        "labels": args.labels,
        "batchSize": args.batch,
        "images": args.images * args.epochs,
        "seconds": round(seconds, 4),
        "imagesPerSecond": round(args.images * args.epochs / seconds, 1),
    }))
