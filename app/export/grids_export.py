#!/usr/bin/env python3
"""Wraps a PyTorch model's encoder, GridS sampler and action head into a GridS Studio checkpoint.

    from grids_export import GridsCheckpoint, math_attention, export_checkpoint
    model = GridsCheckpoint(encoder, head, sampler=sampler)   # your modules, unchanged
    export_checkpoint(math_attention(model), "policy.pt", grids_json={...})

    python3 grids_export.py --verify policy.pt    # loads it as GridS Studio will, calls every method

The contract (docs/CHECKPOINT.md in the design, docs/EXPORT.md here) wants a TorchScript module with
`encode`, `act` and, for GridS, `sample`, and grids.json inside. GridsCheckpoint provides those
methods around three parts you already have:

    encoder(images: [N, 3, H, W] float in [0, 1])              -> [N, h, w, C]
    sampler(features: [B, V, h, w, C], budget: int, instruction: List[str])
                                                               -> (coords [B, V, K, 2], tokens [B, V, K, C])
    head(tokens [B, N, C], coords [B, N, 2], views [B, N] int64, instruction: List[str], state [B, S])
                                                               -> (actions [B, T, A], attention [B, N])

The archive must load in LibTorch 1.13 (Debian's): script or trace with the operators PyTorch 1.13
has. math_attention() swaps nn.MultiheadAttention (whose fast path and newer fused kernels
LibTorch 1.13 may not have) for the same computation written out (softmax(QK^T / sqrt(d)) V) with
the same weights; a part that does not script can be traced first (torch.jit.trace(part, example))
and handed to GridsCheckpoint traced. grids info --checkpoint names any operator LibTorch lacks.
"""

import argparse
import json
import math
import sys
from typing import List, Optional, Tuple

import torch
from torch import nn


class MathMultiheadAttention(nn.Module):
    """nn.MultiheadAttention's computation written out with basic operators (no fused kernels).

    Takes the weights of an nn.MultiheadAttention (same in_proj/out_proj layout), so a trained
    model keeps its outputs. Supports batch_first either way, no masks other than none."""

    def __init__(self, source: nn.MultiheadAttention):
        super().__init__()
        if not source._qkv_same_embed_dim:
            raise ValueError("math_attention: key/value dimensions other than embed_dim are not supported")
        self.embed_dim = source.embed_dim
        self.num_heads = source.num_heads
        self.head_dim = source.embed_dim // source.num_heads
        self.batch_first = source.batch_first
        self.in_proj_weight = nn.Parameter(source.in_proj_weight.detach().clone())
        self.in_proj_bias = nn.Parameter(source.in_proj_bias.detach().clone()) if source.in_proj_bias is not None \
            else nn.Parameter(torch.zeros(3 * source.embed_dim))
        self.out_proj = nn.Linear(source.embed_dim, source.embed_dim)
        self.out_proj.load_state_dict(source.out_proj.state_dict())

    def forward(self, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                need_weights: bool = True) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        if not self.batch_first:
            query, key, value = query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1)
        b, lq, e = query.shape
        lk = key.shape[1]
        w_q, w_k, w_v = self.in_proj_weight.chunk(3)
        b_q, b_k, b_v = self.in_proj_bias.chunk(3)
        q = torch.nn.functional.linear(query, w_q, b_q).reshape(b, lq, self.num_heads, self.head_dim).transpose(1, 2)
        k = torch.nn.functional.linear(key, w_k, b_k).reshape(b, lk, self.num_heads, self.head_dim).transpose(1, 2)
        v = torch.nn.functional.linear(value, w_v, b_v).reshape(b, lk, self.num_heads, self.head_dim).transpose(1, 2)
        weights = torch.softmax(torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(self.head_dim), dim=-1)
        out = torch.matmul(weights, v).transpose(1, 2).reshape(b, lq, e)
        out = self.out_proj(out)
        if not self.batch_first:
            out = out.transpose(0, 1)
        averaged: Optional[torch.Tensor] = weights.mean(dim=1) if need_weights else None
        return out, averaged


def math_attention(module: nn.Module) -> nn.Module:
    """Replaces every nn.MultiheadAttention inside `module` (in place) by MathMultiheadAttention."""
    for name, child in list(module.named_children()):
        if isinstance(child, nn.MultiheadAttention):
            setattr(module, name, MathMultiheadAttention(child))
        else:
            math_attention(child)
    return module


class GridsCheckpoint(nn.Module):
    """The contract's methods around a model's parts (see the module's docstring for their shapes)."""

    def __init__(self, encoder: nn.Module, head: nn.Module, sampler: Optional[nn.Module] = None):
        super().__init__()
        self.encoder = encoder
        self.head = head
        self.sampler = sampler if sampler is not None else _NoSampler()
        self.has_sampler = sampler is not None

    @torch.jit.export
    def encode(self, images: torch.Tensor) -> torch.Tensor:
        b, v = images.shape[0], images.shape[1]
        features = self.encoder(images.reshape(b * v, images.shape[2], images.shape[3], images.shape[4]))
        return features.reshape(b, v, features.shape[1], features.shape[2], features.shape[3])

    @torch.jit.export
    def sample(self, features: torch.Tensor, budget: int, instruction: List[str]) -> Tuple[torch.Tensor, torch.Tensor]:
        return self.sampler(features, budget, instruction)

    @torch.jit.export
    def act(self, tokens: torch.Tensor, coords: torch.Tensor, views: torch.Tensor, instruction: List[str],
            state: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        return self.head(tokens, coords, views, instruction, state)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.encode(images)


class _NoSampler(nn.Module):
    def forward(self, features: torch.Tensor, budget: int, instruction: List[str]) -> Tuple[torch.Tensor, torch.Tensor]:
        raise RuntimeError("this checkpoint has no GridS sampler (kind dense)")


def export_checkpoint(model: GridsCheckpoint, path: str, grids_json: dict) -> None:
    """Scripts `model` and saves it with grids.json. grids_json needs at least name, kind, views,
    image_size [H, W], grid [h, w], token_dim, state_dim, action_dim, action_horizon, control_hz,
    head {layers, width, ff, heads} and, for kind "grids", budget {max, default, nested}."""
    document = {"format": "grids-checkpoint", "version": 1, **grids_json}
    if (document.get("kind") == "grids") != model.has_sampler:
        raise ValueError("kind \"grids\" needs a sampler, and only it")
    model.eval()
    scripted = torch.jit.script(model)
    torch.jit.save(scripted, path, _extra_files={"grids.json": json.dumps(document)})


def verify(path: str) -> List[str]:
    """Loads `path` as GridS Studio does and calls each method with the contract's shapes; returns
    the problems found (empty when none)."""
    extra = {"grids.json": ""}
    try:
        module = torch.jit.load(path, map_location="cpu", _extra_files=extra)
    except Exception as e:  # noqa: BLE001
        return [f"does not load: {str(e).strip().splitlines()[0]}"]
    info = json.loads(extra["grids.json"] or "{}")
    problems = []
    views, (height, width) = len(info.get("views", [])), info.get("image_size", [0, 0])
    grid_h, grid_w = info.get("grid", [0, 0])
    channels = info.get("token_dim", 0)
    with torch.no_grad():
        features = module.encode(torch.rand(1, views, 3, height, width))
        if list(features.shape) != [1, views, grid_h, grid_w, channels]:
            problems.append(f"encode returns {list(features.shape)}, grids.json wants {[1, views, grid_h, grid_w, channels]}")
        n = views * grid_h * grid_w
        tokens = features.reshape(1, n, channels)
        coords = torch.rand(1, n, 2)
        view_ids = torch.arange(views).repeat_interleave(grid_h * grid_w)[None]
        actions, attention = module.act(tokens, coords, view_ids, ["test"], torch.zeros(1, info.get("state_dim", 0)))
        want = [1, info.get("action_horizon", 0), info.get("action_dim", 0)]
        if list(actions.shape) != want:
            problems.append(f"act's actions are {list(actions.shape)}, grids.json wants {want}")
        if list(attention.shape) != [1, n]:
            problems.append(f"act's attention is {list(attention.shape)}, wants {[1, n]}")
        if info.get("kind") == "grids":
            budget = info.get("budget", {}).get("default", 1)
            coords, tokens = module.sample(features, budget, ["test"])
            if list(coords.shape) != [1, views, budget, 2]:
                problems.append(f"sample's coords are {list(coords.shape)}, wants {[1, views, budget, 2]}")
    return problems


def main():
    parser = argparse.ArgumentParser(description="Checks a GridS Studio checkpoint as the application will load it")
    parser.add_argument("--verify", required=True, metavar="CHECKPOINT")
    args = parser.parse_args()
    problems = verify(args.verify)
    for problem in problems:
        print(f"error: {args.verify}: {problem}", file=sys.stderr)
    if not problems:
        print(f"{args.verify}: loads and answers every method with the contract's shapes")
    return 3 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
