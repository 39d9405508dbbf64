#!/usr/bin/env python3
"""Serves a GridS Studio contract checkpoint over openpi's websocket policy protocol.

    python3 grids_policy_server.py CHECKPOINT.pt [--host 127.0.0.1] [--port 8000] [--keys …]

The protocol is openpi's (serve_policy.py): on connect the server sends its metadata, then answers
each observation dict with an action dict, both msgpack with numpy arrays encoded as openpi's
msgpack_numpy does. A client such as `grids infer --policy ws://HOST:PORT` or openpi's
WebsocketClientPolicy sends

    {"observation/image": uint8[H,W,3], "observation/wrist_image": uint8[H,W,3],
     "observation/state": float32[S], "prompt": str}

and receives {"actions": float32[T,A]}. The GridS extensions (docs/POLICY-SERVER.md) are what make
overlays and the budget slider work remotely; add them to your own server in a few lines:

    metadata  "grids/checkpoint": grids.json text (describes views, image size, grid, budgets)
              "grids/checkpoint_sha256": the model's content key (results are stored under it)
    request   "grids/method": "grids" | "dense", "grids/budget": tokens per view
    reply     "grids/coords": float32[V,K,2] image-normalised (x, y) per view sent,
              "grids/attention": float32[V*K], "grids/timing": {"encode_ms", "select_ms", "act_ms"}

This server runs a checkpoint exactly as GridS Studio runs it locally (encode, then the sampler or
every dense cell, then act), so a remote run equals the local one up to float rounding. Uses
Debian's python3-websockets, python3-msgpack, python3-numpy and python3-torch.

--openpi-only serves as a plain openpi server would (no extensions). For tests it can also misbehave
on purpose: --fault garbage|no-actions|wrong-shape|half-coords|huge|slow|die-after:N.
"""

import argparse
import asyncio
import hashlib
import json
import os
import sys
import time
import traceback

import msgpack
import numpy as np
import torch
import websockets


# openpi's msgpack_numpy wire format: arrays as maps with bytes keys.
def _pack_default(obj):
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind in ("V", "O", "c"):
            raise ValueError(f"unsupported dtype {obj.dtype}")
        return {b"__ndarray__": True, b"data": obj.tobytes(), b"dtype": obj.dtype.str, b"shape": obj.shape}
    if isinstance(obj, np.generic):
        return {b"__npgeneric__": True, b"data": obj.item(), b"dtype": obj.dtype.str}
    return obj


def _unpack_hook(obj):
    if b"__ndarray__" in obj:
        return np.ndarray(buffer=obj[b"data"], dtype=np.dtype(obj[b"dtype"]), shape=obj[b"shape"])
    if b"__npgeneric__" in obj:
        return np.dtype(obj[b"dtype"]).type(obj[b"data"])
    return obj


def packb(obj) -> bytes:
    return msgpack.packb(obj, default=_pack_default, use_bin_type=True)


def unpackb(data: bytes):
    return msgpack.unpackb(data, object_hook=_unpack_hook, raw=False)


def parse_keys(text: str):
    """"VIEW=KEY,…,state=KEY,prompt=KEY" (VIEW a view name or view0, view1, …), as the client's."""
    keys = {"views": {}, "state": "observation/state", "prompt": "prompt"}
    for pair in filter(None, text.split(",")):
        what, _, key = pair.partition("=")
        if not what or not key:
            raise SystemExit(f"--keys: '{pair}' is not WHAT=KEY")
        if what in ("state", "prompt"):
            keys[what] = key
        else:
            keys["views"][what] = key
    return keys


class CheckpointPolicy:
    def __init__(self, path: str, keys: str):
        extra = {"grids.json": ""}
        self.module = torch.jit.load(path, map_location="cpu", _extra_files=extra)
        self.module.eval()
        text = extra["grids.json"]
        self.json_text = text.decode("utf-8") if isinstance(text, bytes) else text
        self.info = json.loads(self.json_text)
        with open(path, "rb") as f:
            self.sha256 = hashlib.sha256(f.read()).hexdigest()
        self.keys = parse_keys(keys)
        self.openpi_only = False
        self.views = self.info["views"]
        self.height, self.width = self.info["image_size"]
        self.grid_h, self.grid_w = self.info["grid"]
        self.kind = self.info["kind"]
        budget = self.info.get("budget", {})
        self.budget_max = int(budget.get("max", 0))
        self.budget_default = int(budget.get("default", 0))
        j, i = torch.meshgrid(torch.arange(self.grid_h), torch.arange(self.grid_w), indexing="ij")
        centres = torch.stack([(i.float() + 0.5) / self.grid_w, (j.float() + 0.5) / self.grid_h], dim=-1)
        self.centres = centres.reshape(1, self.grid_h * self.grid_w, 2)

    def metadata(self):
        if self.openpi_only:
            return {}
        return {
            "grids/checkpoint": self.json_text,
            "grids/checkpoint_sha256": self.sha256,
            "grids/methods": ["grids", "dense"] if self.kind == "grids" else ["dense"],
        }

    def view_key(self, index: int, name: str) -> str:
        for view, key in self.keys["views"].items():
            if view in (name, f"view{index}"):
                return key
        return ["observation/image", "observation/wrist_image"][index] if index < 2 else f"observation/image_{index}"

    @torch.no_grad()
    def infer(self, obs: dict) -> dict:
        start = time.perf_counter()
        present = [(i, obs[self.view_key(i, name)]) for i, name in enumerate(self.views)
                   if self.view_key(i, name) in obs]
        if not present:
            raise ValueError("the observation holds none of the checkpoint's views")
        images = []
        for _, image in present:
            image = np.asarray(image)
            if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
                raise ValueError(f"an image must be uint8 [H, W, 3], not {image.dtype} {list(image.shape)}")
            # Multiplying by 1/255 in float32 is what the application does (OpenCV's convertTo).
            tensor = torch.from_numpy(image.copy()).float() * np.float32(1.0 / 255.0)
            tensor = tensor.permute(2, 0, 1)
            if tensor.shape[1:] != (self.height, self.width):
                tensor = torch.nn.functional.interpolate(tensor[None], size=(self.height, self.width), mode="area")[0]
            images.append(tensor)
        features = self.module.encode(torch.stack(images)[None]).contiguous()
        encoded = time.perf_counter()
        prompt = str(obs.get(self.keys["prompt"], ""))
        method = obs.get("grids/method", "grids" if self.kind == "grids" else "dense")
        views = len(present)
        channels = features.shape[-1]
        if method == "dense":
            tokens = features.reshape(1, views * self.grid_h * self.grid_w, channels)
            coords = self.centres.repeat(1, views, 1)
        elif method == "grids" and self.kind == "grids":
            budget = int(obs.get("grids/budget", self.budget_default))
            if not 1 <= budget <= self.budget_max:
                raise ValueError(f"budget {budget} outside 1..{self.budget_max}")
            coords, tokens = self.module.sample(features, budget, [prompt])
            coords = coords.reshape(1, -1, 2)
            tokens = tokens.reshape(1, -1, channels)
        else:
            raise ValueError(f"method {method} is not served (grids or dense)")
        per_view = tokens.shape[1] // views
        view_ids = torch.cat([torch.full((per_view,), i, dtype=torch.long) for i, _ in present])[None]
        selected = time.perf_counter()
        state_dim = int(self.info["state_dim"])
        state = np.asarray(obs.get(self.keys["state"], np.zeros(0, np.float32)), dtype=np.float32).reshape(-1)
        state = torch.from_numpy(state.copy())[None] if state.size == state_dim else torch.zeros(1, state_dim)
        actions, attention = self.module.act(tokens, coords, view_ids, [prompt], state)
        done = time.perf_counter()
        if self.openpi_only:
            return {"actions": actions[0].float().numpy(), "server_timing": {"infer_ms": (done - start) * 1e3}}
        return {
            "actions": actions[0].float().numpy(),
            "grids/coords": coords.reshape(views, per_view, 2).float().numpy(),
            "grids/attention": attention[0].float().numpy(),
            "grids/views": [self.views[i] for i, _ in present],
            "grids/timing": {"encode_ms": (encoded - start) * 1e3, "select_ms": (selected - encoded) * 1e3,
                             "act_ms": (done - selected) * 1e3},
            "server_timing": {"infer_ms": (done - start) * 1e3},
        }


async def serve(policy: CheckpointPolicy, host: str, port: int, fault: str):
    replies = 0
    die_after = int(fault.split(":")[1]) if fault.startswith("die-after:") else -1

    async def handler(websocket, path=None):
        nonlocal replies
        await websocket.send(packb(policy.metadata()))
        async for message in websocket:
            try:
                obs = unpackb(message)
                if fault == "slow":
                    await asyncio.sleep(30)
                if fault == "garbage":
                    await websocket.send(b"\xc1 this is not msgpack")
                    continue
                reply = policy.infer(obs)
                if fault == "no-actions":
                    del reply["actions"]
                if fault == "wrong-shape":
                    reply["actions"] = np.zeros((reply["actions"].shape[0], reply["actions"].shape[1] + 1), np.float32)
                if fault == "half-coords":  # a dtype the client does not read
                    reply["grids/coords"] = reply["grids/coords"].astype(np.float16)
                if fault == "huge":
                    reply["padding"] = bytes(65 << 20)
                await websocket.send(packb(reply))
                replies += 1
                if replies == die_after:
                    os._exit(1)  # as a crash or a kill would: no goodbye
            except Exception:
                # openpi's convention: the traceback as a text frame, then close.
                await websocket.send(traceback.format_exc())
                await websocket.close(code=1011, reason="Internal server error. Traceback included in previous frame.")
                return

    async with websockets.serve(handler, host, port, max_size=None, compression=None) as server:
        chosen = server.sockets[0].getsockname()[1]
        print(f"listening on ws://{host}:{chosen}", flush=True)
        await asyncio.Future()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoint")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port (printed)")
    parser.add_argument("--keys", default="", help="VIEW=KEY,…,state=KEY,prompt=KEY (openpi's LIBERO keys by default)")
    parser.add_argument("--fault", default="none", help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument("--openpi-only", action="store_true",
                        help="behave as a plain openpi server: no GridS extensions (metadata {}, replies of actions only)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    try:
        policy = CheckpointPolicy(args.checkpoint, args.keys)
        policy.openpi_only = args.openpi_only
    except Exception as e:  # noqa: BLE001 - one line, like the application's errors
        print(f"error: {args.checkpoint}: {e}", file=sys.stderr)
        return 3
    try:
        asyncio.run(serve(policy, args.host, args.port, args.fault))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
