#pragma once

#include "common/progress.h"
#include "eval/sweep.h"
#include "sim/tasks.h"
#include "store/results.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace grids {

class Policy;
class Workspace;

// A success rate with its 95 % Wilson score interval.
struct SuccessRate
{
    int successes = 0, episodes = 0;
    double rate = 0, low = 0, high = 0;
    double meanStepsToSuccess = 0; // over successful episodes
};

SuccessRate wilsonInterval(int successes, int episodes, double z = 1.96);

struct ClosedLoopOptions
{
    std::vector<sim::TaskFamily> tasks;
    int episodesPerTask = 20;
    std::uint64_t seed = 0; // evaluation seeds are derived apart from make-dataset's
    std::string method;     // any of METHODS.md's selectors the checkpoint can run
    int budget = 0;
    int replanEvery = 4;        // actions of each predicted chunk executed before re-planning
    std::string recordFailures; // when set, failed episodes are written here (LIBERO layout)
    Shard shard;                // runs the episodes whose index over all tasks this shard owns
};

// What a closed-loop evaluation ran on, for the workspace's run key: suite, seed, episodes per
// task, replanning.
std::string rolloutDataKey(const ClosedLoopOptions &options);

struct ClosedLoopResult
{
    std::vector<sim::TaskFamily> tasks;
    std::vector<SuccessRate> perTask;
    SuccessRate overall;
    std::vector<RolloutRow> episodes; // one row per episode run
    int failuresRecorded = 0;
    double seconds = 0;
    bool interrupted = false; // cancelled: the rates cover the episodes finished
};

// The seed of evaluation episode `index` of `task`: disjoint from the seeds make-dataset uses
// for training data with the same --seed.
std::uint64_t evaluationSeed(std::uint64_t seed, sim::TaskFamily task, int index);

// Success rates per task and overall from per-episode rows (fresh or read from a workspace).
ClosedLoopResult summariseRollouts(const std::vector<sim::TaskFamily> &tasks,
                                   const std::vector<RolloutRow> &rows);

// Runs the checkpoint closed loop in the tabletop simulator. On cancellation the episodes
// finished so far are reported (and recorded), with `interrupted` set.
ClosedLoopResult
evaluateClosedLoop(Policy &policy, const ClosedLoopOptions &options, const Progress &progress = {});

// One (method, budget) of a closed-loop evaluation, through the workspace when there is one: a
// pair the checkpoint cannot run is recorded as not applicable; a run already stored under the
// same key is found and summarised, not repeated, unless `force`; otherwise it runs and is
// stored (not when interrupted). The CLI's `grids eval` and the GUI's budget panel loop over
// their configurations with this.
struct EvaluationOutcome
{
    SweepConfig config;
    std::string status; // "ran", "found", "not_applicable"
    ClosedLoopResult result;
    std::int64_t runId = 0;
};
EvaluationOutcome evaluateConfig(Policy &policy,
                                 Workspace *workspace,
                                 const ClosedLoopOptions &base,
                                 const SweepConfig &config,
                                 const std::string &suite,
                                 bool force,
                                 const Progress &progress = {});

// The loop over configurations that `grids eval` and the GUI's budget panel share: each
// configuration in turn through evaluateConfig, stopping after an interrupted one (whose outcome
// is the last returned). Hooks, all optional: the failure file of each configuration (empty:
// none recorded), the progress each reports to, and each outcome as it lands.
struct EvaluationHooks
{
    std::function<std::string(const SweepConfig &)> recordFailuresFor;
    std::function<Progress(const SweepConfig &)> progressFor;
    std::function<void(const EvaluationOutcome &)> finished;
};
std::vector<EvaluationOutcome> evaluateConfigs(Policy &policy,
                                               Workspace *workspace,
                                               const ClosedLoopOptions &base,
                                               const std::vector<SweepConfig> &configs,
                                               const std::string &suite,
                                               bool force,
                                               const EvaluationHooks &hooks = {});

} // namespace grids
