#include "eval/metrics.h"

#include <cmath>

namespace grids {

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
    int covered = 0;
    for (const auto &k : keypoints)
        for (const auto &t : tokens)
            if (std::hypot((k[0] - t[0]) * width, (k[1] - t[1]) * height) <= radiusPixels) {
                ++covered;
                break;
            }
    return double(covered) / double(keypoints.size());
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
