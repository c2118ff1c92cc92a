#!/usr/bin/env python3
"""Trains the catsdogs presets in PyTorch on the same GPU, for a like-for-like images/s figure.

Same architecture as CudnnModel/Specs/ModelPresets.cs (baseline, deep6), same batch and input
(uint8 NHWC batches in pinned host memory, uploaded and normalised to float NCHW on the GPU each
step; NCHW, the one layout our backend uses, not the channels-last strides a permuted view would
keep), same loss (sigmoid + BCE) and optimizer (SGD, momentum 0.9, lr 1e-3) as `catsdogs bench
model`. One difference favours us: our upload runs on a copy stream beside the compute, this one
on the compute stream. cudnn.benchmark is on; --precision tf32|fp32 sets TF32 for cuDNN and
matmuls alike.
Runs eager mode, then torch.compile when it is available. Prints one key=value line per mode.
"""
import argparse
import sys
import time

import torch
from torch import nn


def deep6(size: int) -> nn.Module:
    layers, channels = [], 3
    for i in range(1, 7):
        layers += [nn.Conv2d(channels, 100 * i, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2)]
        channels = 100 * i
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(channels * (size >> 6) ** 2, 1))


def baseline(size: int) -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(32 * (size // 2) ** 2, 128), nn.ReLU(inplace=True), nn.Dropout(0.5), nn.Linear(128, 1))


def allow_tf32(allowed: bool):
    """PyTorch 2.9 replaced the allow_tf32 flags, and mixing the two APIs can fail in torch.compile."""
    precision = "tf32" if allowed else "ieee"
    if hasattr(torch.backends.cudnn, "conv") and hasattr(torch.backends.cudnn.conv, "fp32_precision"):
        torch.backends.cudnn.conv.fp32_precision = precision
        torch.backends.cuda.matmul.fp32_precision = precision
    else:
        torch.backends.cudnn.allow_tf32 = allowed
        torch.backends.cuda.matmul.allow_tf32 = allowed


def measure(model, batches, labels, warmup, steps):
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
    loss_fn = nn.BCEWithLogitsLoss()

    def step(i):
        pixels = batches[i % len(batches)].cuda(non_blocking=True)
        x = pixels.permute(0, 3, 1, 2).to(torch.float32, memory_format=torch.contiguous_format).div_(255.0)
        loss = loss_fn(model(x).squeeze(1), labels[i % len(labels)])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    for i in range(warmup):
        step(i)
    torch.cuda.synchronize()
    start = time.perf_counter()
    for i in range(steps):
        step(i)
    torch.cuda.synchronize()
    return steps * batches[0].shape[0] / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", choices=["deep6", "baseline"], default="deep6")
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--image-size", type=int, default=64)
    parser.add_argument("--precision", choices=["tf32", "fp32"], default="tf32")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--no-compile", action="store_true", help="skip the torch.compile measurement")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        sys.exit("torch_reference.py: no CUDA device for PyTorch")

    torch.backends.cudnn.benchmark = True
    allow_tf32(args.precision == "tf32")
    torch.manual_seed(1)
    size = args.image_size
    batches = [torch.randint(0, 256, (args.batch, size, size, 3), dtype=torch.uint8).pin_memory() for _ in range(4)]
    labels = [torch.randint(0, 2, (args.batch,), device="cuda").float() for _ in range(4)]
    build = deep6 if args.model == "deep6" else baseline
    print(f"torch {torch.__version__}, cuDNN {torch.backends.cudnn.version()}, {torch.cuda.get_device_name()}, "
          f"{args.model} batch {args.batch} {args.precision}", flush=True)

    eager = measure(build(size).cuda(), batches, labels, args.warmup, args.steps)
    print(f"result mode=eager model={args.model} batch={args.batch} images_per_second={eager:.1f}", flush=True)
    if args.no_compile or not hasattr(torch, "compile"):
        return
    try:
        compiled = measure(torch.compile(build(size).cuda()), batches, labels, args.warmup, args.steps)
        print(f"result mode=compile model={args.model} batch={args.batch} images_per_second={compiled:.1f}", flush=True)
    except Exception as error:  # a missing compiler toolchain must not cost the eager figure
        print(f"torch.compile unavailable: {type(error).__name__}: {error}".splitlines()[0], flush=True)


if __name__ == "__main__":
    main()
