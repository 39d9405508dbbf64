// Benchmark (run on request, not by ctest): how fast episodes open and frames read.
//
//   cmake -DGRIDS_BUILD_BENCHMARKS=ON … && ./build/tests/bench/bench_episode_read [DEMOS] [FRAMES]
//
// Writes a LIBERO file of DEMOS demos × FRAMES frames (two 128×128 views, gzip), then reports the
// time to open it (metadata only), to read every frame of one episode sequentially, and to read
// the same frames in random order, as ratios measured in one run.

#include "episodes/episode.h"
#include "episodes/libero_hdf5_writer.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <numeric>
#include <random>

namespace {

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

grids::DemoRecord syntheticDemo(int frames, std::mt19937 &rng)
{
    grids::DemoRecord demo;
    demo.viewNames = {"agentview_rgb", "eye_in_hand_rgb"};
    demo.frames.resize(2);
    cv::Mat coarse(16, 16, CV_8UC3), base;
    cv::randu(coarse, 0, 255);
    cv::resize(coarse, base, cv::Size(128, 128), 0, 0, cv::INTER_LINEAR); // smooth, like a scene
    for (int v = 0; v < 2; ++v)
        for (int t = 0; t < frames; ++t) {
            cv::Mat frame = base.clone();
            frame += cv::Scalar(t % 50, v * 20, int(rng() % 10));
            demo.frames[std::size_t(v)].push_back(frame);
        }
    demo.actions = {frames, 7, std::vector<float>(std::size_t(frames) * 7, 0.1f)};
    for (const char *key : {"ee_pos", "ee_ori"})
        demo.lowDim.push_back({key, {frames, 3, std::vector<float>(std::size_t(frames) * 3)}});
    demo.lowDim.push_back(
        {"gripper_states", {frames, 2, std::vector<float>(std::size_t(frames) * 2)}});
    return demo;
}

} // namespace

int main(int argc, char **argv)
{
    const int demos = argc > 1 ? std::atoi(argv[1]) : 50;
    const int frames = argc > 2 ? std::atoi(argv[2]) : 120;
    const std::string path =
        (std::filesystem::temp_directory_path() / "grids_bench_episodes.hdf5").string();

    std::mt19937 rng(1);
    auto start = std::chrono::steady_clock::now();
    {
        grids::LiberoFileAttributes attributes;
        attributes.instruction = "benchmark";
        grids::LiberoHdf5Writer writer(path, attributes);
        for (int d = 0; d < demos; ++d)
            writer.addDemo(syntheticDemo(frames, rng));
        writer.finish();
    }
    const double writeSeconds = secondsSince(start);
    const double megabytes = double(std::filesystem::file_size(path)) / 1e6;

    start = std::chrono::steady_clock::now();
    auto file = grids::openEpisodeFile(path);
    const double openSeconds = secondsSince(start);

    const std::size_t episode = file->episodes().size() / 2;
    start = std::chrono::steady_clock::now();
    for (int t = 0; t < frames; ++t)
        file->frame(episode, t);
    const double sequentialSeconds = secondsSince(start);

    std::vector<int> order(static_cast<std::size_t>(frames));
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    start = std::chrono::steady_clock::now();
    for (int t : order)
        file->frame(episode, t);
    const double randomSeconds = secondsSince(start);

    const double perFrame = sequentialSeconds / frames;
    std::printf("file: %d demos x %d frames, 2 views 128x128, %.1f MB (written in %.2f s, "
                "%.0f frames/s)\n",
                demos, frames, megabytes, writeSeconds, demos * frames / writeSeconds);
    std::printf("open (metadata only):      %8.2f ms  = %6.2f frame reads\n", openSeconds * 1e3,
                openSeconds / perFrame);
    std::printf("sequential frame read:     %8.3f ms/frame (%.0f frames/s, both views + state "
                "+ action)\n",
                perFrame * 1e3, 1.0 / perFrame);
    std::printf("random-order frame read:   %8.3f ms/frame (%.2fx sequential)\n",
                randomSeconds / frames * 1e3, randomSeconds / sequentialSeconds);
    std::filesystem::remove(path);
    return 0;
}
