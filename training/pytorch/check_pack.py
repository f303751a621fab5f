#!/usr/bin/env python3
"""Checks train_resfcn.py's batches against the TypeScript training code.

`scripts/packGpuTraining.ts --reference DIR` writes crops and position-map targets that
src/train/data (warpCropImage, trainingCrop, positionMapTarget) makes from the packed
images, unaugmented and with seeded augmentations; this rebuilds them with the PyTorch
port from the pack alone and reports the largest differences.

    python3 training/pytorch/check_pack.py --pack runs/gpu-pack --reference runs/gpu-pack-ref

Exits 1 when the inputs differ by more than 2/255 somewhere or the targets by more than
0.05 px (float16 coefficients and basis) on the face pixels that carry loss weight.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_resfcn import Pack  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pack", required=True)
    ap.add_argument("--reference", required=True)
    a = ap.parse_args()
    pack = Pack(a.pack, torch.device("cpu"))
    ref = json.load(open(os.path.join(a.reference, "reference.json")))
    H = pack.H
    inputs = np.fromfile(os.path.join(a.reference, "inputs.f32"), dtype="<f4").reshape(-1, H, H, 3)
    targets = np.fromfile(os.path.join(a.reference, "targets.f32"), dtype="<f4").reshape(-1, H, H, 3)
    idx = torch.tensor([r["face"] for r in ref])
    d = lambda key: torch.tensor([r["aug"][key] for r in ref], dtype=torch.float64)
    aug = {"angle": d("angle"), "shift": d("shift"), "scale": d("scale"), "flip": torch.tensor([r["aug"]["flip"] for r in ref]),
           "color": d("colorScale"), "occlusion": torch.zeros(len(ref), dtype=torch.bool)}
    x, t = pack.batch(idx, aug)
    x = x.permute(0, 2, 3, 1).numpy()
    t = t.numpy()
    w = pack.weight_mask.numpy() > 0
    bad = False
    for b, r in enumerate(ref):
        di = np.abs(x[b] - inputs[b]).max()
        dt = np.abs(t[b] - targets[b])[w].max() * pack.scale
        dt_all = np.abs(t[b] - targets[b]).max() * pack.scale
        ok = di <= 2 / 255 and dt <= 0.05
        bad |= not ok
        print(f"face {r['face']:6d} flip {int(r['aug']['flip'])} angle {np.degrees(r['aug']['angle']):6.1f}°: input max |Δ| {di * 255:.3f}/255, "
              f"target max |Δ| {dt:.4f} px on weighted pixels ({dt_all:.4f} px anywhere) {'ok' if ok else 'MISMATCH'}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
