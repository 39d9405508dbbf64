// Tool (run on request): open-loop action error of checkpoints on held-out demonstrations, next to
// a predictor that always outputs the mean action of the training data (the floor a policy that
// ignores its inputs reaches). Row 0 of each predicted chunk against the demonstration's action,
// L1 over the 7 dimensions in dataset units, averaged over every frame.
//
//   ./build/tests/bench/open_loop_error TRAIN.hdf5 HELDOUT.hdf5 CHECKPOINT[@BUDGET] …

#include "episodes/episode.h"
#include "eval/metrics.h"
#include "model/policy.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

std::vector<double> meanAction(grids::EpisodeFile &file)
{
    std::vector<double> sum;
    std::int64_t rows = 0;
    for (std::size_t e = 0; e < file.episodes().size(); ++e) {
        const grids::Track actions = file.actions(e);
        sum.resize(std::size_t(actions.cols), 0.0);
        for (std::int64_t t = 0; t < actions.rows; ++t, ++rows)
            for (int d = 0; d < actions.cols; ++d)
                sum[std::size_t(d)] += actions.at(t, d);
    }
    for (auto &s : sum)
        s /= double(std::max<std::int64_t>(1, rows));
    return sum;
}

} // namespace

int main(int argc, char **argv)
{
    using namespace grids;
    if (argc < 4) {
        std::fprintf(stderr, "usage: open_loop_error TRAIN.hdf5 HELDOUT.hdf5 CHECKPOINT[@K] …\n");
        return 2;
    }
    auto train = openEpisodeFile(argv[1]);
    const std::vector<double> mean = meanAction(*train);
    auto heldOut = openEpisodeFile(argv[2]);
    const std::vector<float> meanRow(mean.begin(), mean.end());

    double meanL1 = 0;
    std::int64_t frames = 0;
    for (std::size_t e = 0; e < heldOut->episodes().size(); ++e) {
        const Track actions = heldOut->actions(e);
        for (std::int64_t t = 0; t < actions.rows; ++t, ++frames)
            meanL1 += actionError(meanRow, actions.row(t)).l1;
    }
    std::printf("%-40s %8s %10s\n", "predictor", "budget", "L1");
    std::printf("%-40s %8s %10.4f\n", "training mean", "-", meanL1 / double(frames));

    for (int a = 3; a < argc; ++a) {
        std::string path = argv[a];
        int budget = 0;
        if (const auto at = path.rfind('@'); at != std::string::npos) {
            budget = std::atoi(path.c_str() + at + 1);
            path.resize(at);
        }
        auto policy = Policy::load(path);
        const std::string method = policy->info().ownMethod();
        if (budget == 0)
            budget = policy->info().budgetDefault;
        double l1 = 0;
        std::int64_t n = 0;
        for (std::size_t e = 0; e < heldOut->episodes().size(); ++e) {
            const EpisodeInfo &info = heldOut->episodes()[e];
            const Track actions = heldOut->actions(e);
            for (std::int64_t t = 0; t < info.length; ++t, ++n) {
                const FrameResult result =
                    policy->run(heldOut->frame(e, t), info.views, method, budget);
                l1 += actionError(result.actions.row(0), actions.row(t)).l1;
            }
        }
        std::printf("%-40s %8s %10.4f\n", path.c_str(),
                    method == "dense" ? "dense" : std::to_string(budget).c_str(),
                    l1 / double(std::max<std::int64_t>(1, n)));
    }
    return 0;
}
