// Benchmark (run on request): time per frame by stage (encode, select, act) for dense and for
// GridS at 4, 16 and 64 tokens per view, as ratios against dense, from one run.
//
//   ./build/tests/bench/bench_policy_stages [EPISODES_FILE] [FRAMES]
//
// Uses freshly initialised checkpoints of the project's architecture as the bundled ones are made
// (with the object readout and marks; timing does not depend on the weights) and the bundled
// demo's frames, which record the object positions that the readout's training needs.

#include "episodes/episode.h"
#include "model/policy.h"
#include "train/trainer.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>

int main(int argc, char **argv)
{
    using namespace grids;
    const std::string episodes =
        argc > 1 ? argv[1] : std::string(GRIDS_SOURCE_DIR "/datasets/tabletop/tabletop_demo.hdf5");
    const int frames = argc > 2 ? std::atoi(argv[2]) : 40;
    const auto dir = std::filesystem::temp_directory_path();

    // One optimiser step each: enough to write a checkpoint of the real architecture.
    auto make = [&](const std::string &kind, int nested) {
        train::TrainOptions o;
        o.data = {episodes};
        o.kind = kind;
        o.nestedMax = nested;
        o.objectWeight = 1;
        o.steps = 1;
        o.batch = 2;
        o.out = (dir / ("bench_" + kind + ".pt")).string();
        train::trainPolicy(o);
        return o.out;
    };
    auto dense = Policy::load(make("dense", 0));
    auto grids = Policy::load(make("grids", 64));

    auto file = openEpisodeFile(episodes);
    std::vector<Frame> loaded;
    for (int t = 0; t < frames; ++t)
        loaded.push_back(file->frame(0, t % file->episodes()[0].length));
    const auto &views = file->episodes()[0].views;

    struct Stages
    {
        double encode = 0, select = 0, act = 0;
        double total() const { return encode + select + act; }
    };
    auto measure = [&](Policy &policy, const std::string &method, int budget) {
        Stages s;
        policy.run(loaded[0], views, method, budget); // warm-up
        for (const Frame &frame : loaded) {
            const FrameResult r = policy.run(frame, views, method, budget);
            s.encode += r.encodeMs;
            s.select += r.selectMs;
            s.act += r.actMs;
        }
        s.encode /= frames;
        s.select /= frames;
        s.act /= frames;
        return s;
    };
    const Stages base = measure(*dense, "dense", 0);
    std::printf("%d frames, 2 views 128x128, ms per frame (ratio to dense total)\n", frames);
    std::printf("%-10s %8s %8s %8s %8s %7s\n", "method", "encode", "select", "act", "total",
                "ratio");
    auto print = [&](const char *name, const Stages &s) {
        std::printf("%-10s %8.2f %8.2f %8.2f %8.2f %6.2fx\n", name, s.encode, s.select, s.act,
                    s.total(), s.total() / base.total());
    };
    print("dense", base);
    for (int k : {4, 16, 64}) {
        char name[16];
        std::snprintf(name, sizeof name, "grids%d", k);
        print(name, measure(*grids, "grids", k));
    }
    // The encoder is cached per frame: re-running a frame at another budget costs only this.
    Stages cached;
    for (const Frame &frame : loaded) {
        grids->run(frame, views, "grids", 16, "key");
        const FrameResult r = grids->run(frame, views, "grids", 4, "key");
        cached.select += r.selectMs / frames;
        cached.act += r.actMs / frames;
    }
    print("cached", cached);
    return 0;
}
