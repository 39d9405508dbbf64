#!/usr/bin/env bash
# Regenerates the fuzz harnesses' seed corpora in tests/fuzz/corpus/ from the same sources as
# the tests' fixtures: the Parquet writers and the LeRobot dataset maker (Node.js), h5py for a
# LIBERO file, LibTorch's Python for a checkpoint archive, msgpack for policy-server messages,
# the bundled checkpoints' grids.json and the workspace writer of the default build.
#
#   bash tests/fuzz/make_seed_corpus.sh [BUILD_DIR]      (BUILD_DIR: build, the default preset's)
#
# The same content on every run (fixed seeds and values; files that record when they were written,
# the workspaces, differ there only). Small inputs only: the fuzzer mutates small ones faster.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
python=/usr/bin/python3
corpus=$here/corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -rf "$corpus"
mkdir -p "$corpus"/{libero_hdf5,video_sidecar,checkpoint_json,checkpoint_archive,workspace,parquet,lerobot,policy_message}

# Parquet: the reader's fixtures (both writers, pages v1 and v2, every codec), 40 rows each.
node "$root/tests/parquet_writers/write_fixtures.mjs" "$tmp/parquet" 40 >/dev/null
cp "$tmp"/parquet/*.parquet "$corpus/parquet/"

# LeRobot: the meta/ folders of a v2.1, a v3.0 and an openpi (v2.0) dataset, joined as the harness
# splits them (info.json, episodes.jsonl, tasks.jsonl, tasks.parquet, episodes/…/file-000.parquet).
for version in v2.1 v3.0 openpi; do
  if [ $version = openpi ]; then
    node "$root/tests/parquet_writers/make_lerobot_dataset.mjs" "$tmp/$version" --version v2.0 --openpi >/dev/null
  else
    node "$root/tests/parquet_writers/make_lerobot_dataset.mjs" "$tmp/$version" --version $version \
      --ffmpeg "$(command -v ffmpeg)" --episodes 2 --length 3 >/dev/null
  fi
  meta=$tmp/$version/meta
  first=1
  for f in info.json episodes.jsonl tasks.jsonl tasks.parquet episodes/chunk-000/file-000.parquet; do
    [ $first = 1 ] || printf '\n--8<--\n'
    first=0
    [ -f "$meta/$f" ] && cat "$meta/$f"
  done >"$corpus/lerobot/$version"
done

# LIBERO HDF5 (h5py, as LIBERO writes), a video sidecar's JSON, grids.json, a checkpoint archive
# and policy-server messages.
# (TorchScript compiles from source: the Python runs from a file.)
cat >"$tmp/seeds.py" <<'PY'
import io, json, os, struct, sys, zipfile
import h5py, msgpack, numpy as np, torch

corpus, checkpoints = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(19)

def libero(path, demos, frames, size, extra):
    with h5py.File(path, "w") as f:
        data = f.create_group("data")
        data.attrs["problem_info"] = json.dumps({"language_instruction": "put the bowl on the plate"})
        data.attrs["env_args"] = json.dumps({"env_name": "fuzz"})
        for d in range(demos):
            g = data.create_group(f"demo_{d}")
            g.attrs["num_samples"] = frames
            g.create_dataset("actions", data=rng.standard_normal((frames, 7)).astype("f8"))
            obs = g.create_group("obs")
            for view in ("agentview_rgb", "eye_in_hand_rgb"):
                obs.create_dataset(view, data=rng.integers(0, 255, (frames, size, size, 3), dtype="u1"),
                                   **extra)
            obs.create_dataset("ee_pos", data=rng.standard_normal((frames, 3)))
            obs.create_dataset("ee_ori", data=rng.standard_normal((frames, 3)))
            obs.create_dataset("gripper_states", data=rng.standard_normal((frames, 2)))
            obs.create_dataset("joint_states", data=rng.standard_normal((frames, 7)))
            if extra:
                g.attrs["language_instruction"] = "pick up the cube"
                g.attrs["success"] = True

libero(f"{corpus}/libero_hdf5/contiguous.hdf5", 2, 3, 8, {})
libero(f"{corpus}/libero_hdf5/chunked_gzip.hdf5", 1, 4, 8, {"chunks": (1, 8, 8, 3), "compression": "gzip"})

sidecar = {"instruction": "pick up the cube", "view": "agentview", "actions": [[0, 1], [1, 2], [2, 3]],
           "state": [[0.5], [1.5], [2.5]], "state_keys": ["x"], "success": True}
for name, frames, value in [("full", 3, sidecar), ("instruction_only", 9, {"instruction": "open the drawer"}),
                            ("empty", 0, {})]:
    with open(f"{corpus}/video_sidecar/{name}", "wb") as f:
        f.write(bytes([frames]) + json.dumps(value).encode())

grids_json = None
for name in sorted(os.listdir(checkpoints)):
    with zipfile.ZipFile(os.path.join(checkpoints, name)) as z:
        record = next(n for n in z.namelist() if n.endswith("extra/grids.json"))
        text = z.read(record)
    with open(f"{corpus}/checkpoint_json/{name[:-3]}.json", "wb") as f:
        f.write(text)
    grids_json = grids_json or text.decode()

class Tiny(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + 1

for name, compress in [("tiny", True), ("tiny_stored", False)]:
    buffer = io.BytesIO()
    torch.jit.save(torch.jit.script(Tiny()), buffer, _extra_files={"grids.json": grids_json})
    raw = buffer.getvalue()
    if compress:  # the same records, deflated (torch writes them stored)
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                dst.writestr(info.filename, src.read(info.filename))
        raw = out.getvalue()
    with open(f"{corpus}/checkpoint_archive/{name}.pt", "wb") as f:
        f.write(raw)

def ndarray(a):
    a = np.ascontiguousarray(a)
    return {b"__ndarray__": True, b"data": a.tobytes(), b"dtype": a.dtype.str, b"shape": list(a.shape)}

messages = {
    "metadata": {"grids/checkpoint": grids_json, "grids/checkpoint_sha256": "0" * 64},
    "metadata_plain": {"server": "openpi", "action_horizon": 10},
    "reply": {"actions": ndarray(rng.standard_normal((4, 7)).astype("<f4")),
              "grids/coords": ndarray(rng.random((2, 3, 2)).astype("<f4")),
              "grids/attention": ndarray(rng.random(6).astype("<f8")),
              "grids/timing": {"encode_ms": 1.5, "select_ms": 0.25, "act_ms": 3}},
    "reply_big_endian": {"actions": ndarray(np.arange(6, dtype=">i2").reshape(2, 3)),
                         "state": ndarray(np.zeros(3, dtype="|u1")), "list": [1, -2, 3.5, None, "x", b"y"]},
}
for name, value in messages.items():
    with open(f"{corpus}/policy_message/{name}", "wb") as f:
        f.write(msgpack.packb(value, use_bin_type=True))
PY
"$python" "$tmp/seeds.py" "$corpus" "$root/datasets/checkpoints"

# Workspaces: a new one (schema only) and one with annotations and a sweep run.
"$build/tests/core/workspace_writer" "$tmp/empty.sqlite" 0 seed >/dev/null
"$build/tests/core/workspace_writer" "$tmp/runs.sqlite" 25 seed >/dev/null
cp "$tmp/empty.sqlite" "$corpus/workspace/empty.sqlite"
cp "$tmp/runs.sqlite" "$corpus/workspace/runs.sqlite"

du -sh "$corpus"/*
