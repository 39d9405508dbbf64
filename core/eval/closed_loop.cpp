#include "eval/closed_loop.h"

#include "common/error.h"
#include "episodes/libero_hdf5_writer.h"
#include "eval/report.h"
#include "model/policy.h"
#include "sim/dataset_generation.h"
#include "sim/rollout.h"
#include "sim/scene_xml.h"
#include "store/workspace.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <memory>

#include <filesystem>

namespace grids {
namespace {

// Time spent in policy calls, for the mean time per call of each episode.
struct CallClock
{
    double ms = 0;
    int calls = 0;
};

sim::Policy checkpointPolicy(Policy &policy, const ClosedLoopOptions &options, CallClock &clock)
{
    std::vector<ViewInfo> views;
    for (const auto &name : sim::TabletopEnv::viewNames())
        views.push_back({name, sim::GripperGeometry::kImageSize, sim::GripperGeometry::kImageSize});
    return [&policy, options, views, &clock](const sim::Observation &obs,
                                             const std::string &instruction) {
        const auto start = std::chrono::steady_clock::now();
        Frame frame;
        frame.views = obs.views;
        frame.state = obs.state;
        frame.instruction = instruction;
        const FrameResult result = policy.run(frame, views, options.method, options.budget);
        std::vector<sim::Action> chunk;
        for (std::int64_t t = 0; t < result.actions.rows; ++t) {
            sim::Action action{};
            for (int d = 0; d < std::min(7, result.actions.cols); ++d)
                action[std::size_t(d)] = result.actions.at(t, d);
            chunk.push_back(action);
        }
        clock.ms +=
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count();
        ++clock.calls;
        return chunk;
    };
}

} // namespace

std::string rolloutDataKey(const ClosedLoopOptions &options)
{
    std::string tasks;
    for (sim::TaskFamily task : options.tasks)
        tasks += (tasks.empty() ? "" : ",") + sim::taskName(task);
    return "tabletop:" + tasks + "|seed=" + std::to_string(options.seed) +
           "|episodes=" + std::to_string(options.episodesPerTask) +
           "|replan=" + std::to_string(options.replanEvery);
}

ClosedLoopResult summariseRollouts(const std::vector<sim::TaskFamily> &tasks,
                                   const std::vector<RolloutRow> &rows)
{
    ClosedLoopResult result;
    int allSuccesses = 0, allEpisodes = 0;
    double allSuccessSteps = 0;
    for (sim::TaskFamily task : tasks) {
        int successes = 0, episodes = 0;
        double successSteps = 0;
        for (const auto &row : rows)
            if (row.task == sim::taskName(task)) {
                ++episodes;
                if (row.success)
                    ++successes, successSteps += row.steps;
            }
        SuccessRate rate = wilsonInterval(successes, episodes);
        rate.meanStepsToSuccess = successes ? successSteps / successes : 0;
        result.tasks.push_back(task);
        result.perTask.push_back(rate);
        allSuccesses += successes;
        allEpisodes += episodes;
        allSuccessSteps += successSteps;
    }
    result.overall = wilsonInterval(allSuccesses, allEpisodes);
    // Over every successful episode (not the mean of the tasks' means: tasks differ in successes).
    result.overall.meanStepsToSuccess = allSuccesses ? allSuccessSteps / allSuccesses : 0;
    result.episodes = rows;
    return result;
}

SuccessRate wilsonInterval(int successes, int episodes, double z)
{
    SuccessRate r;
    r.successes = successes;
    r.episodes = episodes;
    if (episodes <= 0)
        return r;
    const double n = episodes, p = double(successes) / n, z2 = z * z;
    const double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
    const double half = z * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
    r.rate = p;
    r.low = std::max(0.0, centre - half);
    r.high = std::min(1.0, centre + half);
    return r;
}

std::uint64_t evaluationSeed(std::uint64_t seed, sim::TaskFamily task, int index)
{
    return sim::episodeSeed(seed ^ 0xE7A15EEDull, task, index) ^ 0x8000000000000000ull;
}

ClosedLoopResult
evaluateClosedLoop(Policy &policy, const ClosedLoopOptions &options, const Progress &progress)
{
    if (options.tasks.empty() || options.episodesPerTask < 1)
        throw usageError("eval needs at least one task and one episode");
    const auto start = std::chrono::steady_clock::now();
    std::unique_ptr<LiberoHdf5Writer> failures;
    if (!options.recordFailures.empty()) {
        LiberoFileAttributes attributes;
        attributes.problemName = "grids_tabletop_failures";
        attributes.envArgs =
            R"({"env_name": "grids_tabletop", "checkpoint": ")" + policy.info().sha256 + "\"}";
        failures = std::make_unique<LiberoHdf5Writer>(options.recordFailures, attributes);
    }
    sim::TabletopEnv env;
    CallClock clock;
    const sim::Policy drive = checkpointPolicy(policy, options, clock);
    ClosedLoopResult result;
    int total = 0;
    for (int g = 0; g < int(options.tasks.size()) * options.episodesPerTask; ++g)
        total += options.shard.owns(g) ? 1 : 0;
    int globalIndex = -1, done = 0;
    bool cancelled = false;
    for (sim::TaskFamily task : options.tasks) {
        for (int i = 0; i < options.episodesPerTask && !cancelled; ++i) {
            if (!options.shard.owns(++globalIndex))
                continue;
            if (progress.cancelled()) {
                cancelled = true;
                break;
            }
            const std::uint64_t seed = evaluationSeed(options.seed, task, i);
            const sim::TaskLayout layout = sim::sampleLayout(task, seed);
            clock = {};
            sim::RolloutOptions rollout;
            rollout.actionsPerCall = options.replanEvery;
            rollout.record = bool(failures);
            sim::RolloutResult run = sim::runRollout(env, layout, drive, rollout);
            result.episodes.push_back({sim::taskName(task), i, seed, run.success, run.steps,
                                       clock.calls ? clock.ms / clock.calls : 0.0});
            if (!run.success && failures && run.episode) {
                failures->addDemo(*run.episode);
                ++result.failuresRecorded;
            }
            progress(++done, total, sim::taskName(task) + (run.success ? " success" : " failure"));
        }
    }
    const ClosedLoopResult rates = summariseRollouts(options.tasks, result.episodes);
    result.tasks = rates.tasks;
    result.perTask = rates.perTask;
    result.overall = rates.overall;
    if (failures && result.failuresRecorded > 0)
        failures->finish();
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.interrupted = cancelled;
    return result;
}

EvaluationOutcome evaluateConfig(Policy &policy,
                                 Workspace *workspace,
                                 const ClosedLoopOptions &base,
                                 const SweepConfig &config,
                                 const std::string &suite,
                                 bool force,
                                 const Progress &progress)
{
    const CheckpointInfo &info = policy.info();
    EvaluationOutcome outcome{config, "ran", {}, 0};
    RunRecord run;
    run.key = {"rollout",     info.sha256,          config.method,
               config.budget, rolloutDataKey(base), base.shard.text()};
    run.checkpointPath = info.path;
    if (!config.notApplicable.empty()) {
        outcome.status = run.status = "not_applicable";
        run.reason = config.notApplicable;
        run.config = runFacts(info, config.method, config.budget);
        if (workspace)
            outcome.runId = workspace->recordRun(run, {});
        return outcome;
    }
    if (auto found = workspace ? workspace->findRun(run.key) : std::nullopt; found && !force) {
        outcome.status = "found";
        outcome.runId = found->id;
        outcome.result = summariseRollouts(base.tasks, workspace->rolloutResults(found->id));
        return outcome;
    }
    ClosedLoopOptions options = base;
    options.method = config.method;
    options.budget = config.budget;
    outcome.result = evaluateClosedLoop(policy, options, progress);
    if (workspace && !outcome.result.interrupted) {
        nlohmann::json facts = {{"suite", suite},
                                {"seed", base.seed},
                                {"episodes_per_task", base.episodesPerTask},
                                {"replan", base.replanEvery}};
        // Where the failed episodes went, so that the run's plot point can open them.
        if (outcome.result.failuresRecorded > 0)
            facts["failures_file"] =
                std::filesystem::absolute(options.recordFailures).lexically_normal().string();
        run.config = runFacts(info, config.method, config.budget, facts.dump());
        outcome.runId = workspace->recordRun(run, {}, outcome.result.episodes);
    }
    return outcome;
}

std::vector<EvaluationOutcome> evaluateConfigs(Policy &policy,
                                               Workspace *workspace,
                                               const ClosedLoopOptions &base,
                                               const std::vector<SweepConfig> &configs,
                                               const std::string &suite,
                                               bool force,
                                               const EvaluationHooks &hooks)
{
    std::vector<EvaluationOutcome> outcomes;
    for (const SweepConfig &config : configs) {
        ClosedLoopOptions options = base;
        if (hooks.recordFailuresFor)
            options.recordFailures = hooks.recordFailuresFor(config);
        const Progress progress = hooks.progressFor ? hooks.progressFor(config) : Progress{};
        outcomes.push_back(
            evaluateConfig(policy, workspace, options, config, suite, force, progress));
        if (hooks.finished)
            hooks.finished(outcomes.back());
        if (outcomes.back().result.interrupted)
            break;
    }
    return outcomes;
}

} // namespace grids
