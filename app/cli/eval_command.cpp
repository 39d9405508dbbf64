#include "eval_command.h"

#include "cli_support.h"
#include "slurm.h"
#include "common/error.h"
#include "eval/closed_loop.h"
#include "eval/report.h"
#include "model/policy.h"
#include "store/workspace.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

namespace grids::cli {
namespace {

struct EvalOptions
{
    PolicySource source;
    std::string suite, recordFailures, db, shard, device = "cpu";
    std::vector<std::string> methods;
    std::vector<int> budgets;
    int episodes = 20, replan = 4;
    std::uint64_t seed = 0;
    bool json = false, quiet = false, force = false;
    SlurmOptions slurm;
};

nlohmann::json rateJson(const SuccessRate &r)
{
    return {{"successes", r.successes},
            {"episodes", r.episodes},
            {"rate", r.rate},
            {"ci95", {r.low, r.high}},
            {"mean_steps_to_success", r.meanStepsToSuccess}};
}

nlohmann::json outcomeJson(const EvaluationOutcome &o)
{
    nlohmann::json tasks = nlohmann::json::object();
    for (std::size_t i = 0; i < o.result.tasks.size(); ++i)
        tasks[sim::taskName(o.result.tasks[i])] = rateJson(o.result.perTask[i]);
    return {{"method", o.config.method},
            {"tokens_per_view", o.config.budget},
            {"status", o.status},
            {"reason", o.config.notApplicable},
            {"run_id", o.runId},
            {"tasks", tasks},
            {"overall", rateJson(o.result.overall)},
            {"failures_recorded", o.result.failuresRecorded},
            {"seconds", o.result.seconds}};
}

void printOutcome(const EvaluationOutcome &o)
{
    if (o.status == "not_applicable") {
        std::printf("%s at %d tokens/view: not applicable (%s)\n", o.config.method.c_str(),
                    o.config.budget, o.config.notApplicable.c_str());
        return;
    }
    std::printf("%s at %d tokens/view%s\n", o.config.method.c_str(), o.config.budget,
                o.status == "found" ? " (found in the workspace)" : "");
    auto line = [](const std::string &name, const SuccessRate &r) {
        std::printf("  %-14s %3d/%-3d %5.1f%%  [%5.1f, %5.1f]\n", name.c_str(), r.successes,
                    r.episodes, 100 * r.rate, 100 * r.low, 100 * r.high);
    };
    for (std::size_t i = 0; i < o.result.tasks.size(); ++i)
        line(sim::taskName(o.result.tasks[i]), o.result.perTask[i]);
    line("overall", o.result.overall);
}

void runEval(EvalOptions &o)
{
    if (o.slurm.enabled)
        return runOnSlurm(o.db, o.slurm);
    auto policy = openPolicySource(o.source, o.device);
    const CheckpointInfo &info = policy->info();
    if (o.methods.empty())
        o.methods = {info.ownMethod()};
    if (o.budgets.empty())
        o.budgets = {info.budgetDefault > 0 ? info.budgetDefault : 16};
    ClosedLoopOptions base;
    base.tasks = sim::parseSuite(o.suite);
    base.episodesPerTask = o.episodes;
    base.seed = o.seed;
    base.replanEvery = o.replan;
    base.shard = parseShard(o.shard);
    const std::vector<SweepConfig> configs = sweepConfigs(*policy, o.methods, o.budgets);
    if (!o.recordFailures.empty() && configs.size() != 1)
        throw usageError("--record-failures needs a single method and budget");
    std::unique_ptr<Workspace> workspace =
        o.db.empty() ? nullptr : std::make_unique<Workspace>(o.db);

    base.recordFailures = o.recordFailures;
    // One progress line per configuration, ended before its outcome is printed.
    std::unique_ptr<ProgressPrinter> printer;
    EvaluationHooks hooks;
    hooks.progressFor = [&](const SweepConfig &) {
        printer = std::make_unique<ProgressPrinter>(o.quiet);
        return printer->progress();
    };
    hooks.finished = [&](const EvaluationOutcome &outcome) {
        printer.reset();
        if (!o.json)
            printOutcome(outcome);
        std::fflush(stdout);
    };
    const std::vector<EvaluationOutcome> outcomes =
        evaluateConfigs(*policy, workspace.get(), base, configs, o.suite, o.force, hooks);
    const bool interrupted = !outcomes.empty() && outcomes.back().result.interrupted;
    if (o.json) {
        nlohmann::json doc = {{"checkpoint", info.path},
                              {"checkpoint_sha256", info.sha256},
                              {"seed", o.seed},
                              {"shard", base.shard.text()},
                              {"runs", nlohmann::json::array()}};
        for (const auto &outcome : outcomes)
            doc["runs"].push_back(outcomeJson(outcome));
        if (outcomes.size() == 1) // one configuration: its fields at the top level as well
        {
            const nlohmann::json only = outcomeJson(outcomes.front()); // outlives the loop
            for (auto &[name, value] : only.items())
                doc[name] = value;
        }
        std::cout << doc.dump(2) << std::endl;
    } else if (!outcomes.empty() && outcomes.back().result.failuresRecorded > 0) {
        std::printf("  %d failed episodes recorded to %s\n",
                    outcomes.back().result.failuresRecorded, o.recordFailures.c_str());
    }
    if (interrupted)
        throw Error(Error::Kind::Cancelled,
                    "interrupted; the rates above cover the episodes run (not stored)");
}

} // namespace

void addEvalCommand(CLI::App &app)
{
    auto o = std::make_shared<EvalOptions>();
    CLI::App *command = app.add_subcommand(
        "eval", "Closed-loop success rates of a checkpoint in the tabletop simulator");
    addPolicySourceOptions(*command, o->source);
    command->add_option("--suite", o->suite, "tabletop or tabletop/TASK")->required();
    command->add_option("--episodes", o->episodes, "episodes per task (default 20)")
        ->check(CLI::Range(1, 100000));
    command
        ->add_option("--methods,--method", o->methods,
                     "selection methods, comma-separated (default: the checkpoint's own)")
        ->delimiter(',');
    command
        ->add_option("--budgets,--budget", o->budgets,
                     "tokens per view, comma-separated (default: the checkpoint's)")
        ->delimiter(',');
    command->add_option("--seed", o->seed, "seed of the evaluation layouts");
    command->add_option("--replan", o->replan, "actions executed per predicted chunk (default 4)")
        ->check(CLI::Range(1, 1000));
    command->add_option("--record-failures", o->recordFailures,
                        "write failed episodes to this .hdf5 (LIBERO layout, success = 0)");
    command->add_option("--db", o->db, "workspace: store the runs, reuse stored ones");
    command->add_option("--shard", o->shard, "this shard I/N of the episodes");
    addSlurmOptions(*command, o->slurm);
    command->add_flag("--force", o->force, "re-run configurations already in the workspace");
    command->add_option("--device", o->device, "cpu (default) or cuda");
    command->add_flag("--json", o->json, "print the results as JSON");
    command->add_flag("--quiet", o->quiet, "no progress output");
    command->callback([o] { runEval(*o); });
}

} // namespace grids::cli
