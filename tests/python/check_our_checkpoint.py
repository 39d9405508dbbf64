"""Loads checkpoints written by `grids train` with Python's torch.jit.load and calls every
contract method with the documented shapes (CHECKPOINT.md). Usage: check_our_checkpoint.py C.pt…"""
import json
import sys

import torch


def check(path):
    extra = {"grids.json": ""}
    model = torch.jit.load(path, _extra_files=extra)
    meta = json.loads(extra["grids.json"])
    assert meta["format"] == "grids-checkpoint" and meta["version"] == 1, path
    V, (H, W), (h, w), C = len(meta["views"]), meta["image_size"], meta["grid"], meta["token_dim"]
    T, A, S = meta["action_horizon"], meta["action_dim"], meta["state_dim"]
    with torch.no_grad():
        for B in (1, 3):
            features = model.encode(torch.rand(B, V, 3, H, W))
            assert features.shape == (B, V, h, w, C), (path, features.shape)
            instruction = ["put the red cube on the blue plate"] * B
            if meta["kind"] == "grids":
                for K in sorted({1, meta["budget"]["default"], meta["budget"]["max"]}):
                    coords, tokens = model.sample(features, K, instruction)
                    assert coords.shape == (B, V, K, 2) and tokens.shape == (B, V, K, C), path
                    assert float(coords.min()) >= 0.0 and float(coords.max()) <= 1.0, path
            words = model.embed_instruction(instruction)
            assert words.dim() == 3 and words.shape[0] == B and words.shape[2] == C, path
            N = 5
            actions, attention = model.act(torch.rand(B, N, C), torch.rand(B, N, 2),
                                           torch.zeros(B, N, dtype=torch.long), instruction,
                                           torch.zeros(B, S))
            assert actions.shape == (B, T, A) and attention.shape == (B, N), path
            assert torch.allclose(attention.sum(1), torch.ones(B), atol=1e-5), path


if len(sys.argv) < 2:
    sys.exit("usage: check_our_checkpoint.py C.pt…")
for checkpoint in sys.argv[1:]:
    check(checkpoint)
print("ok")
