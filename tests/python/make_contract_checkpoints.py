"""Writes small checkpoints scripted in Python from nn.Modules, the way a researcher would export
their own policy for GridS Studio (CHECKPOINT.md), plus broken variants the application must
refuse. Usage: make_contract_checkpoints.py OUT_DIR"""
import json
import os
import struct
import sys
import zipfile
from typing import List, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

GRID, C, T, A, S, KMAX = 4, 8, 3, 7, 8, 6
VIEWS = ["agentview_rgb", "eye_in_hand_rgb"]


def metadata(kind="grids", version=1, nested=True):
    meta = {
        "format": "grids-checkpoint", "version": version, "name": "python-contract-" + kind,
        "kind": kind, "views": VIEWS, "image_size": [32, 32], "grid": [GRID, GRID],
        "token_dim": C, "state_keys": ["ee_pos", "ee_ori", "gripper_states"], "state_dim": S,
        "action_dim": A, "action_horizon": T, "control_hz": 20,
        "head": {"layers": 1, "width": C, "ff": 4 * C, "heads": 1},
        "train": {"dataset": "none", "episodes": 0, "steps": 0, "seed": 0, "final_loss": 0.0},
    }
    if kind == "grids":
        meta["budget"] = {"max": KMAX, "default": 4, "nested": nested}
    return meta


class Contract(nn.Module):
    """Tokens are per-cell mean colours projected to C; GridS predicts KMAX coordinates from the
    pooled grid and samples bilinearly (nested: budget K takes the first K); the head pools the
    tokens with softmax attention."""

    def __init__(self, wrong_width: bool = False):
        super().__init__()
        torch.manual_seed(0)
        self.grid, self.horizon, self.kmax = GRID, T, KMAX
        self.proj = nn.Linear(3, C + (1 if wrong_width else 0))
        self.coords = nn.Linear(C, 2 * KMAX)
        self.score = nn.Linear(C + 2, 1)
        self.head = nn.Linear(C + 2 + S, A)

    @torch.jit.export
    def encode(self, images: torch.Tensor) -> torch.Tensor:
        B, V, _, H, W = images.shape
        cells = F.adaptive_avg_pool2d(images.reshape(B * V, 3, H, W), (self.grid, self.grid))
        return self.proj(cells.permute(0, 2, 3, 1)).reshape(B, V, self.grid, self.grid, -1)

    @torch.jit.export
    def sample(self, features: torch.Tensor, budget: int,
               instruction: List[str]) -> Tuple[torch.Tensor, torch.Tensor]:
        B, V, h, w, c = features.shape
        coords = torch.sigmoid(self.coords(features.mean(dim=(2, 3)))).reshape(B, V, self.kmax, 2)
        coords = coords[:, :, :budget]
        grid = (coords * 2.0 - 1.0).reshape(B * V, 1, budget, 2)
        maps = features.permute(0, 1, 4, 2, 3).reshape(B * V, c, h, w)
        sampled = F.grid_sample(maps, grid, mode="bilinear", padding_mode="border",
                                align_corners=False)
        return coords, sampled.reshape(B, V, c, budget).permute(0, 1, 3, 2)

    @torch.jit.export
    def act(self, tokens: torch.Tensor, coords: torch.Tensor, views: torch.Tensor,
            instruction: List[str], state: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        x = torch.cat([tokens, coords], dim=-1)
        attention = torch.softmax(self.score(x).squeeze(-1), dim=-1)
        pooled = (attention.unsqueeze(-1) * x).sum(dim=1)
        action = self.head(torch.cat([pooled, state], dim=-1))
        return action.unsqueeze(1).repeat(1, self.horizon, 1), attention

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.encode(images)


class ContractWithWords(Contract):
    """The same model with the optional `embed_instruction` (text-guided baselines): a red and a
    blue word, as the tokens of red and blue cells would be."""

    @torch.jit.export
    def embed_instruction(self, instruction: List[str]) -> torch.Tensor:
        colours = torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
        return self.proj(colours).unsqueeze(0).repeat(len(instruction), 1, 1)


class NoAct(nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = Contract()

    @torch.jit.export
    def encode(self, images: torch.Tensor) -> torch.Tensor:
        return self.inner.encode(images)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.encode(images)


def save(module, path, meta):
    scripted = torch.jit.script(module)
    files = {} if meta is None else {"grids.json": json.dumps(meta)}
    torch.jit.save(scripted, path, _extra_files=files)


def deflate_copy(source, target):
    """The same records deflated (torch writes them stored; a researcher's tool may not)."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            zout.writestr(name, zin.read(name))


def claim_size(source, target, record, size, zip64):
    """A copy of a zip whose central directory says `record` inflates to `size` bytes: in its
    32-bit field, or (zip64) in a zip64 extra field with 0xffffffff in the 32-bit ones. LibTorch's
    reader would allocate that much before reading a byte of it."""
    data = bytearray(open(source, "rb").read())
    end = data.rindex(b"PK\x05\x06")
    count, directory_size, directory = struct.unpack_from("<HII", data, end + 10)
    entries, at = [], directory
    for _ in range(count):
        name_size, extra_size, comment_size = struct.unpack_from("<HHH", data, at + 28)
        total = 46 + name_size + extra_size + comment_size
        entry = bytearray(data[at:at + total])
        if entry[46:46 + name_size].decode().endswith(record):
            if zip64:
                extra = struct.pack("<HHQQ", 1, 16, size, struct.unpack_from("<I", entry, 20)[0])
                struct.pack_into("<IIH", entry, 20, 0xFFFFFFFF, 0xFFFFFFFF, name_size)
                struct.pack_into("<H", entry, 30, extra_size + len(extra))
                entry[46 + name_size:46 + name_size] = extra
            else:
                struct.pack_into("<I", entry, 24, size)
        entries.append(entry)
        at += total
    table = b"".join(entries)
    tail = bytearray(data[end:])
    struct.pack_into("<HHI", tail, 8, count, count, len(table))
    with open(target, "wb") as f:
        f.write(data[:directory] + table + tail)


def expected_outputs(model):
    """What the dense and GridS paths give on a constant frame (RGB 51, 102, 153 = 0.2, 0.4, 0.6
    exactly), state 0, 0.1, …, 0.7 and budget 4, for the C++ test to compare against."""
    images = torch.tensor([0.2, 0.4, 0.6]).reshape(1, 1, 3, 1, 1).expand(1, 2, 3, 32, 32)
    state = (torch.arange(S, dtype=torch.float32) * 0.1).reshape(1, S)
    with torch.no_grad():
        features = model.encode(images)
        i = (torch.arange(GRID * GRID) % GRID).float()
        j = (torch.arange(GRID * GRID) // GRID).float()
        centres = torch.stack([(i + 0.5) / GRID, (j + 0.5) / GRID], dim=-1)
        coords = centres.unsqueeze(0).repeat(1, 2, 1)
        views = torch.cat([torch.zeros(GRID * GRID), torch.ones(GRID * GRID)]).long().unsqueeze(0)
        dense, dense_attention = model.act(features.reshape(1, -1, C), coords, views, ["x"], state)
        sampled_coords, sampled = model.sample(features, 4, ["x"])
        views4 = torch.tensor([[0, 0, 0, 0, 1, 1, 1, 1]])
        grids, _ = model.act(sampled.reshape(1, -1, C), sampled_coords.reshape(1, -1, 2), views4,
                             ["x"], state)
    return {"dense_action": dense[0, 0].tolist(), "dense_attention": dense_attention[0].tolist(),
            "grids_coords": sampled_coords[0].reshape(-1, 2).tolist(),
            "grids_action": grids[0, 0].tolist()}


def main(out):
    os.makedirs(out, exist_ok=True)
    save(Contract(), os.path.join(out, "contract_grids.pt"), metadata("grids"))
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected_outputs(Contract()), f)
    save(ContractWithWords(), os.path.join(out, "contract_dense.pt"), metadata("dense"))
    save(Contract(), os.path.join(out, "broken_no_json.pt"), None)
    save(Contract(), os.path.join(out, "broken_version.pt"), metadata("grids", version=2))
    save(NoAct(), os.path.join(out, "broken_no_act.pt"), metadata("dense"))
    save(Contract(wrong_width=True), os.path.join(out, "broken_shape.pt"), metadata("grids"))
    deflate_copy(os.path.join(out, "contract_grids.pt"), os.path.join(out, "contract_grids_deflated.pt"))
    claim_size(os.path.join(out, "contract_grids_deflated.pt"), os.path.join(out, "broken_claims_2gb.pt"),
               "/version", 0x82000002, zip64=False)
    claim_size(os.path.join(out, "contract_grids.pt"), os.path.join(out, "broken_zip64_claims_2gb.pt"),
               "/version", 0x82000002, zip64=True)
    with open(os.path.join(out, "broken_not_torchscript.pt"), "wb") as f:
        f.write(b"PK\x03\x04 this is not a TorchScript archive")


if __name__ == "__main__":
    main(sys.argv[1])
