#pragma once

#include <vector>

namespace grids {

// How far a predicted action (row 0 of the chunk) is from a reference action (the
// demonstration's, or the dense model's for fidelity). The last dimension is the gripper.
struct ActionError
{
    double l1 = 0;             // mean absolute error over dimensions
    double mse = 0;            // mean squared error over dimensions
    bool gripperAgrees = true; // same sign of the gripper command
    bool valid = false;        // false when there is no reference or the widths differ
};

ActionError actionError(const std::vector<float> &predicted, const std::vector<float> &reference);

} // namespace grids
