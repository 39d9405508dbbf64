// Tool (run on request): runs the scripted expert on the first seeds of every task family,
// prints its success rate, and saves a contact sheet per family: both cameras at evenly spaced
// steps of one episode, to look at what the simulator renders.
//
//   ./build/tests/bench/sim_contact_sheet OUT_DIR [SEEDS]

#include "sim/rollout.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

using namespace grids::sim;

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: sim_contact_sheet OUT_DIR [SEEDS]\n");
        return 2;
    }
    const std::string outDir = argv[1];
    const int seeds = argc > 2 ? std::atoi(argv[2]) : 10;
    TabletopEnv env;
    for (TaskFamily task : allTaskFamilies()) {
        int successes = 0, steps = 0;
        for (int seed = 0; seed < seeds; ++seed) {
            const TaskLayout layout = sampleLayout(task, std::uint64_t(seed));
            RolloutOptions options;
            options.record = seed == 0;
            const RolloutResult result =
                runRollout(env, layout, expertPolicy(env, layout, 1000 + seed), options);
            successes += result.success;
            steps += result.steps;
            if (!result.success)
                std::printf("  %s seed %d failed after %d steps\n", taskName(task).c_str(), seed,
                            result.steps);
            if (!result.episode)
                continue;
            auto frames = result.episode->frames;
            // Mark where the simulator projects each object in the first frames, to check the
            // camera model against the pictures.
            env.reset(layout);
            const SimState state = env.simState();
            for (std::size_t i = 0; i < layout.objects.size(); ++i)
                for (int v = 0; v < 2; ++v)
                    if (auto p = env.project(v, state.objectPos[i]))
                        cv::drawMarker(frames[std::size_t(v)][0],
                                       cv::Point(int((*p)[0] * 128), int((*p)[1] * 128)),
                                       cv::Scalar(255, 0, 255), cv::MARKER_CROSS, 6, 1);
            const int columns = 8, T = int(frames[0].size());
            cv::Mat sheet(2 * 128, columns * 128, CV_8UC3, cv::Scalar(0, 0, 0));
            for (int c = 0; c < columns; ++c) {
                const int t = std::min(T - 1, c * T / (columns - 1));
                for (int v = 0; v < 2; ++v) {
                    cv::Mat bgr;
                    cv::cvtColor(frames[std::size_t(v)][std::size_t(t)], bgr, cv::COLOR_RGB2BGR);
                    bgr.copyTo(sheet(cv::Rect(c * 128, v * 128, 128, 128)));
                }
            }
            cv::Mat big;
            cv::resize(sheet, big, cv::Size(), 1.5, 1.5, cv::INTER_NEAREST);
            cv::imwrite(outDir + "/" + taskName(task) + ".png", big);
            std::printf("%s: \"%s\", %d steps\n", taskName(task).c_str(),
                        layout.instruction.c_str(), T);
        }
        std::printf("%-14s expert success %d/%d, mean %.0f steps\n", taskName(task).c_str(),
                    successes, seeds, double(steps) / seeds);
    }
    return 0;
}
