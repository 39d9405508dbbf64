"""Reads a `grids make-dataset` file with h5py the way LIBERO users read demonstration files and
checks the layout; prints what it saw as JSON for tst_tabletop_sim."""
import json
import sys

import h5py
import numpy as np

with h5py.File(sys.argv[1], "r") as f:
    data = f["data"]
    json.loads(data.attrs["problem_info"])
    json.loads(data.attrs["env_args"])
    demos = sorted(data.keys(), key=lambda k: int(k.split("_")[1]))
    total = 0
    report = {"demos": demos, "instructions": [], "lengths": []}
    for key in demos:
        demo = data[key]
        T = int(demo.attrs["num_samples"])
        obs = demo["obs"]
        for camera in ("agentview_rgb", "eye_in_hand_rgb"):
            images = obs[camera][()]
            assert images.shape == (T, 128, 128, 3) and images.dtype == np.uint8, camera
            upright = images[:, ::-1, ::-1]  # LIBERO's rotation undone, as its users do
            assert upright.std() > 5, "blank images"
        assert demo["actions"].shape == (T, 7)
        assert obs["ee_pos"].shape == (T, 3) and obs["ee_ori"].shape == (T, 3)
        assert obs["gripper_states"].shape == (T, 2)
        assert obs["target_pos"].shape == (T, 3) and obs["reference_pos"].shape == (T, 3)
        assert obs["target_image_pos"].shape == (T, 4) and obs["reference_image_pos"].shape == (T, 4)
        assert demo["rewards"].shape == (T,) and demo["dones"][-1] == 1
        assert int(demo.attrs["success"]) == 1
        actions = demo["actions"][()]
        assert np.all(np.abs(actions[:, :3]) <= 1.0) and set(np.unique(actions[:, 6])) <= {-1.0, 1.0}
        report["instructions"].append(demo.attrs["language_instruction"])
        report["lengths"].append(T)
        total += T
    assert int(data.attrs["total"]) == total
print(json.dumps(report))
