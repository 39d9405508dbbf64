#pragma once

#include "episodes/episode.h"

#include <string>
#include <utility>
#include <vector>

namespace grids {

// Which frame view feeds which checkpoint view (CHECKPOINT.md): by name; a lone view that matches
// no name takes the checkpoint's first view. Pairs are (checkpoint view, frame view); `missing` is
// set when some checkpoint view has no camera. Throws Error{Usage} naming `source` when no camera
// matches. One rule for local checkpoints and policy servers alike.
std::vector<std::pair<int, int>> matchViews(const std::vector<std::string> &checkpointViews,
                                            const std::vector<ViewInfo> &frameViews,
                                            const std::string &source,
                                            bool &missing);

// A camera frame at the size a model takes (area interpolation when it differs), as the
// application hands it to `encode`, locally or over the wire.
cv::Mat resizeForModel(const cv::Mat &view, int width, int height);

} // namespace grids
