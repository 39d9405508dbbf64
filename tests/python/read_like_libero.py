"""Reads a LIBERO-layout file the way LIBERO's and robomimic's loaders do (h5py, no GridS code)
and prints what it saw as JSON, for tst_libero_hdf5 to compare with what was written."""
import json
import sys

import h5py
import numpy as np

path = sys.argv[1]
with h5py.File(path, "r") as f:
    data = f["data"]
    demos = sorted(data.keys(), key=lambda k: int(k.split("_")[1]))
    problem_info = json.loads(data.attrs["problem_info"])
    env_args = json.loads(data.attrs["env_args"])
    assert isinstance(env_args, dict)
    last = data[demos[-1]]
    agentview = last["obs"]["agentview_rgb"][()]
    eye = last["obs"]["eye_in_hand_rgb"][()]
    # LIBERO's images are stored upside down; its users flip both image axes.
    upright = eye[4][::-1, ::-1]
    report = {
        "demos": demos,
        "instruction": problem_info["language_instruction"],
        "total": int(data.attrs["total"]),
        "num_samples": [int(data[d].attrs["num_samples"]) for d in demos],
        "agentview_shape": list(agentview.shape),
        "actions_dtype": str(last["actions"].dtype),
        "eye_in_hand_demo_1_frame_4_upright": upright.astype(np.int64).ravel().tolist(),
        "actions_demo_1_row_2": last["actions"][2].tolist(),
        "ee_pos_shape": list(last["obs"]["ee_pos"].shape),
        "gripper_states_shape": list(last["obs"]["gripper_states"].shape),
    }
    assert report["ee_pos_shape"] == [agentview.shape[0], 3]
    assert report["gripper_states_shape"] == [agentview.shape[0], 2]
print(json.dumps(report))
