#include "eval/metrics.h"

#include <algorithm>
#include <cmath>

namespace grids {

namespace {

// How many keypoints lie within `radiusPixels` of some token, in pixels of a width × height image.
int keypointsNearTokens(const std::vector<std::array<float, 2>> &keypoints,
                        const std::vector<std::array<float, 2>> &tokens,
                        double radiusPixels,
                        int width,
                        int height)
{
    int covered = 0;
    for (const auto &k : keypoints)
        for (const auto &t : tokens)
            if (std::hypot((k[0] - t[0]) * width, (k[1] - t[1]) * height) <= radiusPixels) {
                ++covered;
                break;
            }
    return covered;
}

} // namespace

ActionError actionError(const std::vector<float> &predicted, const std::vector<float> &reference)
{
    ActionError error;
    if (predicted.empty() || predicted.size() != reference.size())
        return error;
    for (std::size_t d = 0; d < predicted.size(); ++d) {
        const double diff = double(predicted[d]) - double(reference[d]);
        error.l1 += std::abs(diff);
        error.mse += diff * diff;
    }
    error.l1 /= double(predicted.size());
    error.mse /= double(predicted.size());
    error.gripperAgrees = (predicted.back() >= 0) == (reference.back() >= 0);
    error.valid = true;
    return error;
}

double keypointCoverage(const std::vector<std::array<float, 2>> &keypoints,
                        const std::vector<std::array<float, 2>> &tokens,
                        double radiusPixels,
                        int width,
                        int height)
{
    if (keypoints.empty())
        return -1;
    const int covered = keypointsNearTokens(keypoints, tokens, radiusPixels, width, height);
    return double(covered) / double(keypoints.size());
}

KeypointCount frameKeypointCoverage(const std::vector<ViewInfo> &views,
                                    const std::vector<ViewSelection> &selections,
                                    const std::vector<ViewKeypoint> &keypoints,
                                    int gridWidth)
{
    KeypointCount count;
    count.total = int(keypoints.size());
    for (std::size_t v = 0; v < views.size(); ++v) {
        const int k = selectionForView(selections, views[v].name, v);
        if (k < 0)
            continue;
        std::vector<std::array<float, 2>> points;
        for (const auto &keypoint : keypoints)
            if (keypoint.view == views[v].name)
                points.push_back({keypoint.x, keypoint.y});
        // METHODS.md measures coverage in the image's pixels: half a cell of this view.
        const double radius = 0.5 * views[v].width / std::max(1, gridWidth);
        count.covered += keypointsNearTokens(points, selections[std::size_t(k)].coords, radius,
                                             views[v].width, views[v].height);
    }
    return count;
}

std::vector<std::int64_t> divergenceOnsets(const std::vector<std::vector<float>> &a,
                                           const std::vector<std::vector<float>> &b,
                                           double threshold)
{
    std::vector<std::int64_t> onsets;
    bool apart = false;
    for (std::size_t t = 0; t < a.size() && t < b.size(); ++t) {
        const ActionError difference = actionError(a[t], b[t]);
        if (!difference.valid)
            continue;
        const bool now = difference.l1 > threshold;
        if (now && !apart)
            onsets.push_back(std::int64_t(t));
        apart = now;
    }
    return onsets;
}

} // namespace grids
