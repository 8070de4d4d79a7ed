"""A step-scheduled training loop with resumable checkpoints and a CSV curve per stage."""

from __future__ import annotations

import csv
import math
import time
from pathlib import Path
from typing import Callable

import torch
from torch import nn

from .config import WORK

CHECKPOINT_EVERY_S = 60.0
LOG_EVERY_STEPS = 10


def lr_factor(progress: float, warmup: float = 0.04) -> float:
    """Linear warm-up, then cosine decay to zero over the stage's steps."""
    if progress < warmup:
        return max(progress / warmup, 0.02)
    return 0.5 * (1 + math.cos(math.pi * min(1.0, (progress - warmup) / (1 - warmup))))


def run_steps(
    name: str,
    modules: dict[str, nn.Module],
    optimizer: torch.optim.Optimizer,
    peak_lr: float,
    steps: int,
    step: Callable[[int], dict[str, float]],
) -> dict[str, float]:
    """Call step(i) for i < steps, scheduling the learning rate on i / steps, so that a run gives the same model
    however busy the CPU is (a busier CPU only finishes later).

    Resumes from WORK/<name>.ckpt when present. step(i) must draw its batch from i alone, so a resumed run sees
    the same batches. Returns {"steps", "seconds"} (seconds of training, summed over resumed runs).
    """
    checkpoint = WORK / f"{name}.ckpt"
    log_path = WORK / "logs" / f"{name}.csv"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    i, elapsed = 0, 0.0
    if checkpoint.exists():
        state = torch.load(checkpoint)
        for key, module in modules.items():
            module.load_state_dict(state["modules"][key])
        optimizer.load_state_dict(state["optimizer"])
        i, elapsed = state["step"], state["elapsed"]
        print(f"[{name}] resumed at step {i} of {steps}", flush=True)
    new_log = not log_path.exists() or i == 0
    with open(log_path, "w" if new_log else "a", newline="") as handle:
        writer = None
        last_save = time.time()
        while i < steps:
            factor = lr_factor(i / steps)
            for group in optimizer.param_groups:
                group["lr"] = peak_lr * factor * group.get("lr_scale", 1.0)
            started = time.time()
            metrics = step(i)
            elapsed += time.time() - started
            i += 1
            if i % LOG_EVERY_STEPS == 0 or i == steps:
                row = {"step": i, "seconds": round(elapsed, 1), "lr": peak_lr * factor, **{k: round(v, 5) for k, v in metrics.items()}}
                if writer is None:
                    writer = csv.DictWriter(handle, fieldnames=list(row))
                    if new_log:
                        writer.writeheader()
                writer.writerow(row)
                handle.flush()
                print(f"[{name}] " + " ".join(f"{k}={v}" for k, v in row.items()), flush=True)
            if time.time() - last_save > CHECKPOINT_EVERY_S:
                _save(checkpoint, modules, optimizer, i, elapsed)
                last_save = time.time()
    _save(checkpoint, modules, optimizer, i, elapsed)
    return {"steps": i, "seconds": elapsed}


def _save(path: Path, modules: dict[str, nn.Module], optimizer: torch.optim.Optimizer, step: int, elapsed: float) -> None:
    state = {"modules": {k: m.state_dict() for k, m in modules.items()}, "optimizer": optimizer.state_dict(), "step": step, "elapsed": elapsed}
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    tmp.replace(path)
