"""Tool (run on request): how well a checkpoint trained with `grids train --object-weight` finds
the objects its instruction names, on held-out demonstrations that carry the simulator's object
positions (`grids make-dataset` records them).

    python3 tests/bench/object_localisation.py CHECKPOINT HELDOUT.hdf5 [BUDGET]

Prints, at the first frame of every episode (where a policy that continues its own motion has
nothing to continue): the readout's error in table-plane xy for the target and the reference,
per instruction form, next to a predictor that answers each form's mean position; and, in the
front camera, how far (in grid cells) the token with the highest target mark lies from the
target, next to the nearest token there is and an average token. Then the readout's error over
every fourth frame of each episode."""
import sys

import h5py
import numpy as np
import torch

torch.set_num_threads(1)
checkpoint, heldout = sys.argv[1], sys.argv[2]
budget = int(sys.argv[3]) if len(sys.argv) > 3 else 16
module = torch.jit.load(checkpoint)
cells = 16


def form(instruction):
    """The instruction with its colours and shapes left out: one per task family."""
    named = {"red", "green", "blue", "yellow", "purple", "white", "cube", "cylinder", "left", "right"}
    return " ".join("_" if word in named else word for word in instruction.split())


first = []  # per episode: form, target xy predicted, true, reference xy predicted, true
marks_found, nearest, average = [], [], []
over_time = {"target": [], "reference": []}
with h5py.File(heldout, "r") as f, torch.no_grad():
    keys = sorted(f["data"].keys(), key=lambda k: int(k.split("_")[1]))
    for key in keys:
        demo = f["data"][key]
        obs = demo["obs"]
        frames = list(range(0, demo["actions"].shape[0], 4))
        views = [obs[v][frames][:, ::-1, ::-1] for v in ("agentview_rgb", "eye_in_hand_rgb")]
        images = torch.from_numpy(np.stack(views, 1).copy()).float().div(255).permute(0, 1, 4, 2, 3)
        state = torch.from_numpy(np.concatenate(
            [obs["ee_pos"][frames], obs["ee_ori"][frames], obs["gripper_states"][frames]], 1)).float()
        instruction = demo.attrs["language_instruction"]
        out = module.predict_with_objects(images, state, [instruction] * len(frames), budget)
        positions = (out[1] * module.object_std + module.object_mean).numpy()
        truth = np.concatenate([obs["target_pos"][frames], obs["reference_pos"][frames]], 1)
        over_time["target"].append(np.linalg.norm(positions[:, :2] - truth[:, :2], axis=1))
        over_time["reference"].append(np.linalg.norm(positions[:, 3:5] - truth[:, 3:5], axis=1))
        first.append((form(instruction), positions[0, :2], truth[0, :2], positions[0, 3:5], truth[0, 3:5]))
        marks, coords, token_views = out[2][0], out[3][0], out[4][0]
        front = (token_views == 0).numpy()
        where = obs["target_image_pos"][0][:2]
        distance = np.linalg.norm(coords.numpy()[front] - where, axis=1) * cells
        marks_found.append(distance[int(marks[:, 0].numpy()[front].argmax())])
        nearest.append(distance.min())
        average.append(distance.mean())

print(f"{checkpoint} on {heldout}, {len(first)} episodes; first frame, xy error in cm:")
forms = sorted({row[0] for row in first})
for name in forms:
    rows = [row for row in first if row[0] == name]
    target = np.mean([np.linalg.norm(r[1] - r[2]) for r in rows])
    reference = np.mean([np.linalg.norm(r[3] - r[4]) for r in rows])
    mean_target = np.mean([r[2] for r in rows], 0)
    mean_reference = np.mean([r[4] for r in rows], 0)
    base_target = np.mean([np.linalg.norm(r[2] - mean_target) for r in rows])
    base_reference = np.mean([np.linalg.norm(r[4] - mean_reference) for r in rows])
    print(f"  {name:34s} ({len(rows):2d}) target {100 * target:5.1f} (form's mean {100 * base_target:5.1f})"
          f"   reference {100 * reference:5.1f} (form's mean {100 * base_reference:5.1f})")
print(f"first frame, front camera: the most target-like token is {np.mean(marks_found):.1f} cells from "
      f"the target (median {np.median(marks_found):.1f}); the nearest token {np.mean(nearest):.1f}, "
      f"an average token {np.mean(average):.1f}")
for name, errors in over_time.items():
    errors = np.concatenate(errors)
    print(f"every 4th frame, {name}: mean xy error {100 * errors.mean():.1f} cm, median {100 * np.median(errors):.1f} cm")
