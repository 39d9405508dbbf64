#pragma once

#include "episodes/episode.h"
#include "model/frame_result.h"

#include <array>
#include <cstdint>
#include <string>
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

// A keypoint annotated on one camera of a frame: the episode's view name and the image-normalised
// position (CHECKPOINT.md's convention).
struct ViewKeypoint
{
    std::string view;
    float x = 0, y = 0;
};

struct KeypointCount
{
    int covered = 0; // keypoints with a kept token within half a cell
    int total = 0;   // all the frame's keypoints
};

// Keypoint coverage of one frame across its views, as the GUI reports it: a keypoint is covered
// when its view's selection (paired through selectionForView) has a token within half a cell,
// measured in that view's pixels (0.5 · width / gridWidth, as keypointCoverage measures). A
// keypoint on a view without a selection, or on a view not among `views`, counts in the total
// but is never covered.
KeypointCount frameKeypointCoverage(const std::vector<ViewInfo> &views,
                                    const std::vector<ViewSelection> &selections,
                                    const std::vector<ViewKeypoint> &keypoints,
                                    int gridWidth);

// Where two action tracks (row-0 actions frame by frame, e.g. two checkpoints on one episode)
// part ways: the frames whose mean absolute difference exceeds `threshold` while the frame before
// did not (the first frame counts when it already exceeds it). Frames missing from either track
// or of different widths are skipped and do not end a divergence.
std::vector<std::int64_t> divergenceOnsets(const std::vector<std::vector<float>> &a,
                                           const std::vector<std::vector<float>> &b,
                                           double threshold);

} // namespace grids
