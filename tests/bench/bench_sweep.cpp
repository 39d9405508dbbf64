// Benchmark (run on request): a sweep of every method × five budgets against a dense-only pass
// over the same frames, from one run, and the cost of each extra (method, budget) as a share of
// one dense frame (encoder + dense head).
//
//   ./build/tests/bench/bench_sweep CHECKPOINT EPISODES [EVERY [REPEATS]]

#include "eval/sweep.h"
#include "model/policy.h"
#include "selectors/selector.h"
#include "store/workspace.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <filesystem>

int main(int argc, char **argv)
{
    using namespace grids;
    if (argc < 3) {
        std::fprintf(stderr, "usage: bench_sweep CHECKPOINT EPISODES [EVERY [REPEATS]]\n");
        return 2;
    }
    const auto dir = std::filesystem::temp_directory_path() / "grids-bench-sweep";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    SweepOptions options;
    options.episodesPath = argv[2];
    options.every = argc > 3 ? std::atoi(argv[3]) : 4;

    // Processor time as well as wall time: on a shared machine the processor time of a
    // one-thread run (OMP_NUM_THREADS=1) is what the work costs, whatever else runs. Each pass
    // runs REPEATS times, alternating, and the fastest of each counts (this machine is noisy).
    const int repeats = argc > 4 ? std::max(1, std::atoi(argv[4])) : 3;
    const auto cpuSeconds = [] { return double(std::clock()) / CLOCKS_PER_SEC; };
    SweepOptions denseOptions = options;
    denseOptions.methods = {"dense"};
    denseOptions.budgets = {16};
    options.methods = selectors::methodNames();
    options.budgets = {1, 4, 16, 64, 128};
    double denseCpu = 1e30, allCpu = 1e30;
    SweepResult dense, all;
    for (int r = 0; r < repeats; ++r) {
        // A fresh policy and workspace per pass: a policy caches encoder outputs, and a sweep
        // skips configurations its workspace already has.
        auto densePolicy = Policy::load(argv[1]);
        auto policy = Policy::load(argv[1]);
        const std::string tag = std::to_string(r);
        Workspace denseDb((dir / ("dense" + tag + ".sqlite")).string());
        double cpu = cpuSeconds();
        SweepResult d = runSweep(*densePolicy, denseDb, denseOptions);
        denseCpu = std::min(denseCpu, cpuSeconds() - cpu);
        if (r == 0 || d.seconds < dense.seconds)
            dense = d;
        Workspace allDb((dir / ("all" + tag + ".sqlite")).string());
        cpu = cpuSeconds();
        SweepResult a = runSweep(*policy, allDb, options);
        allCpu = std::min(allCpu, cpuSeconds() - cpu);
        if (r == 0 || a.seconds < all.seconds)
            all = a;
    }
    const double denseFrameMs = 1000.0 * dense.seconds / double(dense.framesRun);

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
