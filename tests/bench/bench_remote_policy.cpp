// Benchmark (run on request, not by ctest): a policy server against the same checkpoint run
// locally, frame by frame over the same frames: frames per second and per-frame latency.
//
//   python3 app/policy_server/grids_policy_server.py datasets/checkpoints/tabletop-grids16.pt --port 8765 &
//   cmake -DGRIDS_BUILD_BENCHMARKS=ON … && ./build/tests/bench/bench_remote_policy \
//        datasets/checkpoints/tabletop-grids16.pt ws://127.0.0.1:8765 datasets/tabletop [FRAMES]
//
// Both run GridS at the checkpoint's default budget with encoder caching off (every frame is new
// to both), frame by frame (latency) and as `grids sweep` does (grids at 4, 16 and dense over the
// episodes file; frames/s of the whole sweep, workspace writes included); the server runs torch on 1 thread by default, so the local side is set to 1 thread too
// (OMP_NUM_THREADS=1) unless the environment says otherwise.

#include "episodes/episode.h"
#include "eval/sweep.h"
#include "remote/remote_policy.h"
#include "store/workspace.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <vector>

namespace {

struct Timing
{
    double seconds = 0;
    std::vector<double> perFrameMs;
};

double percentile(std::vector<double> values, double p)
{
    std::sort(values.begin(), values.end());
    return values.empty() ? 0 : values[std::size_t(p * double(values.size() - 1))];
}

Timing run(grids::Policy &policy, const std::vector<grids::Frame> &frames, const std::vector<grids::ViewInfo> &views)
{
    const auto &info = policy.info();
    Timing timing;
    const auto start = std::chrono::steady_clock::now();
    for (const auto &frame : frames) {
        const auto t0 = std::chrono::steady_clock::now();
        policy.run(frame, views, info.ownMethod(), info.budgetDefault);
        timing.perFrameMs.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    timing.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return timing;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 4) {
        std::fprintf(stderr, "usage: bench_remote_policy CHECKPOINT ws://HOST:PORT EPISODES [FRAMES]\n");
        return 2;
    }
    ::setenv("OMP_NUM_THREADS", "1", /*overwrite=*/0);
    const int count = argc > 4 ? std::atoi(argv[4]) : 200;
    auto opened = grids::openEpisodes(argv[3]);
    std::vector<grids::Frame> frames;
    std::vector<grids::ViewInfo> views;
    for (const auto &file : opened.files)
        for (std::size_t e = 0; e < file->episodes().size() && int(frames.size()) < count; ++e) {
            views = file->episodes()[e].views;
            for (std::int64_t t = 0; t < file->episodes()[e].length && int(frames.size()) < count; ++t)
                frames.push_back(file->frame(e, t));
        }
    auto local = grids::Policy::load(argv[1], "cpu", /*cacheBytes=*/0);
    auto remote = grids::connectPolicyServer(argv[2]);
    run(*local, {frames.front()}, views); // warm-up
    run(*remote, {frames.front()}, views);
    const Timing l = run(*local, frames, views), r = run(*remote, frames, views);
    std::printf("%zu frames, %s at %d tokens/view\n", frames.size(), local->info().ownMethod().c_str(),
                local->info().budgetDefault);
    std::printf("local:  %7.1f frames/s   per frame median %6.2f ms, p95 %6.2f ms\n", double(frames.size()) / l.seconds,
                percentile(l.perFrameMs, 0.5), percentile(l.perFrameMs, 0.95));
    std::printf("server: %7.1f frames/s   per frame median %6.2f ms, p95 %6.2f ms   (%.2fx the local time)\n",
                double(frames.size()) / r.seconds, percentile(r.perFrameMs, 0.5), percentile(r.perFrameMs, 0.95),
                r.seconds / l.seconds);

    // The same as sweeps: every frame of the file, three configurations, stored in a workspace.
    auto sweep = [&](grids::Policy &policy, const char *name) {
        const auto db = std::filesystem::temp_directory_path() / (std::string("grids_bench_") + name + ".sqlite");
        std::filesystem::remove(db);
        grids::Workspace workspace(db.string());
        grids::SweepOptions options;
        options.episodesPath = argv[3];
        options.methods = {"grids", "dense"};
        options.budgets = {4, 16};
        const grids::SweepResult result = grids::runSweep(policy, workspace, options, {});
        std::filesystem::remove(db);
        return result;
    };
    const grids::SweepResult localSweep = sweep(*local, "local"), remoteSweep = sweep(*remote, "remote");
    std::printf("sweep (grids@4, grids@16, dense; %lld frames): local %.1f frames/s, server %.1f frames/s (%.2fx the local time)\n",
                static_cast<long long>(localSweep.framesRun), double(localSweep.framesRun) / localSweep.seconds,
                double(remoteSweep.framesRun) / remoteSweep.seconds, remoteSweep.seconds / localSweep.seconds);
    return 0;
}
