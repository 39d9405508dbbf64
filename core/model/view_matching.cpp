#include "model/view_matching.h"

#include "common/error.h"

#include <opencv2/imgproc.hpp>

namespace grids {

std::vector<std::pair<int, int>> matchViews(const std::vector<std::string> &checkpointViews,
                                            const std::vector<ViewInfo> &frameViews,
                                            const std::string &source,
                                            bool &missing)
{
    std::vector<std::pair<int, int>> pairs;
    for (int c = 0; c < int(checkpointViews.size()); ++c)
        for (int f = 0; f < int(frameViews.size()); ++f)
            if (frameViews[std::size_t(f)].name == checkpointViews[std::size_t(c)])
                pairs.push_back({c, f});
    if (pairs.empty() && frameViews.size() == 1 && !checkpointViews.empty())
        pairs.push_back({0, 0});
    if (pairs.empty()) {
        std::string names, wanted;
        for (const auto &v : frameViews)
            names += (names.empty() ? "" : ", ") + v.name;
        for (const auto &v : checkpointViews)
            wanted += (wanted.empty() ? "" : ", ") + v;
        throw settingError("view_map", source + ": none of the episode's views (" + names +
                                           ") is one the checkpoint was trained on (" + wanted +
                                           "); map each to the checkpoint view it feeds "
                                           "(EPISODE_VIEW=CHECKPOINT_VIEW,…; grids-studio: "
                                           "Model > Map Views…)");
    }
    missing = pairs.size() < checkpointViews.size();
    return pairs;
}

cv::Mat resizeForModel(const cv::Mat &view, int width, int height)
{
    if (view.cols == width && view.rows == height)
        return view;
    cv::Mat resized;
    cv::resize(view, resized, cv::Size(width, height), 0, 0, cv::INTER_AREA);
    return resized;
}

} // namespace grids
