// Benchmark (run on request): throughput of `make-dataset` and where its time goes.
//
//   ./build/tests/bench/bench_make_dataset [EPISODES] [THREADS]
//
// Generates EPISODES scripted demonstrations of every task family and reports frames per second
// (a frame = one control step with both 128×128 camera views) and the share of worker time spent
// in physics, rendering, scene building and the rest (expert, waiting), plus the writer's time on
// the main thread.

#include "sim/dataset_generation.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

int main(int argc, char **argv)
{
    using namespace grids::sim;
    DatasetOptions options;
    options.tasks = allTaskFamilies();
    options.episodes = argc > 1 ? std::atoi(argv[1]) : 40;
    options.threads = argc > 2 ? std::atoi(argv[2]) : int(std::thread::hardware_concurrency());
    options.seed = 7;
    options.out = (std::filesystem::temp_directory_path() / "grids_bench_dataset.hdf5").string();

    const DatasetReport r = makeDataset(options);
    const double workerSeconds = r.wallSeconds * options.threads;
    const double other = workerSeconds - r.physicsSeconds - r.renderSeconds - r.resetSeconds;
    std::printf("%d episodes (%d attempts), %lld frames, %d threads, %.1f s wall, %.1f MB\n",
                r.written, r.attempts, static_cast<long long>(r.frames), options.threads,
                r.wallSeconds, double(std::filesystem::file_size(options.out)) / 1e6);
    std::printf("throughput: %.1f frames/s (both cameras), %.2f episodes/s\n",
                double(r.frames) / r.wallSeconds, r.written / r.wallSeconds);
    std::printf("share of worker time: physics %.0f%%, rendering %.0f%%, scene building %.0f%%, "
                "other %.0f%%\n",
                100 * r.physicsSeconds / workerSeconds, 100 * r.renderSeconds / workerSeconds,
                100 * r.resetSeconds / workerSeconds, 100 * other / workerSeconds);
    std::printf("writing (main thread, overlapped with workers): %.1f s = %.0f%% of wall time\n",
                r.writeSeconds, 100 * r.writeSeconds / r.wallSeconds);
    std::filesystem::remove(options.out);
    return 0;
}
