// Benchmark (run on request): a sweep of every method × five budgets against a dense-only pass
// over the same frames, from one run, and the cost of each extra (method, budget) as a share of
// one dense frame (encoder + dense head).
//
//   ./build/tests/bench/bench_sweep CHECKPOINT EPISODES [EVERY]

#include "eval/sweep.h"
#include "model/policy.h"
#include "selectors/selector.h"
#include "store/workspace.h"

#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <filesystem>

int main(int argc, char **argv)
{
    using namespace grids;
    if (argc < 3) {
        std::fprintf(stderr, "usage: bench_sweep CHECKPOINT EPISODES [EVERY]\n");
        return 2;
    }
    const auto dir = std::filesystem::temp_directory_path() / "grids-bench-sweep";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    SweepOptions options;
    options.episodesPath = argv[2];
    options.every = argc > 3 ? std::atoi(argv[3]) : 4;

    // Processor time as well as wall time: on a shared machine the processor time of a
    // one-thread run (OMP_NUM_THREADS=1) is what the work costs, whatever else runs.
    const auto cpuSeconds = [] { return double(std::clock()) / CLOCKS_PER_SEC; };
    auto densePolicy = Policy::load(argv[1]);
    Workspace denseDb((dir / "dense.sqlite").string());
    options.methods = {"dense"};
    options.budgets = {16};
    double cpu = cpuSeconds();
    const SweepResult dense = runSweep(*densePolicy, denseDb, options);
    const double denseCpu = cpuSeconds() - cpu;
    const double denseFrameMs = 1000.0 * dense.seconds / double(dense.framesRun);

    auto policy = Policy::load(argv[1]);
    Workspace allDb((dir / "all.sqlite").string());
    options.methods = selectors::methodNames();
    options.budgets = {1, 4, 16, 64, 128};
    cpu = cpuSeconds();
    const SweepResult all = runSweep(*policy, allDb, options);
    const double allCpu = cpuSeconds() - cpu;

    std::printf("%lld frames; dense-only sweep %.2f s (%.2f ms/frame); all methods x 5 budgets "
                "%.2f s: %.2fx the dense-only pass, %zu encoder passes\n",
                static_cast<long long>(dense.framesRun), dense.seconds, denseFrameMs,
                all.seconds, all.seconds / dense.seconds, all.encoderCalls);
    std::printf("processor time: dense-only %.2f s, all %.2f s: %.2fx\n", denseCpu, allCpu,
                allCpu / denseCpu);
    std::printf("%-10s %6s %12s %12s\n", "method", "tokens", "select+act", "share of a");
    std::printf("%-10s %6s %12s %12s\n", "", "", "ms/frame", "dense frame");
    for (const auto &c : all.configs) {
        if (c.status != "ran")
            continue;
        const double ms = c.meanSelectMs + c.meanActMs;
        std::printf("%-10s %6d %12.2f %11.1f%%\n", c.method.c_str(), c.budget, ms,
                    100.0 * ms / denseFrameMs);
    }
    std::filesystem::remove_all(dir);
    return 0;
}
