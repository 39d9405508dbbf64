#pragma once

#include <array>
#include <cstdint>
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

// Keypoint coverage (METHODS.md): the share of keypoints (image-normalised, one view) within
// `radiusPixels` of some kept token's coordinate, measured in pixels of a width × height image.
// Returns -1 when there are no keypoints.
double keypointCoverage(const std::vector<std::array<float, 2>> &keypoints,
                        const std::vector<std::array<float, 2>> &tokens,
                        double radiusPixels,
                        int width,
                        int height);

// Where two action tracks (row-0 actions frame by frame, e.g. two checkpoints on one episode)
// part ways: the frames whose mean absolute difference exceeds `threshold` while the frame before
// did not (the first frame counts when it already exceeds it). Frames missing from either track
// or of different widths are skipped and do not end a divergence.
std::vector<std::int64_t> divergenceOnsets(const std::vector<std::vector<float>> &a,
                                           const std::vector<std::vector<float>> &b,
                                           double threshold);

} // namespace grids
