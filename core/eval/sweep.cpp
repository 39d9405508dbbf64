#include "eval/sweep.h"

#include "common/error.h"
#include "common/hash.h"
#include "episodes/episode.h"
#include "eval/metrics.h"
#include "eval/report.h"
#include "model/policy.h"
#include "selectors/selector.h"
#include "store/workspace.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <map>

namespace grids {

std::string Shard::text() const
{
    return count <= 1 ? std::string() : std::to_string(index) + "/" + std::to_string(count);
}

Shard parseShard(const std::string &text)
{
    Shard shard;
    if (text.empty())
        return shard;
    const auto slash = text.find('/');
    try {
        if (slash == std::string::npos)
            throw std::invalid_argument(text);
        std::size_t used = 0;
        shard.index = std::stoi(text.substr(0, slash), &used);
        if (used != slash)
            throw std::invalid_argument(text);
        shard.count = std::stoi(text.substr(slash + 1), &used);
        if (used != text.size() - slash - 1)
            throw std::invalid_argument(text);
    } catch (const std::exception &) {
        throw settingError("shard", "'" + text + "' is not I/N, e.g. 0/4");
    }
    if (shard.count < 1 || shard.index < 0 || shard.index >= shard.count)
        throw settingError("shard", "'" + text + "' needs 0 <= I < N");
    return shard;
}

std::vector<SweepConfig> sweepConfigs(const Policy &policy,
                                      const std::vector<std::string> &methods,
                                      const std::vector<int> &budgets)
{
    const CheckpointInfo &info = policy.info();
    std::vector<SweepConfig> configs;
    for (const auto &method : methods) {
        if (!selectors::isKnownMethod(method))
            throw usageError(notApplicable(info, method)); // names the known methods
        const std::string why = notApplicable(info, method);
        if (method == "dense") {
            configs.push_back({method, info.cellsPerView(), why});
            continue;
        }
        for (int budget : budgets) {
            SweepConfig config{method, budget, why};
            if (budget < 1 || budget > info.cellsPerView())
                throw usageError("budget " + std::to_string(budget) + " is outside 1.." +
                                 std::to_string(info.cellsPerView()) + " (the cells of a view)");
            if (why.empty() && method == "grids" && budget > info.budgetMax)
                config.notApplicable = "the checkpoint predicts " + std::to_string(info.budgetMax) +
                                       " coordinates per view";
            configs.push_back(config);
        }
    }
    return configs;
}

SweepResult runSweep(Policy &policy,
                     Workspace &workspace,
                     const SweepOptions &options,
                     const Progress &progress)
{
    const auto start = std::chrono::steady_clock::now();
    if (options.every < 1)
        throw settingError("every", "must be at least 1");
    const std::vector<SweepConfig> configs = sweepConfigs(policy, options.methods, options.budgets);
    const std::string checkpoint = policy.info().sha256;

    // What the sweep runs on, by content: the files' hashes, the episodes, the frame stride.
    OpenedEpisodes opened = openEpisodes(options.episodesPath);
    renameViews(opened, options.viewRenames);
    const auto &files = opened.files;
    struct Item
    {
        EpisodeFile *file;
        std::size_t episode;
        std::int64_t frame;
        EpisodeRef ref;
    };
    std::vector<Item> items;
    std::string dataText = "every=" + std::to_string(options.every);
    for (const auto &file : files) {
        const std::string sha = workspace.contentKey(file->path());
        for (std::size_t e = 0; e < file->episodes().size(); ++e) {
            const EpisodeInfo &info = file->episodes()[e];
            if (!options.episodeKey.empty() && info.key != options.episodeKey)
                continue;
            dataText += "|" + sha + ":" + info.key;
            for (std::int64_t t = 0; t < info.length; t += options.every)
                items.push_back({file.get(), e, t, {sha, info.key, file->path()}});
        }
    }
    if (items.empty())
        throw usageError(
            options.episodesPath + ": no frames to sweep" +
            (options.episodeKey.empty() ? "" : " (episode " + options.episodeKey + " not found)"));
    const std::string dataKey = sha256OfBytes(dataText);

    SweepResult result;
    std::vector<std::size_t> toRun;
    for (std::size_t c = 0; c < configs.size(); ++c) {
        SweepConfigResult r;
        r.method = configs[c].method;
        r.budget = configs[c].budget;
        const RunKey key{"sweep", checkpoint, r.method, r.budget, dataKey, options.shard.text()};
        if (!configs[c].notApplicable.empty()) {
            r.status = "not_applicable";
            r.reason = configs[c].notApplicable;
            RunRecord run;
            run.key = key;
            run.checkpointPath = policy.info().path;
            run.status = "not_applicable";
            run.reason = r.reason;
            run.config = runFacts(policy.info(), r.method, r.budget);
            r.runId = workspace.recordRun(run, {});
        } else if (auto found = workspace.findRun(key); found && !options.force) {
            r.status = "found";
            r.runId = found->id;
        } else {
            r.status = "ran";
            toRun.push_back(c);
        }
        result.configs.push_back(r);
    }

    std::vector<std::vector<FrameResultRow>> rows(configs.size());
    std::int64_t owned = 0, done = 0;
    for (std::size_t i = 0; i < items.size(); ++i)
        owned += options.shard.owns(std::int64_t(i)) ? 1 : 0;
    for (std::size_t i = 0; i < items.size() && !toRun.empty(); ++i) {
        if (!options.shard.owns(std::int64_t(i)))
            continue;
        if (progress.cancelled())
            throw Error(Error::Kind::Cancelled,
                        "sweep interrupted; nothing of the unfinished runs was written");
        const Item &item = items[i];
        const EpisodeInfo &info = item.file->episodes()[item.episode];
        const Frame frame = item.file->frame(item.episode, item.frame);
        const std::string cacheKey =
            item.ref.fileSha256 + "|" + info.key + "|" + std::to_string(item.frame);
        // Every configuration of the frame at once (one encoder pass, batched heads), dense
        // first: the fidelity reference.
        std::vector<MethodBudget> wanted{{"dense", 0}};
        for (std::size_t c : toRun)
            if (configs[c].method != "dense")
                wanted.push_back({configs[c].method, configs[c].budget});
        const std::vector<FrameResult> results = policy.runMany(frame, info.views, wanted, cacheKey);
        const FrameResult &dense = results.front();
        std::size_t next = 1;
        for (std::size_t c : toRun) {
            const FrameResult &r = configs[c].method == "dense" ? dense : results[next++];
            FrameResultRow row;
            row.episode = item.ref;
            row.frame = item.frame;
            row.tokens = r.budget;
            row.action = r.actions.row(0);
            const ActionError error = actionError(row.action, frame.action);
            row.hasReference = error.valid;
            row.l1 = error.l1;
            row.mse = error.mse;
            row.gripperAgrees = error.gripperAgrees;
            const ActionError fidelity = actionError(row.action, dense.actions.row(0));
            row.hasFidelity = fidelity.valid;
            row.fidelityL1 = fidelity.l1;
            row.encodeMs = dense.encodeMs; // the frame's encoder pass, shared by every config
            row.selectMs = r.selectMs;
            row.actMs = r.actMs;
            rows[c].push_back(std::move(row));
        }
        ++result.framesRun;
        progress(++done, owned, info.key + " frame " + std::to_string(item.frame));
    }

    nlohmann::json config = {{"episodes", options.episodesPath},
                             {"episode", options.episodeKey},
                             {"every", options.every}};
    for (std::size_t c : toRun) {
        RunRecord run;
        run.key = {"sweep",           checkpoint, configs[c].method,
                   configs[c].budget, dataKey,    options.shard.text()};
        run.checkpointPath = policy.info().path;
        run.config = runFacts(policy.info(), configs[c].method, configs[c].budget, config.dump());
        result.configs[c].runId = workspace.recordRun(run, rows[c]);
    }
    for (auto &r : result.configs) {
        if (r.status == "not_applicable")
            continue;
        double l1 = 0, fidelity = 0, agree = 0, select = 0, act = 0;
        std::int64_t withReference = 0;
        const auto stored = workspace.frameResults(r.runId);
        for (const auto &row : stored) {
            if (row.hasReference) {
                l1 += row.l1;
                agree += row.gripperAgrees ? 1 : 0;
                ++withReference;
            }
            fidelity += row.hasFidelity ? row.fidelityL1 : 0;
            select += row.selectMs;
            act += row.actMs;
        }
        r.frames = std::int64_t(stored.size());
        const double n = double(std::max<std::int64_t>(1, r.frames));
        r.meanL1 = withReference ? l1 / double(withReference) : std::nan("");
        r.gripperAgreement = withReference ? agree / double(withReference) : std::nan("");
        r.meanFidelityL1 = fidelity / n;
        r.meanSelectMs = select / n;
        r.meanActMs = act / n;
    }
    result.encoderCalls = policy.encoderCalls();
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

} // namespace grids
