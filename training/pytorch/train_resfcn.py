#!/usr/bin/env python3
"""Trains ResFCN on a GPU from a prnet training pack (scripts/packGpuTraining.ts).

The TypeScript trainer (`prnet train`) is the reference; this script is its port for a
machine with a GPU and PyTorch but no Node:

* the networks are built from the layer lists in the pack (written from
  src/model/resfcn.ts), with TensorFlow's SAME padding, no conv biases and batch-norm
  epsilon 0.001, so the weights export under their TF names into the same
  `prnet-weights-1` files `prnet export` turns into ONNX;
* batches are made on the GPU exactly as src/train/data/trainingData.ts makes them:
  the training crop from the fitted landmarks' box (trainingCrop), the paper's
  augmentation (rotation, shift, scale, flip, colour, occluder), a bilinear warp with
  black outside the source, and the position map built from the label's pose and
  morphable-model coefficients (positionMapTarget at 128);
* the loss is the weighted squared error of src/train/engine/loss.ts with L2 decay on the conv
  weights folded into Adam, as src/train/engine/optimizer.ts does;
* validation reports the figures `prnet train` reports each epoch.

Run `python3 train_resfcn.py --help`. Nothing is written outside --out.
"""
import argparse
import copy
import io
import json
import math
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

T0 = time.time()
# NHWC on the GPU (cuDNN's fast layout); NCHW elsewhere (Debian's CPU torch 1.13 crashed in
# the backward pass of channels-last transposed convolutions).
MEMORY_FORMAT = [torch.contiguous_format]


def log(out, line):
    line = f"[{time.time() - T0:7.1f}s] {line}"
    print(line, flush=True)
    if out:
        with open(os.path.join(out, "log.txt"), "a") as f:
            f.write(line + "\n")


# ---------------------------------------------------------------- the pack

class Pack:
    """The packed training set, with images and labels on `device`."""

    def __init__(self, d, device, limit=None):
        meta = json.load(open(os.path.join(d, "pack.json")))
        if meta.get("format") != "prnet-gpu-pack-1":
            raise SystemExit(f"{d}/pack.json: not a prnet GPU pack")
        self.meta = meta
        cols = meta["faceColumns"]
        faces = np.fromfile(os.path.join(d, "faces.f32"), dtype="<f4").reshape(-1, len(cols)).astype(np.float64)
        K = meta["coefficients"]
        # float16 over per-component power-of-two scales (3DDFA's shape coefficients reach 1e7)
        coef = np.fromfile(os.path.join(d, "coefficients.f16"), dtype="<f2").astype(np.float32).reshape(-1, K) * np.asarray(meta["coefficientScale"], np.float32)
        offsets = np.fromfile(os.path.join(d, "image-offsets.u32"), dtype="<u4").astype(np.int64)
        blob = open(os.path.join(d, "images.bin"), "rb").read()
        H = meta["inputSize"]
        self.H, self.K, self.N = H, K, meta["positionMapSize"]
        self.scale = meta["positionMapScale"]
        self.crop_factor = meta["trainingCropFactor"]
        self.aug = meta["augmentation"]
        self.sets = meta["sets"]
        n = faces.shape[0]
        keep = np.arange(n)
        if limit:
            # A few faces of each set and split, for quick checks.
            keep = np.concatenate([np.where((faces[:, 0] == s) & (faces[:, 1] == v))[0][:limit] for s in range(len(self.sets)) for v in (0, 1)])
        # Human points of validation faces, in the pack's face order.
        val_points = np.fromfile(os.path.join(d, "val-points.f32"), dtype="<f4")
        pts_of = {}
        at = 0
        for i in range(n):
            if faces[i, 1] == 1:
                m = self.sets[int(faces[i, 0])]["points"]
                pts_of[i] = val_points[at:at + 2 * m].reshape(2, m)
                at += 2 * m
        assert at == val_points.size, "val-points.f32 does not match the validation faces"

        canvas = max(s["imageSide"] for s in self.sets)

        def decode(i):
            img = Image.open(io.BytesIO(blob[offsets[i]:offsets[i + 1]])).convert("RGB")
            a = np.zeros((canvas, canvas, 3), np.uint8)  # smaller images sit top-left on a black canvas
            arr = np.asarray(img)
            a[:arr.shape[0], :arr.shape[1]] = arr
            return a

        with ThreadPoolExecutor(max_workers=min(32, os.cpu_count() or 4)) as ex:
            imgs = np.stack(list(ex.map(decode, keep)))
        self.images = torch.from_numpy(imgs).permute(0, 3, 1, 2).contiguous().to(device)  # uint8 NCHW
        self.faces = torch.from_numpy(faces[keep]).to(device)
        self.coef = torch.from_numpy(coef[keep]).to(device)
        c = {name: j for j, name in enumerate(cols)}
        self.col = c
        self.set = self.faces[:, c["set"]].long()
        self.side = torch.tensor([s["imageSide"] for s in self.sets], dtype=torch.float64, device=device)[self.set]
        self.train_idx = torch.where(self.faces[:, c["val"]] == 0)[0]
        self.val_idx = {s["name"]: torch.where((self.faces[:, c["val"]] == 1) & (self.set == k))[0] for k, s in enumerate(self.sets)}
        self.val_points = {k: torch.from_numpy(pts_of[int(i)]).to(device) for k, i in enumerate(keep) if int(i) in pts_of}
        mean = np.fromfile(os.path.join(d, "mean128.f32"), dtype="<f4").reshape(H, H, 3)
        basis = np.fromfile(os.path.join(d, "basis128.f16"), dtype="<f2").astype(np.float32).reshape(K, H * H * 3) * meta["basisScale"]
        self.mean = torch.from_numpy(mean).to(device)
        self.basis = torch.from_numpy(basis).to(device)
        self.weight_mask = torch.from_numpy(np.fromfile(os.path.join(d, "weight-mask128.f32"), dtype="<f4").reshape(H, H)).to(device)
        region = os.path.join(d, "mouth-region128.u8")
        self.mouth_region = torch.from_numpy(np.fromfile(region, dtype=np.uint8).reshape(H, H).astype(np.float32)).to(device) if os.path.exists(region) else None
        region = os.path.join(d, "expression-region128.u8")
        self.expression_region = torch.from_numpy(np.fromfile(region, dtype=np.uint8).reshape(H, H).astype(np.float32)).to(device) if os.path.exists(region) else None
        self.keypoints = torch.tensor(meta["keypoints"], device=device)
        self.device = device

    # -- geometry (float64, as the TypeScript code)

    def crop_square(self, idx, aug):
        """trainingCrop: centre of the fitted landmarks' box, side 1.5 × its mean side."""
        f, c = self.faces[idx], self.col
        x0, y0, x1, y1 = f[:, c["boxX0"]], f[:, c["boxY0"]], f[:, c["boxX1"]], f[:, c["boxY1"]]
        old = (x1 - x0 + (y1 - y0)) / 2
        cx = (x0 + x1) / 2 + aug["shift"][:, 0] * old
        cy = (y0 + y1) / 2 + aug["shift"][:, 1] * old
        return cx, cy, old * self.crop_factor * aug["scale"], aug["angle"], aug["flip"]

    @staticmethod
    def crop_matrix(sq, side):
        """cropMatrix: source pixels → crop pixels, `[n, 2, 3]`."""
        cx0, cy0, size, angle, flip = sq
        k = (side - 1) / size
        c, s = torch.cos(angle), torch.sin(angle)
        h = (side - 1) / 2
        a, b, d, e = k * c, -k * s, k * s, k * c
        cx = h - (a * cx0 + b * cy0)
        cy = h - (d * cx0 + e * cy0)
        sign = torch.where(flip, -1.0, 1.0).to(a.dtype)
        a, b = a * sign, b * sign
        cx = torch.where(flip, side - 1 - cx, cx)
        return torch.stack([torch.stack([a, b, cx], 1), torch.stack([d, e, cy], 1)], 1)

    def sample_augmentation(self, n, gen):
        """sampleAugmentation, vectorised (same ranges; its own random stream)."""
        o, dev = self.aug, self.device
        u = lambda *shape: torch.rand(*shape, generator=gen, device=dev, dtype=torch.float64)
        occ = u(n) < o["occlusionProbability"]
        area = 0.02 + (o["maxOcclusionArea"] - 0.02) * u(n)
        aspect = torch.exp(2 * u(n) - 1)
        w = torch.clamp(torch.sqrt(area * aspect), max=1)
        h = torch.clamp(torch.sqrt(area / aspect), max=1)
        return {
            "angle": (2 * u(n) - 1) * o["maxAngleDeg"] * math.pi / 180,
            "shift": (2 * u(n, 2) - 1) * o["maxShift"],
            "scale": o["scaleRange"][0] + (o["scaleRange"][1] - o["scaleRange"][0]) * u(n),
            "flip": u(n) < o["flipProbability"],
            "color": o["colorRange"][0] + (o["colorRange"][1] - o["colorRange"][0]) * u(n, 3),
            "occlusion": occ,
            "occ_rect": torch.stack([(1 - w) * u(n), (1 - h) * u(n), w, h], 1),
            "occ_color": u(n, 3),
            "occ_noise": torch.where(u(n) < 0.5, torch.zeros(n, dtype=torch.float64, device=dev), 0.1 + 0.4 * u(n)),
        }

    def no_augmentation(self, n):
        z = torch.zeros(n, dtype=torch.float64, device=self.device)
        return {"angle": z, "shift": torch.zeros(n, 2, dtype=torch.float64, device=self.device), "scale": z + 1,
                "flip": torch.zeros(n, dtype=torch.bool, device=self.device), "color": torch.ones(n, 3, dtype=torch.float64, device=self.device),
                "occlusion": torch.zeros(n, dtype=torch.bool, device=self.device)}

    def batch(self, idx, aug, gen=None):
        """Inputs NCHW in [0, 1] and targets NHWC in sigmoid units (position map ÷ 281.6)."""
        H, c = self.H, self.col
        n = idx.numel()
        sq = self.crop_square(idx, aug)
        A = self.crop_matrix(sq, H)
        # crop pixels → source frame → packed file pixels
        a_, b_, c_, d_, e_, f_ = A[:, 0, 0], A[:, 0, 1], A[:, 0, 2], A[:, 1, 0], A[:, 1, 1], A[:, 1, 2]
        det = a_ * e_ - b_ * d_
        inv = torch.stack([torch.stack([e_, -b_, b_ * f_ - e_ * c_], 1), torch.stack([-d_, a_, d_ * c_ - a_ * f_], 1)], 1) / det[:, None, None]
        f = self.faces[idx]
        fx = self.side[idx] / (f[:, c["roiX1"]] - f[:, c["roiX0"]])
        fy = self.side[idx] / (f[:, c["roiY1"]] - f[:, c["roiY0"]])
        M = torch.stack([inv[:, 0] * fx[:, None], inv[:, 1] * fy[:, None]], 1)
        M[:, 0, 2] -= f[:, c["roiX0"]] * fx
        M[:, 1, 2] -= f[:, c["roiY0"]] * fy
        g = torch.arange(H, dtype=torch.float64, device=self.device)
        gy, gx = torch.meshgrid(g, g, indexing="ij")
        sx = M[:, 0, 0, None, None] * gx + M[:, 0, 1, None, None] * gy + M[:, 0, 2, None, None]
        sy = M[:, 1, 0, None, None] * gx + M[:, 1, 1, None, None] * gy + M[:, 1, 2, None, None]
        canvas = self.images.shape[-1]
        grid = torch.stack([2 * sx / (canvas - 1) - 1, 2 * sy / (canvas - 1) - 1], -1).float()
        img = self.images[idx].float()
        x = F.grid_sample(img, grid, mode="bilinear", padding_mode="zeros", align_corners=True)
        x = torch.clamp(x * (aug["color"].float() / 255)[:, :, None, None], max=1)
        if "occ_rect" in aug:  # (no test of whether any sample has one: that would wait for the GPU)
            r = aug["occ_rect"]
            x0 = torch.round(r[:, 0] * H); y0 = torch.round(r[:, 1] * H)
            x1 = torch.clamp(torch.round((r[:, 0] + r[:, 2]) * H), max=H); y1 = torch.clamp(torch.round((r[:, 1] + r[:, 3]) * H), max=H)
            inside = ((gx >= x0[:, None, None]) & (gx < x1[:, None, None]) & (gy >= y0[:, None, None]) & (gy < y1[:, None, None]) & aug["occlusion"][:, None, None])
            noise = (torch.rand(n, 3, H, H, generator=gen, device=self.device) - 0.5) * 2 * aug["occ_noise"].float()[:, None, None, None]
            paint = torch.clamp(aug["occ_color"].float()[:, :, None, None] + noise, 0, 1)
            x = torch.where(inside[:, None], paint, x)
        return x, self.targets(idx, sq)

    def targets(self, idx, sq):
        """positionMapTarget at 128: posed, cropped, z shifted by the face's minimum."""
        H, c, n = self.H, self.col, idx.numel()
        f = self.faces[idx]
        X = (self.mean.reshape(1, -1) + self.coef[idx] @ self.basis).reshape(n, H, H, 3).double()
        flip = sq[4]
        X = torch.where(flip[:, None, None, None], X.flip(2), X)
        A = self.crop_matrix(sq, self.N)
        k = (self.N - 1) / sq[2]
        R = f[:, c["r00"]:c["r22"] + 1].reshape(n, 3, 3)
        s = f[:, c["scale"]]
        sR = s[:, None, None] * R
        M = torch.empty(n, 3, 3, dtype=torch.float64, device=self.device)
        M[:, 0] = A[:, 0, 0, None] * sR[:, 0] + A[:, 0, 1, None] * sR[:, 1]
        M[:, 1] = A[:, 1, 0, None] * sR[:, 0] + A[:, 1, 1, None] * sR[:, 1]
        M[:, 2] = k[:, None] * sR[:, 2]
        tx, ty = f[:, c["tx"]], f[:, c["ty"]]
        b = torch.stack([A[:, 0, 0] * tx + A[:, 0, 1] * ty + A[:, 0, 2], A[:, 1, 0] * tx + A[:, 1, 1] * ty + A[:, 1, 2], -k * f[:, c["zMin"]]], 1)
        P = torch.einsum("nij,nhwj->nhwi", M, X) + b[:, None, None, :]
        return (P / self.scale).float()


# ---------------------------------------------------------------- the network

def same_padding(side, kernel, stride):
    out = -(-side // stride)
    total = max((out - 1) * stride + kernel - side, 0)
    return total // 2, total - total // 2


class ConvLike(nn.Module):
    """A conv or transposed conv of the layer list, TF SAME padding, no bias, optional BN."""

    def __init__(self, spec, bn_momentum):
        super().__init__()
        self.spec = spec
        k, i, o = spec["kernel"], spec["inChannels"], spec["outChannels"]
        if spec["kind"] == "conv":
            self.conv = nn.Conv2d(i, o, k, spec["stride"], bias=False)
        else:
            self.conv = nn.ConvTranspose2d(i, o, k, spec["stride"], bias=False)
        # Glorot uniform with TF's fans (kh·kw·(in+out)), as src/train/engine/network.ts.
        limit = math.sqrt(6 / (k * k * (i + o)))
        nn.init.uniform_(self.conv.weight, -limit, limit)
        self.bn = nn.BatchNorm2d(o, eps=1e-3, momentum=bn_momentum) if spec["batchNorm"] else None

    def forward(self, x):
        s, k = self.spec["stride"], self.spec["kernel"]
        if self.spec["kind"] == "conv":
            ph = same_padding(x.shape[2], k, s)
            pw = same_padding(x.shape[3], k, s)
            y = self.conv(F.pad(x, (pw[0], pw[1], ph[0], ph[1])))
        else:
            oh, ow = x.shape[2] * s, x.shape[3] * s
            # The gradient of a SAME conv over the output side: crop the full result.
            y = self.conv(x)
            ph, pw = same_padding(oh, k, s)[0], same_padding(ow, k, s)[0]
            y = y[:, :, ph:ph + oh, pw:pw + ow]
        if self.bn is not None:
            y = self.bn(y)
        a = self.spec["activation"]
        return F.relu(y) if a == "relu" else torch.sigmoid(y) if a == "sigmoid" else y


class ResBlock(nn.Module):
    def __init__(self, spec, bn_momentum):
        super().__init__()
        self.spec = spec
        self.branch = nn.ModuleList([ConvLike(b, bn_momentum) for b in spec["branch"]])
        self.shortcut = ConvLike(spec["shortcutConv"], bn_momentum) if spec.get("shortcutConv") else None
        self.bn = nn.BatchNorm2d(spec["outChannels"], eps=1e-3, momentum=bn_momentum)

    def forward(self, x):
        sc = self.shortcut(x) if self.shortcut is not None else x
        b = x
        for c in self.branch:
            b = c(b)
        return F.relu(self.bn(b + sc))


class ResFCN(nn.Module):
    """ResFCN from the pack's layer list. The last `fp32_tail` layers run in float32
    (under bf16 autocast the sigmoid output would be quantised to ~0.5 px)."""

    def __init__(self, spec, bn_momentum=0.01, fp32_tail=4):
        super().__init__()
        self.spec = spec
        self.layers = nn.ModuleList([ResBlock(l, bn_momentum) if l["kind"] == "resBlock" else ConvLike(l, bn_momentum) for l in spec["layers"]])
        self.fp32_tail = fp32_tail

    def forward(self, x):
        L = len(self.layers)
        for i, l in enumerate(self.layers):
            if i >= L - self.fp32_tail and x.dtype != torch.float32:
                with torch.autocast(device_type=x.device.type, enabled=False):
                    x = x.float()
                    for l2 in self.layers[i:]:
                        x = l2(x)
                return x
            x = l(x)
        return x

    def tf_variables(self):
        """(TF name, tensor in TF layout) in networkVariables order."""
        out = []

        def conv(m):
            sc = m.spec["scope"]
            # conv [out,in,kh,kw] → [kh,kw,in,out]; transposed [in,out,kh,kw] → [kh,kw,out,in]
            out.append((f"{sc}/weights", m.conv.weight.detach().permute(2, 3, 1, 0)))
            if m.bn is not None:
                bn(f"{sc}/BatchNorm", m.bn)

        def bn(scope, b):
            out.extend([(f"{scope}/beta", b.bias.detach()), (f"{scope}/gamma", b.weight.detach()),
                        (f"{scope}/moving_mean", b.running_mean), (f"{scope}/moving_variance", b.running_var)])

        for l in self.layers:
            if isinstance(l, ResBlock):
                for c in l.branch:
                    conv(c)
                if l.shortcut is not None:
                    conv(l.shortcut)
                bn(f"{l.spec['scope']}/BatchNorm", l.bn)
            else:
                conv(l)
        return out

    def _assign(self, name, src):
        for l in self.modules():
            if isinstance(l, ConvLike) and name == f"{l.spec['scope']}/weights":
                with torch.no_grad():
                    l.conv.weight.copy_(src)
                return
        scope, role = name.rsplit("/", 1)
        for l in self.modules():
            b = None
            if isinstance(l, ConvLike) and l.bn is not None and scope == f"{l.spec['scope']}/BatchNorm":
                b = l.bn
            elif isinstance(l, ResBlock) and scope == f"{l.spec['scope']}/BatchNorm":
                b = l.bn
            if b is not None:
                tgt = {"beta": b.bias, "gamma": b.weight, "moving_mean": b.running_mean, "moving_variance": b.running_var}[role]
                with torch.no_grad():
                    tgt.copy_(src)
                return
        raise KeyError(name)


PART_BYTES = 15 << 20


def write_weights(net, variant, spec, path, dtype="float16", source=None, step=None):
    """A `prnet-weights-1` pair (src/train/engine/exportWeights.ts): `<path>.weights.json` and the blob,
    as `<path>.weights.bin` or, over 15 MiB, as `.weights.bin.part0`, `.part1`, … (concatenate them)."""
    manifest = {"format": "prnet-weights-1", "variant": variant, "inputSize": spec["inputSize"], "baseChannels": spec["baseChannels"], "variables": []}
    if dtype == "float16":
        manifest["dtype"] = "float16"
    if source:
        manifest["source"] = source
    if step is not None:
        manifest["step"] = step
    parts, offset = [], 0
    for name, t in net.tf_variables():
        a = t.detach().float().cpu().numpy().astype("<f2" if dtype == "float16" else "<f4").ravel()
        manifest["variables"].append({"name": name, "shape": list(t.shape), "offset": offset})
        offset += a.size
        parts.append(a)
    blob = np.concatenate(parts).tobytes()
    chunks = [blob] if len(blob) <= PART_BYTES else [blob[i:i + PART_BYTES] for i in range(0, len(blob), PART_BYTES)]
    for i, c in enumerate(chunks):
        name = path + ".weights.bin" + (f".part{i}" if len(chunks) > 1 else "")
        with open(name + ".tmp", "wb") as f:
            f.write(c)
        os.replace(name + ".tmp", name)
    with open(path + ".weights.json.tmp", "w") as f:
        json.dump(manifest, f, indent=1)
    os.replace(path + ".weights.json.tmp", path + ".weights.json")
    return len(blob)


def read_weights(path):
    """Reads a `prnet-weights-1` pair (float32, float16 or int8) into TF-named arrays."""
    manifest = json.load(open(path.replace(".bin", "") + ".json"))
    data = open(path, "rb").read()
    out = {}
    for v in manifest["variables"]:
        n = int(np.prod(v["shape"]))
        o = v["offset"]
        if manifest.get("dtype") == "int8":
            if v.get("int8"):
                ch = v["shape"][-1]
                q = np.frombuffer(data, np.int8, n, o).astype(np.float32)
                at = o + n + (-(o + n)) % 4
                sc = np.frombuffer(data, "<f4", ch, at)
                w = q * np.tile(sc, n // ch)
            else:
                w = np.frombuffer(data, "<f4", n, o).copy()
        elif manifest.get("dtype") == "float16":
            w = np.frombuffer(data, "<f2", n, 2 * o).astype(np.float32)
        else:
            w = np.frombuffer(data, "<f4", n, 4 * o).copy()
        out[v["name"]] = w.reshape(v["shape"])
    return manifest, out


# ---------------------------------------------------------------- validation

def sample_map(P, uv, N):
    """samplePositionMap at the 256-UV flat indices `uv` of 128 maps P [n,H,H,3] → [n,m,3]."""
    H = P.shape[1]
    u = (uv % N).double(); v = (uv // N).double()
    su = torch.clamp((u - 0.5) / 2, 0, H - 1); sv = torch.clamp((v - 0.5) / 2, 0, H - 1)
    u0 = torch.clamp(torch.floor(su), max=H - 2).long(); v0 = torch.clamp(torch.floor(sv), max=H - 2).long()
    fu = (su - u0).float()[None, :, None]; fv = (sv - v0).float()[None, :, None]
    at = lambda uu, vv: P[:, vv, uu]
    return (1 - fv) * ((1 - fu) * at(u0, v0) + fu * at(u0 + 1, v0)) + fv * ((1 - fu) * at(u0, v0 + 1) + fu * at(u0 + 1, v0 + 1))


# LANDMARKS_68.innerLipPairs of src/geometry/landmarks68.ts
INNER_LIP_PAIRS = ((61, 67), (62, 66), (63, 65))


def box_norm(pts):
    w = pts[..., 0].amax(-1) - pts[..., 0].amin(-1)
    h = pts[..., 1].amax(-1) - pts[..., 1].amin(-1)
    return torch.sqrt(w * h)


@torch.no_grad()
def validate(net, pack, batch=256):
    """The figures `prnet train` reports per epoch (fractions, means over faces)."""
    net.eval()
    out = {}
    for k, s in enumerate(pack.sets):
        idx_all = pack.val_idx[s["name"]]
        human, l2, l3, mg = [], [], [], []
        corr = torch.tensor(s["correspondence"], device=pack.device)
        scored = torch.zeros(s["points"], dtype=torch.bool, device=pack.device)
        scored[s["scoredPoints"]] = True
        for i in range(0, idx_all.numel(), batch):
            idx = idx_all[i:i + batch]
            aug = pack.no_augmentation(idx.numel())
            x, t = pack.batch(idx, aug)
            with torch.autocast(device_type=pack.device.type, dtype=torch.bfloat16, enabled=pack.device.type == "cuda"):
                p = net(x.contiguous(memory_format=MEMORY_FORMAT[0]))
            p = p.float().permute(0, 2, 3, 1)
            S = pack.scale
            pk = sample_map(p, pack.keypoints, pack.N) * S
            tk = sample_map(t, pack.keypoints, pack.N) * S
            norm = box_norm(tk)
            l2.append((pk[..., :2] - tk[..., :2]).norm(dim=-1).mean(-1) / norm)
            pz = pk[..., 2] - pk[..., 2].mean(-1, keepdim=True); tz = tk[..., 2] - tk[..., 2].mean(-1, keepdim=True)
            d3 = torch.sqrt(((pk[..., :2] - tk[..., :2]) ** 2).sum(-1) + (pz - tz) ** 2)
            l3.append(d3.mean(-1) / norm)
            # how far open the mouth is (inner-lip gap), against the labels: a network that
            # ignores expressions still scores a fair label68 (src/geometry/landmarks68.ts)
            gp = sum((pk[:, a, :2] - pk[:, b, :2]).norm(dim=-1) for a, b in INNER_LIP_PAIRS) / len(INNER_LIP_PAIRS)
            gt = sum((tk[:, a, :2] - tk[:, b, :2]).norm(dim=-1) for a, b in INNER_LIP_PAIRS) / len(INNER_LIP_PAIRS)
            mg.append((gp - gt).abs() / norm)
            # human points: into the 256-crop frame of the unaugmented crop
            A = pack.crop_matrix(pack.crop_square(idx, aug), pack.N).float()
            pts = torch.stack([pack.val_points[int(j)] for j in idx]).float()  # [n,2,m]
            annotated = pts[:, 0] >= 0
            tx = A[:, 0, 0, None] * pts[:, 0] + A[:, 0, 1, None] * pts[:, 1] + A[:, 0, 2, None]
            ty = A[:, 1, 0, None] * pts[:, 0] + A[:, 1, 1, None] * pts[:, 1] + A[:, 1, 2, None]
            pc = sample_map(p, corr, pack.N)[..., :2] * S
            d = torch.sqrt((pc[..., 0] - tx) ** 2 + (pc[..., 1] - ty) ** 2)
            vis = annotated & scored[None]
            big = torch.tensor(1e30, device=pack.device)
            bx = torch.where(annotated, tx, big).amin(-1), torch.where(annotated, tx, -big).amax(-1)
            by = torch.where(annotated, ty, big).amin(-1), torch.where(annotated, ty, -big).amax(-1)
            nrm = torch.sqrt(torch.clamp(bx[1] - bx[0], min=1e-9) * torch.clamp(by[1] - by[0], min=1e-9))
            human.append((d * vis).sum(-1) / vis.sum(-1) / nrm)
        out[f"{s['name']}.human"] = torch.cat(human).mean().item()
        out[f"{s['name']}.label68_2d"] = torch.cat(l2).mean().item()
        out[f"{s['name']}.label68_3d"] = torch.cat(l3).mean().item()
        out[f"{s['name']}.mouth_gap"] = torch.cat(mg).mean().item()
    net.train()
    return out


# ---------------------------------------------------------------- training

def recalibrate_bn(net, pack, gen, batches, batch_size):
    """Batch-norm statistics for the current weights, averaged over augmented training batches."""
    bns = [m for m in net.modules() if isinstance(m, nn.BatchNorm2d)]
    saved = [m.momentum for m in bns]
    for m in bns:
        m.reset_running_stats(); m.momentum = None
    net.train()
    with torch.no_grad():
        for _ in range(batches):
            idx = pack.train_idx[torch.randint(pack.train_idx.numel(), (batch_size,), generator=gen, device=pack.device)]
            x, _ = pack.batch(idx, pack.sample_augmentation(batch_size, gen), gen)
            with torch.autocast(device_type=pack.device.type, dtype=torch.bfloat16, enabled=pack.device.type == "cuda"):
                net(x.contiguous(memory_format=MEMORY_FORMAT[0]))
    for m, s in zip(bns, saved):
        m.momentum = s


def training_member(net, spec, weight_decay, lr, dev):
    """A network in training: Adam (L2 on the conv weights folded in, as the CPU trainer),
    its weight average, and the running loss."""
    convs = [p for n_, p in net.named_parameters() if n_.endswith("conv.weight")]
    others = [p for n_, p in net.named_parameters() if not n_.endswith("conv.weight")]
    groups = [{"params": convs, "weight_decay": weight_decay}, {"params": others, "weight_decay": 0}]
    opt = torch.optim.Adam(groups, lr=lr, **({"fused": True} if dev.type == "cuda" else {}))
    ema = copy.deepcopy(net)
    for p in ema.parameters():
        p.requires_grad_(False)
    return {"net": net, "opt": opt, "ema": ema, "spec": spec, "loss": 0.0, "n": 0,
            "ema_params": list(ema.parameters()), "net_params": list(net.parameters())}


def expression_pair_weights(region, weight):
    """positionLossTensors' pair weights: the smaller of the two pixels' weights, for vertical
    pairs [H-1,H,1] and horizontal pairs [H,H-1,1] (src/train/engine/loss.ts)."""
    g = region * weight
    return torch.minimum(g[1:], g[:-1])[None, :, :, None], torch.minimum(g[:, 1:], g[:, :-1])[None, :, :, None]


def expression_loss(p, t, vertical, horizontal):
    """neighbourDifferenceLoss: squared error of differences between neighbouring pixels
    (NHWC), weighted per pair, over n*H*W."""
    d = p - t
    dv = d[:, 1:] - d[:, :-1]
    du = d[:, :, 1:] - d[:, :, :-1]
    return ((dv ** 2) * vertical).sum() / (p.shape[0] * p.shape[1] * p.shape[2]) + ((du ** 2) * horizontal).sum() / (p.shape[0] * p.shape[1] * p.shape[2])


def train_step(m, x, t, wmask, lr, decay, dev):
    """One Adam step of one network on a batch, then the weight average; returns the loss tensor."""
    for g in m["opt"].param_groups:
        g["lr"] = lr
    with torch.autocast(device_type=dev.type, dtype=torch.bfloat16, enabled=dev.type == "cuda"):
        p = m["net"](x)
    p = p.float().permute(0, 2, 3, 1)
    loss = (((p - t) ** 2) * m.get("wmask", wmask)).sum() / (p.shape[0] * p.shape[1] * p.shape[2])
    if m.get("expression") is not None:
        loss = loss + expression_loss(p, t, *m["expression"])
    m["opt"].zero_grad(set_to_none=True)
    loss.backward()
    m["opt"].step()
    with torch.no_grad():
        torch._foreach_mul_(m["ema_params"], decay)
        torch._foreach_add_(m["ema_params"], m["net_params"], alpha=1 - decay)
    return loss


def time_steps(nets, pack, batch_size, gen, wmask, dev, steps, warmup=3):
    """Medians, in ms, of batch making and of each network's training step at `batch_size`,
    timed with the device synchronised (after `warmup` steps for cuDNN's algorithm search)."""
    sync = (lambda: torch.cuda.synchronize()) if dev.type == "cuda" else (lambda: None)
    def batch():
        idx = pack.train_idx[torch.randint(pack.train_idx.numel(), (batch_size,), generator=gen, device=dev)]
        x, t = pack.batch(idx, pack.sample_augmentation(batch_size, gen), gen)
        return x.contiguous(memory_format=MEMORY_FORMAT[0]), t
    times = {"batch": []} | {v: [] for v in nets}
    for i in range(warmup + steps):
        sync(); t0 = time.time()
        x, t = batch()
        sync(); t1 = time.time()
        if i >= warmup:
            times["batch"].append(t1 - t0)
        for v, m in nets.items():
            t0 = time.time()
            train_step(m, x, t, wmask, 1e-6, 0.999, dev)
            sync()
            if i >= warmup:
                times[v].append(time.time() - t0)
    return {k: 1000 * float(np.median(v)) for k, v in times.items()}


def is_out_of_memory(err):
    return isinstance(err, RuntimeError) and "out of memory" in str(err)


def choose_batch_size(nets, pack, a, wmask, dev, out):
    """--batch-size auto: times a few steps at each candidate size on copies of the networks
    (the real optimiser state and random stream are left alone) and returns the smallest
    size within --batch-tolerance of the best samples/s: more, smaller steps where a larger
    batch buys little, a larger batch where the step is launch-bound."""
    gen = torch.Generator(device=dev); gen.manual_seed(a.seed + 1)
    rows = []
    for b in [int(x) for x in a.batch_candidates.split(",")]:
        trial = {v: training_member(copy.deepcopy(m["net"]), m["spec"], a.weight_decay, 1e-6, dev) | {"wmask": m["wmask"], "expression": m["expression"]} for v, m in nets.items()}
        try:
            med = time_steps(trial, pack, b, gen, wmask, dev, a.batch_trial_steps)
        except RuntimeError as err:
            if not is_out_of_memory(err):
                raise
            log(out, f"batch {b}: out of memory; larger sizes not tried")
            break
        finally:
            del trial
            if dev.type == "cuda":
                torch.cuda.empty_cache()
        rate = 1000 * b / sum(med.values())
        rows.append((b, rate))
        log(out, f"batch {b}: " + ", ".join(f"{k} {ms:.1f} ms" for k, ms in med.items()) + f"; {rate:.0f} samples/s")
    if not rows:
        raise SystemExit("--batch-size auto: not even the smallest candidate fits in memory")
    best = max(r for _, r in rows)
    chosen = min(b for b, r in rows if r >= best * (1 - a.batch_tolerance))
    log(out, f"batch size {chosen} chosen ({dict(rows)[chosen]:.0f} samples/s; best {best:.0f})")
    return chosen


def sampling_pool(pack, name, repeat):
    """The training faces an epoch is drawn from: every face once, and those of the set `name`
    `repeat` times (helen-afw68 is the one set whose mouths come from human points)."""
    if repeat < 1:
        raise SystemExit(f"--{name}-repeat must be at least 1")
    names = [s["name"] for s in pack.sets]
    if repeat == 1 or name not in names:
        return pack.train_idx
    faces = pack.train_idx[pack.set[pack.train_idx] == names.index(name)]
    return torch.cat([pack.train_idx] + [faces] * (repeat - 1))


def scaled_schedule(a):
    """--lr and --warmup-steps are given for --lr-batch; another batch size scales the rate
    by the square root of the ratio (Adam's usual rule) and keeps the warm-up's samples."""
    ratio = a.batch_size / a.lr_batch
    return a.lr * math.sqrt(ratio), max(1, round(a.warmup_steps / ratio))


def profile(nets, pack, a, gen, wmask, dev, out):
    """Where a step's time goes: batch making and each network's step, timed with the device
    synchronised (medians over --profile-steps), then the profiler's top operations."""
    sync = (lambda: torch.cuda.synchronize()) if dev.type == "cuda" else (lambda: None)
    med = time_steps(nets, pack, a.batch_size, gen, wmask, dev, a.profile_steps, warmup=5)
    total = sum(med.values())
    log(out, f"profile, batch {a.batch_size}: " + ", ".join(f"{k} {ms:.1f} ms" for k, ms in med.items()) + f"; {1000 * a.batch_size / total:.0f} samples/s synchronised")
    def batch():
        idx = pack.train_idx[torch.randint(pack.train_idx.numel(), (a.batch_size,), generator=gen, device=dev)]
        x, t = pack.batch(idx, pack.sample_augmentation(a.batch_size, gen), gen)
        return x.contiguous(memory_format=MEMORY_FORMAT[0]), t
    acts = [torch.profiler.ProfilerActivity.CPU] + ([torch.profiler.ProfilerActivity.CUDA] if dev.type == "cuda" else [])
    with torch.profiler.profile(activities=acts) as prof:
        for _ in range(min(a.profile_steps, 10)):
            x, t = batch()
            for m in nets.values():
                train_step(m, x, t, wmask, 1e-6, 0.999, dev)
        sync()
    key = "self_cuda_time_total" if dev.type == "cuda" else "self_cpu_time_total"
    log(out, "top operations:\n" + prof.key_averages().table(sort_by=key, row_limit=25))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pack", required=True, help="folder written by scripts/packGpuTraining.ts")
    ap.add_argument("--out", required=True, help="output folder (weights, metrics.jsonl, log.txt)")
    ap.add_argument("--variants", default="resfcn128", help="comma-separated networks of the pack to train on the same batches")
    ap.add_argument("--seconds", type=float, default=420, help="training wall time (the schedule is spread over it)")
    ap.add_argument("--batch-size", default="128", help="a number, or 'auto': time a few steps at each of --batch-candidates and take the fastest (within --batch-tolerance, the smallest)")
    ap.add_argument("--batch-candidates", default="128,256,512,1024", help="sizes --batch-size auto tries, smallest first")
    ap.add_argument("--batch-trial-steps", type=int, default=8, help="timed steps per candidate (after 3 warm-up steps)")
    ap.add_argument("--batch-tolerance", type=float, default=0.1, help="--batch-size auto takes the smallest size within this fraction of the best samples/s")
    ap.add_argument("--lr", type=float, default=5e-4, help="peak Adam learning rate at --lr-batch (cosine decay over --seconds)")
    ap.add_argument("--lr-batch", type=int, default=128, help="the batch size --lr and --warmup-steps are given for; others scale the rate by sqrt(batch / this) and keep the warm-up's samples")
    ap.add_argument("--warmup-steps", type=int, default=300, help="warm-up steps at --lr-batch")
    ap.add_argument("--weight-decay", type=float, default=2e-4, help="L2 on conv weights, folded into Adam (the official arg scope's 0.0002)")
    ap.add_argument("--bn-decay", type=float, default=0.99)
    ap.add_argument("--ema", type=float, default=0.999, help="weight-average decay")
    ap.add_argument("--eval-seconds", type=float, default=90, help="validate (and save weights) this often")
    ap.add_argument("--recalibrate-batches", type=int, default=100)
    ap.add_argument("--init", action="append", default=[], help="VARIANT=weights.bin warm start (repeatable)")
    ap.add_argument("--helen-repeat", type=int, default=1, help="each helen-afw68 training face comes this many times per epoch (prnet train's --helen-repeat)")
    ap.add_argument("--mouth-weight", default="1", help="factor on the loss weight of the lips (prnet train's --mouth-weight; the pack's mouth-region128.u8), or several, comma-separated: each variant then trains once per factor on the same batches, as VARIANT-lipsK")
    ap.add_argument("--expression-weight", default="0", help="weight of the expression loss (prnet train's --expression-weight; the pack's expression-region128.u8): differences of neighbouring map pixels in the lips and eyes; 0 = off. Several, comma-separated: each variant and lips' weight then trains once per expression weight on the same batches, as ...-exprG")
    ap.add_argument("--limit", type=int, default=0, help="use only this many faces per set and split (quick checks)")
    ap.add_argument("--check-batches", type=int, default=8, help="also write inputs and outputs of this many validation crops")
    ap.add_argument("--validate-only", action="store_true", help="validate the --init weights and stop")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--profile-steps", type=int, default=0, help="time this many steps stage by stage, print the profiler's top operations, and stop")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    a = ap.parse_args()
    if a.batch_size != "auto":
        try:
            a.batch_size = int(a.batch_size)
        except ValueError:
            raise SystemExit(f"--batch-size: '{a.batch_size}' is neither a number nor 'auto'")
        if a.batch_size < 1:
            raise SystemExit("--batch-size must be at least 1")
    os.makedirs(a.out, exist_ok=True)
    dev = torch.device(a.device)
    if dev.type == "cuda":
        MEMORY_FORMAT[0] = torch.channels_last
    torch.backends.cudnn.benchmark = True
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    torch.manual_seed(a.seed)
    gen = torch.Generator(device=dev); gen.manual_seed(a.seed)
    pack = Pack(a.pack, dev, a.limit or None)
    log(a.out, f"pack: {pack.train_idx.numel()} training faces, " + ", ".join(f"{k} {v.numel()} validation" for k, v in pack.val_idx.items()) + f"; device {dev} {torch.cuda.get_device_name() if dev.type == 'cuda' else ''}; torch {torch.__version__}")
    pool = sampling_pool(pack, "helen", a.helen_repeat)
    if a.helen_repeat != 1:
        log(a.out, f"epoch of {pool.numel()} samples: " + ", ".join(f"{s['name']} {int((pack.set[pool] == k).sum())}" for k, s in enumerate(pack.sets)))
    specs = {n["variant"]: n for n in pack.meta["networks"]}
    inits = dict(s.split("=", 1) for s in a.init)
    # The loss weights: the paper's mask, with the lips' pixels times each --mouth-weight.
    mouth_weights = [float(k) for k in str(a.mouth_weight).split(",")]
    if any(not (k > 0 and math.isfinite(k)) for k in mouth_weights):
        raise SystemExit(f"--mouth-weight: positive numbers, got {a.mouth_weight}")
    if any(k != 1 for k in mouth_weights) and pack.mouth_region is None:
        raise SystemExit("--mouth-weight: the pack has no mouth-region128.u8; make it again with the current scripts/packGpuTraining.ts")
    try:
        expression_weights = [float(g) for g in str(a.expression_weight).split(",")]
    except ValueError:
        raise SystemExit(f"--expression-weight: numbers >= 0, got {a.expression_weight}")
    if any(not (g >= 0 and math.isfinite(g)) for g in expression_weights):
        raise SystemExit(f"--expression-weight: numbers >= 0, got {a.expression_weight}")
    if any(g > 0 for g in expression_weights) and pack.expression_region is None:
        raise SystemExit("--expression-weight: the pack has no expression-region128.u8; make it again with the current scripts/packGpuTraining.ts")
    expressions = {g: expression_pair_weights(pack.expression_region, g) if g > 0 else None for g in expression_weights}
    for g in expression_weights:
        if g > 0:
            log(a.out, f"expression loss: weight {g:g} on {int(pack.expression_region.sum())} pixels of the lips and eyes")
    wmasks = {k: (pack.weight_mask * (1 + (k - 1) * pack.mouth_region) if k != 1 else pack.weight_mask)[None, :, :, None] for k in mouth_weights}
    for k in mouth_weights:
        if k != 1:
            log(a.out, f"loss weight of the lips: {k:g}x the paper's ({int(pack.mouth_region.sum())} of {pack.mouth_region.numel()} pixels)")
    # Each variant trains once per mouth weight and expression weight, on the same batches; a
    # member is named by its variant, with -lipsK / -exprG when several weights are compared
    # (its weights file says the variant).
    nets = {}
    for v, k, g in [(v, k, g) for v in a.variants.split(",") for k in mouth_weights for g in expression_weights]:
        if v not in specs:
            raise SystemExit(f"--variants: {v} is not in the pack ({', '.join(specs)})")
        member = v + ("" if len(mouth_weights) == 1 or k == 1 else f"-lips{k:g}") + ("" if len(expression_weights) == 1 or g == 0 else f"-expr{g:g}")
        net = ResFCN(specs[v], bn_momentum=1 - a.bn_decay).to(dev).to(memory_format=MEMORY_FORMAT[0])
        if v in inits:
            manifest, w = read_weights(inits[v])
            if manifest["variant"] != v:
                raise SystemExit(f"--init {inits[v]} holds {manifest['variant']} weights, not {v}")
            for name, _ in net.tf_variables():
                net._assign(name, torch.from_numpy(np.ascontiguousarray(np.transpose(w[name], (3, 2, 0, 1)) if name.endswith("/weights") else w[name])).to(dev))
            log(a.out, f"{member}: initialised from {inits[v]}")
        nets[member] = training_member(net, specs[v], a.weight_decay, a.lr, dev) | {"variant": v, "wmask": wmasks[k], "expression": expressions[g]}
        params = sum(p.numel() for p in net.parameters())
        log(a.out, f"{member}: {params / 1e6:.2f} M parameters")

    metrics = open(os.path.join(a.out, "metrics.jsonl"), "a")

    def evaluate_and_save(step, final=False):
        for v, m in nets.items():
            ev = copy.deepcopy(m["ema"])
            recalibrate_bn(ev, pack, gen, a.recalibrate_batches if final else 20, a.batch_size)
            row = {"variant": m["variant"], **({"member": v} if v != m["variant"] else {}), "step": step, "seconds": round(time.time() - T0, 1), "samples": step * a.batch_size,
                   "trainLoss": m["loss"] / max(m["n"], 1), "lr": m["opt"].param_groups[0]["lr"], "averaged": validate(ev, pack)}
            if final:
                row["latest"] = validate(m["net"], pack)
            if not final:
                m["loss"], m["n"] = 0.0, 0
            metrics.write(json.dumps(row) + "\n"); metrics.flush()
            log(a.out, f"{v} step {step}: " + ", ".join(f"{k} {100 * x:.2f}%" for k, x in row["averaged"].items()) + f"; train loss {row['trainLoss']:.5f}")
            nbytes = write_weights(ev, m["variant"], m["spec"], os.path.join(a.out, v), step=step,
                                   source=f"training/pytorch/train_resfcn.py ({v}), step {step}, batch {a.batch_size}, averaged weights, torch {torch.__version__}")
            if final:
                log(a.out, f"{v}: wrote {v}.weights.bin ({nbytes / 1e6:.1f} MB, averaged weights, recalibrated batch norm)")
                m["final"] = ev

    if a.validate_only:
        for v, m in nets.items():
            log(a.out, f"{v}: " + json.dumps(validate(m["net"], pack)))
        return

    wmask = wmasks[mouth_weights[0]]
    if a.batch_size == "auto":
        a.batch_size = choose_batch_size(nets, pack, a, wmask, dev, a.out)
    peak_lr, warmup_steps = scaled_schedule(a)
    if a.batch_size != a.lr_batch:
        log(a.out, f"batch {a.batch_size}: peak learning rate {peak_lr:.3g} ({a.lr:.3g} at {a.lr_batch}), {warmup_steps} warm-up steps")
    if a.profile_steps:
        profile(nets, pack, a, gen, wmask, dev, a.out)
        return
    step, epoch = 0, 0
    order = torch.empty(0, dtype=torch.long, device=dev)
    t_train = time.time()
    next_eval = t_train + a.eval_seconds
    while True:
        elapsed = time.time() - t_train
        if elapsed >= a.seconds:
            break
        if order.numel() < a.batch_size:
            order = torch.cat([order, pool[torch.randperm(pool.numel(), generator=gen, device=dev)]])
            epoch += 1
        idx, order = order[:a.batch_size], order[a.batch_size:]
        x, t = pack.batch(idx, pack.sample_augmentation(idx.numel(), gen), gen)
        x = x.contiguous(memory_format=MEMORY_FORMAT[0])
        lr = peak_lr * min(1.0, (step + 1) / warmup_steps) * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * min(1.0, elapsed / a.seconds))))
        decay = min(a.ema, (1 + step) / (10 + step))
        for v, m in nets.items():
            loss = train_step(m, x, t, wmask, lr, decay, dev)
            if step % 50 == 0:  # reading the loss waits for the GPU: sample it
                value = loss.item()
                if not math.isfinite(value):
                    raise SystemExit(f"{v}: the loss is {value} at step {step}; lower --lr")
                m["loss"] += value; m["n"] += 1
                m["last_loss"] = value
        step += 1
        if step % 500 == 0:
            log(a.out, f"step {step}, epoch {epoch}, {step * a.batch_size / (time.time() - t_train):.0f} samples/s, lr {lr:.2e}, " + ", ".join(f"{v} loss {m.get('last_loss', float('nan')):.5f}" for v, m in nets.items()))
        if time.time() >= next_eval:
            evaluate_and_save(step)
            next_eval = time.time() + a.eval_seconds
    log(a.out, f"trained {step} steps ({step * a.batch_size} samples, {epoch} epochs started) in {time.time() - t_train:.0f} s")
    evaluate_and_save(step, final=True)

    # Crops and outputs for checking the exported ONNX model against PyTorch: float32
    # arithmetic with the float16-rounded weights the blob holds.
    if a.check_batches:
        idx = pack.val_idx[pack.sets[0]["name"]][:a.check_batches]
        x, _ = pack.batch(idx, pack.no_augmentation(idx.numel()))
        arrays = {"inputs": x.permute(0, 2, 3, 1).cpu().numpy().astype(np.float32)}
        torch.backends.cudnn.allow_tf32 = False  # TF32 convolutions alone move the map by ~0.3 px
        torch.backends.cuda.matmul.allow_tf32 = False
        with torch.no_grad():
            for v, m in nets.items():
                f = m["final"].float().eval()
                for t in list(f.parameters()) + list(f.buffers()):
                    if t.dtype == torch.float32:
                        t.copy_(t.half().float())
                arrays[v] = f(x.float().contiguous()).permute(0, 2, 3, 1).cpu().numpy().astype(np.float32)
        # One .npy (the device returns at most 8 files): [inputs, each variant's output], NHWC
        # 128 maps in sigmoid units; metrics.jsonl names the order.
        np.save(os.path.join(a.out, "check.npy"), np.stack([arrays["inputs"]] + [arrays[v] for v in nets]))
        metrics.write(json.dumps({"check": ["inputs"] + list(nets), "file": "check.npy"}) + "\n"); metrics.flush()
    log(a.out, "done")


if __name__ == "__main__":
    main()
