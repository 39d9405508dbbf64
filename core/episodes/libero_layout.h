#pragma once

// Names shared by the LIBERO reader and writer: one definition of the on-disk layout.

#include <string>
#include <vector>

namespace grids::libero {

inline const char *const kDataGroup = "data";
inline const char *const kDemoPrefix = "demo_";
inline const char *const kObsGroup = "obs";
inline const char *const kActions = "actions";
inline const char *const kRewards = "rewards";
inline const char *const kDones = "dones";
inline const char *const kNumSamples = "num_samples";
inline const char *const kTotal = "total";
inline const char *const kProblemInfo = "problem_info";
inline const char *const kEnvArgs = "env_args";
inline const char *const kBddlFile = "bddl_file_name";
// Attributes the project adds on a demo group (documented in docs/DATA-FORMATS.md).
inline const char *const kDemoInstruction = "language_instruction";
inline const char *const kDemoSuccess = "success";

// Low-dim observations the tabletop simulator records besides the state: world positions
// (metres, per frame) of the object the instruction names to move and of the object it locates
// the task by (goal plate or zone, or the plate of "left of the plate"). Not state a policy sees:
// a training target (grids train --object-weight). Documented in docs/DATA-FORMATS.md.
inline const char *const kTargetPos = "target_pos";
inline const char *const kReferencePos = "reference_pos";
// The same two objects' image positions, (x, y) image-normalised per camera in the episode's
// camera order (T, 2 × cameras); a value outside [0, 1] is outside that image.
inline const char *const kTargetImagePos = "target_image_pos";
inline const char *const kReferenceImagePos = "reference_image_pos";

// Preferred camera order: LIBERO's two cameras first, then others by name.
inline const std::vector<std::string> kPreferredViews = {
    "agentview_rgb", "eye_in_hand_rgb", "agentview_image", "robot0_eye_in_hand_image"};

// Low-dimensional observations that make up the state, per naming convention: the first set
// whose keys are all present in a demo is used.
inline const std::vector<std::vector<std::string>> kStateKeySets = {
    {"ee_pos", "ee_ori", "gripper_states"},
    {"robot0_eef_pos", "robot0_eef_quat", "robot0_gripper_qpos"},
};

} // namespace grids::libero
