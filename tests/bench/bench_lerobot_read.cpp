// Benchmark (run on request, not by ctest): how fast a LeRobot v3.0 dataset opens and its frames
// read (parquet row + decoded AV1 frame per camera), against the LIBERO HDF5 reader on the same
// frames, as ratios measured in one run.
//
//   node tests/parquet_writers/make_lerobot_dataset.mjs /tmp/lerobot1000 --version v3.0 \
//        --ffmpeg ffmpeg --episodes 1000 --length 20 --episodes-per-file 100
//   cmake -DGRIDS_BUILD_BENCHMARKS=ON … && ./build/tests/bench/bench_lerobot_read /tmp/lerobot1000 [EPISODES]
//
// Opens the dataset (metadata: info.json and the episodes parquet; plus the first frame, which
// the reader checks against meta/), reads every frame of EPISODES episodes (default 10) in order
// and the same frames in random order, each pass on a newly opened reader; then writes those frames to a LIBERO file (gzip level 4,
// as the project's writer does) and reads them the same two ways.

#include "episodes/episode.h"
#include "episodes/lerobot_meta.h"
#include "episodes/libero_hdf5_writer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>

namespace {

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

struct Timing
{
    double sequential = 0, random = 0;
};

// Reads the (episode, frame) pairs in order, then shuffled, each pass on a freshly opened reader
// (no cache warm from the other pass); seconds for each.
Timing readAll(const std::string &path, const std::vector<std::pair<std::size_t, std::int64_t>> &frames)
{
    Timing timing;
    {
        auto file = grids::openEpisodeFile(path);
        const auto start = std::chrono::steady_clock::now();
        for (const auto &[e, t] : frames)
            file->frame(e, t);
        timing.sequential = secondsSince(start);
    }
    auto shuffled = frames;
    std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(3));
    auto file = grids::openEpisodeFile(path);
    const auto start = std::chrono::steady_clock::now();
    for (const auto &[e, t] : shuffled)
        file->frame(e, t);
    timing.random = secondsSince(start);
    return timing;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_lerobot_read DATASET_DIR [EPISODES] (see the comment at the top)\n");
        return 2;
    }
    const std::string dataset = argv[1];
    const int episodes = argc > 2 ? std::atoi(argv[2]) : 10;

    auto start = std::chrono::steady_clock::now();
    grids::readLeRobotMeta(dataset);
    const double metaSeconds = secondsSince(start);
    start = std::chrono::steady_clock::now();
    auto lerobot = grids::openEpisodeFile(dataset);
    const double openSeconds = secondsSince(start);
    const auto &infos = lerobot->episodes();
    std::vector<std::pair<std::size_t, std::int64_t>> frames;
    // Episodes spread over the dataset (so over its data files and shared videos).
    const std::size_t stride = std::max<std::size_t>(1, infos.size() / std::size_t(episodes));
    for (std::size_t e = 0; e < infos.size() && frames.size() < std::size_t(episodes) * 1000; e += stride) {
        if (int(e / stride) >= episodes)
            break;
        for (std::int64_t t = 0; t < infos[e].length; ++t)
            frames.push_back({e, t});
    }
    const Timing lerobotTiming = readAll(dataset, frames);

    // The same frames as a LIBERO file.
    const std::string hdf5 = (std::filesystem::temp_directory_path() / "grids_bench_lerobot.hdf5").string();
    std::vector<std::pair<std::size_t, std::int64_t>> hdf5Frames;
    {
        grids::LiberoFileAttributes attributes;
        attributes.instruction = "benchmark";
        grids::LiberoHdf5Writer writer(hdf5, attributes);
        std::size_t demo = 0;
        for (std::size_t i = 0; i < frames.size();) {
            const std::size_t e = frames[i].first;
            grids::DemoRecord record;
            for (const auto &view : infos[e].views)
                record.viewNames.push_back(view.name);
            record.frames.resize(record.viewNames.size());
            record.actions = lerobot->actions(e);
            record.lowDim.push_back({"state", *lerobot->lowDim(e, "observation.state")});
            for (; i < frames.size() && frames[i].first == e; ++i) {
                const grids::Frame frame = lerobot->frame(e, frames[i].second);
                for (std::size_t v = 0; v < frame.views.size(); ++v)
                    record.frames[v].push_back(frame.views[v]);
                hdf5Frames.push_back({demo, frames[i].second});
            }
            writer.addDemo(record);
            ++demo;
        }
        writer.finish();
    }
    start = std::chrono::steady_clock::now();
    grids::openEpisodeFile(hdf5);
    const double hdf5OpenSeconds = secondsSince(start);
    const Timing hdf5Timing = readAll(hdf5, hdf5Frames);
    std::filesystem::remove(hdf5);

    const double n = double(frames.size());
    std::printf("dataset: %s, %zu episodes; %zu frames read (%d episodes), views", dataset.c_str(), infos.size(),
                frames.size(), episodes);
    for (const auto &view : infos.front().views)
        std::printf(" %s %dx%d", view.name.c_str(), view.width, view.height);
    std::printf("\n");
    std::printf("meta/ only (info.json, episodes parquet): %.1f ms\n", metaSeconds * 1e3);
    std::printf("open, metadata + first frame:  LeRobot %8.1f ms   LIBERO HDF5 %8.1f ms  (%.1fx)\n",
                openSeconds * 1e3, hdf5OpenSeconds * 1e3, openSeconds / hdf5OpenSeconds);
    std::printf("frames/s in order:             LeRobot %8.0f      LIBERO HDF5 %8.0f     (%.2fx HDF5's time)\n",
                n / lerobotTiming.sequential, n / hdf5Timing.sequential,
                lerobotTiming.sequential / hdf5Timing.sequential);
    std::printf("frames/s in random order:      LeRobot %8.0f      LIBERO HDF5 %8.0f     (%.2fx HDF5's time)\n",
                n / lerobotTiming.random, n / hdf5Timing.random, lerobotTiming.random / hdf5Timing.random);
    return 0;
}
