#include "sweep_command.h"

#include "cli_support.h"
#include "slurm.h"
#include "eval/sweep.h"
#include "model/policy.h"
#include "store/workspace.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>

namespace grids::cli {
namespace {

struct SweepCommandOptions
{
    PolicySource source;
    std::string db, shard, device = "cpu", viewMap;
    SweepOptions sweep;
    SlurmOptions slurm;
    bool json = false, quiet = false;
};

nlohmann::json number(double value)
{
    return std::isnan(value) ? nlohmann::json(nullptr) : nlohmann::json(value);
}

void runSweepCommand(SweepCommandOptions &o)
{
    if (o.slurm.enabled)
        return runOnSlurm(o.db, o.slurm);
    o.sweep.shard = parseShard(o.shard);
    o.sweep.viewRenames = parseViewRenames(o.viewMap);
    auto policy = openPolicySource(o.source, o.device);
    Workspace workspace(o.db);
    SweepResult result;
    {
        ProgressPrinter printer(o.quiet);
        result = runSweep(*policy, workspace, o.sweep, printer.progress());
    }
    if (o.json) {
        nlohmann::json rows = nlohmann::json::array();
        for (const auto &c : result.configs)
            rows.push_back({{"method", c.method},
                            {"tokens_per_view", c.budget},
                            {"status", c.status},
                            {"reason", c.reason},
                            {"run_id", c.runId},
                            {"frames", c.frames},
                            {"l1", number(c.meanL1)},
                            {"fidelity_l1", number(c.meanFidelityL1)},
                            {"gripper_agreement", number(c.gripperAgreement)},
                            {"select_ms", c.meanSelectMs},
                            {"act_ms", c.meanActMs}});
        std::cout << nlohmann::json({{"checkpoint", policy->info().path},
                                     {"checkpoint_sha256", policy->info().sha256},
                                     {"shard", o.sweep.shard.text()},
                                     {"frames_run", result.framesRun},
                                     {"encoder_calls", result.encoderCalls},
                                     {"seconds", result.seconds},
                                     {"runs", rows}})
                         .dump(2)
                  << std::endl;
        return;
    }
    std::printf("%-10s %6s %7s %9s %9s %8s %9s %8s  %s\n", "method", "tokens", "frames", "L1",
                "fidelity", "gripper", "select ms", "act ms", "status");
    for (const auto &c : result.configs) {
        if (c.status == "not_applicable") {
            std::printf("%-10s %6d %7s %9s %9s %8s %9s %8s  not applicable: %s\n", c.method.c_str(),
                        c.budget, "-", "-", "-", "-", "-", "-", c.reason.c_str());
            continue;
        }
        std::printf("%-10s %6d %7lld %9.4f %9.4f %7.1f%% %9.2f %8.2f  %s\n", c.method.c_str(),
                    c.budget, static_cast<long long>(c.frames), c.meanL1, c.meanFidelityL1,
                    100 * c.gripperAgreement, c.meanSelectMs, c.meanActMs,
                    c.status == "found" ? "found in the workspace" : "ran");
    }
    std::printf("%lld frames run, %zu encoder passes, %.1f s\n",
                static_cast<long long>(result.framesRun), result.encoderCalls, result.seconds);
    std::fflush(stdout);
}

} // namespace

void addSweepCommand(CLI::App &app)
{
    auto o = std::make_shared<SweepCommandOptions>();
    CLI::App *command =
        app.add_subcommand("sweep", "Open-loop comparison of selection methods × token budgets");
    addPolicySourceOptions(*command, o->source);
    command->add_option("--episodes", o->sweep.episodesPath, "episode file or folder")->required();
    command->add_option("--episode", o->sweep.episodeKey, "only this episode (e.g. demo_3)");
    addViewMapOption(*command, o->viewMap);
    command->add_option("--methods", o->sweep.methods, "methods (comma-separated)")
        ->delimiter(',')
        ->required();
    command->add_option("--budgets", o->sweep.budgets, "tokens per view (comma-separated)")
        ->delimiter(',')
        ->required();
    command->add_option("--every", o->sweep.every, "every N-th frame (default 1)")
        ->check(CLI::Range(1, 1000000));
    command->add_option("--db", o->db, "workspace database the runs are written to")->required();
    command->add_option("--shard", o->shard, "this shard I/N of the frames");
    addSlurmOptions(*command, o->slurm);
    command->add_flag("--force", o->sweep.force, "re-run configurations already in the database");
    command->add_option("--device", o->device, "cpu (default) or cuda");
    command->add_flag("--json", o->json, "print the aggregate table as JSON");
    command->add_flag("--quiet", o->quiet, "no progress output");
    command->callback([o] { runSweepCommand(*o); });
}

void addMergeCommand(CLI::App &app)
{
    struct MergeOptions
    {
        std::string out;
        std::vector<std::string> inputs;
    };
    auto o = std::make_shared<MergeOptions>();
    CLI::App *command = app.add_subcommand(
        "merge", "Merge shard workspaces into one (merging twice changes nothing)");
    command->add_option("--db", o->out, "workspace to merge into (created if missing)")->required();
    command->add_option("inputs", o->inputs, "shard workspaces")->required();
    command->callback([o] {
        Workspace workspace(o->out);
        int runs = 0;
        for (const auto &input : o->inputs)
            runs += workspace.mergeRunsFrom(input);
        std::printf("merged %d runs from %zu workspaces into %s\n", runs, o->inputs.size(),
                    o->out.c_str());
    });
}

} // namespace grids::cli
