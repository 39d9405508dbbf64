// Tool (run on request): draws a checkpoint's selected coordinates, coloured by attention, on
// both camera views for a few frames of one episode per instruction kind, to look at where the
// sampler looks.
//
//   ./build/tests/bench/coords_sheet CHECKPOINT EPISODES OUT.png [BUDGET] [KEY,KEY,…]

#include "episodes/episode.h"
#include "model/policy.h"
#include "render/overlay.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdio>
#include <cstdlib>
#include <sstream>

int main(int argc, char **argv)
{
    using namespace grids;
    if (argc < 4) {
        std::fprintf(stderr, "usage: coords_sheet CHECKPOINT EPISODES OUT.png [BUDGET] [KEYS]\n");
        return 2;
    }
    auto policy = Policy::load(argv[1]);
    auto file = openEpisodeFile(argv[2]);
    const int budget = argc > 4 ? std::atoi(argv[4]) : policy->info().budgetDefault;
    std::vector<std::string> keys;
    std::stringstream list(argc > 5 ? argv[5] : "demo_0,demo_4,demo_8,demo_12");
    for (std::string key; std::getline(list, key, ',');)
        keys.push_back(key);
    const std::string method = policy->info().ownMethod();
    render::OverlayStyle style;
    style.gridWidth = policy->info().gridWidth;
    style.gridHeight = policy->info().gridHeight;
    constexpr int kTile = 256, kColumns = 4;
    cv::Mat sheet(int(keys.size()) * 2 * kTile, kColumns * kTile, CV_8UC3, cv::Scalar(0, 0, 0));
    for (std::size_t row = 0; row < keys.size(); ++row) {
        const std::size_t e = file->indexOf(keys[row]);
        const EpisodeInfo &info = file->episodes()[e];
        std::printf("%s: %s\n", info.key.c_str(), info.instruction.c_str());
        for (int c = 0; c < kColumns; ++c) {
            const std::int64_t t = c * (info.length - 1) / (kColumns - 1);
            const Frame frame = file->frame(e, t);
            const FrameResult result = policy->run(frame, info.views, method, budget);
            for (std::size_t v = 0; v < result.views.size() && v < 2; ++v) {
                cv::Mat tile;
                cv::resize(frame.views[v], tile, cv::Size(kTile, kTile), 0, 0, cv::INTER_NEAREST);
                render::drawSelection(tile, result.views[v], render::viewAttention(result, v),
                                      style);
                cv::cvtColor(tile, tile, cv::COLOR_RGB2BGR);
                tile.copyTo(sheet(cv::Rect(c * kTile, int(row * 2 + v) * kTile, kTile, kTile)));
            }
        }
    }
    cv::imwrite(argv[3], sheet);
    return 0;
}
