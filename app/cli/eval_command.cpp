#include "eval_command.h"

#include "cli_support.h"
#include "common/error.h"
#include "eval/closed_loop.h"
#include "model/policy.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

namespace grids::cli {
namespace {

struct EvalOptions
{
    std::string checkpoint, suite, method, recordFailures, device = "cpu";
    int episodes = 20, budget = 0, replan = 4;
    std::uint64_t seed = 0;
    bool json = false, quiet = false;
};

nlohmann::json rateJson(const SuccessRate &r)
{
    return {{"successes", r.successes},
            {"episodes", r.episodes},
            {"rate", r.rate},
            {"ci95", {r.low, r.high}},
            {"mean_steps_to_success", r.meanStepsToSuccess}};
}

void runEval(const EvalOptions &o)
{
    auto policy = Policy::load(o.checkpoint, o.device);
    const CheckpointInfo &info = policy->info();
    ClosedLoopOptions options;
    options.tasks = sim::parseSuite(o.suite);
    options.episodesPerTask = o.episodes;
    options.seed = o.seed;
    options.method = !o.method.empty() ? o.method : info.isGrids() ? "grids" : "dense";
    options.budget = o.budget > 0 ? o.budget : info.budgetDefault;
    options.replanEvery = o.replan;
    options.recordFailures = o.recordFailures;
    ClosedLoopResult result;
    {
        ProgressPrinter printer(o.quiet);
        result = evaluateClosedLoop(*policy, options, printer.progress());
    }
    const int tokens = options.method == "dense" ? info.cellsPerView() : options.budget;
    if (o.json) {
        nlohmann::json tasks = nlohmann::json::object();
        for (std::size_t i = 0; i < result.tasks.size(); ++i)
            tasks[sim::taskName(result.tasks[i])] = rateJson(result.perTask[i]);
        std::cout << nlohmann::json({{"checkpoint", info.path},
                                     {"checkpoint_sha256", info.sha256},
                                     {"method", options.method},
                                     {"tokens_per_view", tokens},
                                     {"seed", o.seed},
                                     {"tasks", tasks},
                                     {"overall", rateJson(result.overall)},
                                     {"failures_recorded", result.failuresRecorded},
                                     {"seconds", result.seconds}})
                         .dump(2)
                  << std::endl;
    } else {
        std::printf("%s, %s at %d tokens/view, seed %llu\n", info.path.c_str(),
                    options.method.c_str(), tokens, static_cast<unsigned long long>(o.seed));
        auto line = [](const std::string &name, const SuccessRate &r) {
            std::printf("  %-14s %3d/%-3d %5.1f%%  [%5.1f, %5.1f]\n", name.c_str(), r.successes,
                        r.episodes, 100 * r.rate, 100 * r.low, 100 * r.high);
        };
        for (std::size_t i = 0; i < result.tasks.size(); ++i)
            line(sim::taskName(result.tasks[i]), result.perTask[i]);
        line("overall", result.overall);
        if (result.failuresRecorded > 0)
            std::printf("  %d failed episodes recorded to %s\n", result.failuresRecorded,
                        o.recordFailures.c_str());
        std::fflush(stdout);
    }
    if (result.interrupted)
        throw Error(Error::Kind::Cancelled, "interrupted; the rates above cover the episodes run");
}

} // namespace

void addEvalCommand(CLI::App &app)
{
    auto o = std::make_shared<EvalOptions>();
    CLI::App *command = app.add_subcommand(
        "eval", "Closed-loop success rates of a checkpoint in the tabletop simulator");
    command->add_option("--checkpoint", o->checkpoint, "checkpoint .pt")->required();
    command->add_option("--suite", o->suite, "tabletop or tabletop/TASK")->required();
    command->add_option("--episodes", o->episodes, "episodes per task (default 20)")
        ->check(CLI::Range(1, 100000));
    command->add_option("--method", o->method, "dense or grids (default: the checkpoint's own)");
    command->add_option("--budget", o->budget, "tokens per view (default: the checkpoint's)");
    command->add_option("--seed", o->seed, "seed of the evaluation layouts");
    command->add_option("--replan", o->replan, "actions executed per predicted chunk (default 4)")
        ->check(CLI::Range(1, 1000));
    command->add_option("--record-failures", o->recordFailures,
                        "write failed episodes to this .hdf5 (LIBERO layout, success = 0)");
    command->add_option("--device", o->device, "cpu (default) or cuda");
    command->add_flag("--json", o->json, "print the results as JSON");
    command->add_flag("--quiet", o->quiet, "no progress output");
    command->callback([o] { runEval(*o); });
}

} // namespace grids::cli
