"""A model written in plain PyTorch (a small conv encoder, a GridS sampler, a transformer head with
nn.MultiheadAttention), exported with app/export/grids_export.py.

    python3 export_plain_pytorch_model.py OUT_DIR

Writes OUT_DIR/plain_grids.pt and checks, before anything else sees the file, that math_attention
kept the model's outputs and that the helper's own verification passes. Exit status 1 on failure.
"""

import os
import sys
from typing import List, Tuple

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "app", "export"))
import grids_export  # noqa: E402

C, GRID, IMAGE, MAX_K, T, A, S = 16, 8, 32, 8, 4, 7, 8


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(3, C, 4, stride=4), nn.ReLU(), nn.Conv2d(C, C, 1))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.conv(images).permute(0, 2, 3, 1)  # [N, h, w, C]


class Sampler(nn.Module):
    """GridS: predicts MAX_K coordinates per view from the pooled features (nested: budget K takes
    the first K) and samples the token grid there bilinearly."""

    def __init__(self):
        super().__init__()
        self.max_k = MAX_K  # TorchScript reads attributes, not Python globals
        self.predict = nn.Sequential(nn.Linear(C, 32), nn.ReLU(), nn.Linear(32, MAX_K * 2))

    def forward(self, features: torch.Tensor, budget: int, instruction: List[str]) -> Tuple[torch.Tensor, torch.Tensor]:
        b, v, h, w, c = features.shape
        pooled = features.mean(dim=(2, 3))
        coords = torch.sigmoid(self.predict(pooled)).reshape(b, v, self.max_k, 2)[:, :, :budget]
        grid = (coords * 2 - 1).reshape(b * v, budget, 1, 2)
        maps = features.reshape(b * v, h, w, c).permute(0, 3, 1, 2)
        tokens = torch.nn.functional.grid_sample(maps, grid, mode="bilinear", align_corners=False)
        return coords, tokens.reshape(b, v, c, budget).permute(0, 1, 3, 2)


class Head(nn.Module):
    def __init__(self):
        super().__init__()
        self.position = nn.Linear(2, C)
        self.view = nn.Embedding(2, C)
        self.state = nn.Linear(S, C)
        self.queries = nn.Parameter(torch.randn(T, C) * 0.1)
        self.attention = nn.MultiheadAttention(C, 2, batch_first=True)
        self.out = nn.Linear(C, A)

    def forward(self, tokens: torch.Tensor, coords: torch.Tensor, views: torch.Tensor, instruction: List[str],
                state: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        context = tokens + self.position(coords) + self.view(views)
        queries = self.queries[None].expand(tokens.shape[0], -1, -1) + self.state(state)[:, None]
        out, weights = self.attention(queries, context, context)
        assert weights is not None
        attention = weights.mean(dim=1)
        return self.out(out), attention / attention.sum(dim=1, keepdim=True)


def main(out_dir: str) -> int:
    torch.manual_seed(3)
    model = grids_export.GridsCheckpoint(Encoder(), Head(), sampler=Sampler()).eval()
    images = torch.rand(1, 2, 3, IMAGE, IMAGE)
    state = torch.rand(1, S)
    with torch.no_grad():
        features = model.encode(images)
        coords, tokens = model.sample(features, 4, ["x"])
        views = torch.tensor([[0] * 4 + [1] * 4])
        before = model.act(tokens.reshape(1, 8, C), coords.reshape(1, 8, 2), views, ["x"], state)
        grids_export.math_attention(model)
        after = model.act(tokens.reshape(1, 8, C), coords.reshape(1, 8, 2), views, ["x"], state)
    for a, b in zip(before, after):
        if not torch.allclose(a, b, atol=1e-5):
            print("math_attention changed the model's outputs", file=sys.stderr)
            return 1
    path = os.path.join(out_dir, "plain_grids.pt")
    grids_export.export_checkpoint(model, path, {
        "name": "plain-pytorch-grids", "kind": "grids", "views": ["agentview_rgb", "eye_in_hand_rgb"],
        "image_size": [IMAGE, IMAGE], "grid": [GRID, GRID], "token_dim": C,
        "state_keys": ["ee_pos", "ee_ori", "gripper_states"], "state_dim": S, "action_dim": A,
        "action_horizon": T, "control_hz": 20, "budget": {"max": MAX_K, "default": 4, "nested": True},
        "head": {"layers": 1, "width": C, "ff": 4 * C, "heads": 2},
    })
    problems = grids_export.verify(path)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
