#include "eval/report.h"

#include "common/csv.h"
#include "eval/flops.h"
#include "model/checkpoint_info.h"
#include "selectors/selector.h"
#include "store/workspace.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

namespace grids {
namespace {

int methodOrder(const std::string &method)
{
    const auto &names = selectors::methodNames();
    return int(std::find(names.begin(), names.end(), method) - names.begin());
}

std::string fixed(double value, int digits)
{
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", digits, value);
    return text;
}

std::string percent(double rate)
{
    return fixed(100 * rate, 1);
}

} // namespace

std::string runFacts(const CheckpointInfo &info,
                     const std::string &method,
                     int tokensPerView,
                     const std::string &extra)
{
    nlohmann::json facts = nlohmann::json::parse(extra.empty() ? "{}" : extra);
    const FlopsBreakdown flops = methodFlops(info, method, tokensPerView);
    facts["checkpoint_name"] = info.name;
    if (info.isGrids())
        facts["sampler"] = info.sampler; // GridS itself ("learned"), or one of the controls
    facts["flops"] = {{"encoder", flops.encoder},
                      {"selector", flops.selector},
                      {"head", flops.head},
                      {"total", flops.total()}};
    const int pi0Tokens = tokensPerView * 256 / std::max(1, info.cellsPerView());
    facts["flops_pi0"] = pi0MethodFlops(method, pi0Tokens).total();
    facts["flops_pi0_xla_scan"] = pi0MethodFlops(method, pi0Tokens, FlopsConvention::XlaScan).total();
    return facts.dump();
}

const ReportRow::Paired *ReportRow::pairedAgainst(const std::string &against) const
{
    for (const Paired &p : paired)
        if (p.against == against)
            return &p;
    return nullptr;
}

namespace {

// McNemar's test of `row` against `reference`, overall and per task; nothing when they share no
// episode or are the same run.
void addPaired(ReportRow &row, const std::string &against, const ReportRow &reference)
{
    if (reference.runId == row.runId)
        return;
    ReportRow::Paired paired;
    paired.against = against;
    paired.referenceRunId = reference.runId;
    paired.overall = comparePaired(row.rollouts, reference.rollouts);
    if (paired.overall.pairs == 0)
        return;
    for (const std::string &task : row.tasks)
        paired.perTask.push_back(comparePaired(row.rollouts, reference.rollouts, task));
    row.paired.push_back(std::move(paired));
}

// "+3/−9, p 0.15": episodes only this row solved, only the reference solved, the exact p.
std::string pairedCell(const ReportRow::Paired *paired)
{
    if (!paired)
        return "–";
    char p[32];
    std::snprintf(p, sizeof p, paired->overall.pValue < 0.001 ? "%.1e" : "%.3f",
                  paired->overall.pValue);
    return "+" + std::to_string(paired->overall.onlyA) + "/−" +
           std::to_string(paired->overall.onlyB) + ", p " + p;
}

nlohmann::json pairedJson(const PairedComparison &c)
{
    return {{"pairs", c.pairs}, {"only_this", c.onlyA}, {"only_reference", c.onlyB}, {"p", c.pValue}};
}

} // namespace

std::vector<ReportRow> buildReport(Workspace &workspace)
{
    std::vector<ReportRow> rows;
    for (const RunRecord &run : workspace.runs()) {
        if (run.status == "partial" && !run.key.shard.empty())
            continue; // a shard's own row; its merged run is reported
        ReportRow row;
        row.runId = run.id;
        row.kind = run.key.kind;
        row.checkpointSha256 = run.key.checkpointSha256;
        row.method = run.key.method;
        row.tokensPerView = run.key.budget;
        row.status = run.status;
        row.reason = run.reason;
        const auto config =
            nlohmann::json::parse(run.config.empty() ? "{}" : run.config, nullptr, false);
        row.checkpointName = config.is_object() ? config.value("checkpoint_name", "") : "";
        row.sampler = config.is_object() ? config.value("sampler", "learned") : "learned";
        if (row.checkpointName.empty())
            row.checkpointName = run.checkpointPath;
        if (config.is_object() && config.contains("flops"))
            row.flops = config["flops"].value("total", 0.0);
        if (config.is_object())
            row.flopsPi0 = config.value("flops_pi0", 0.0);
        if (run.status != "not_applicable") {
            if (row.kind == "rollout") {
                const auto results = workspace.rolloutResults(run.id);
                std::vector<sim::TaskFamily> tasks;
                for (sim::TaskFamily t : sim::allTaskFamilies())
                    for (const auto &r : results)
                        if (r.task == sim::taskName(t)) {
                            tasks.push_back(t);
                            break;
                        }
                const ClosedLoopResult summary = summariseRollouts(tasks, results);
                for (std::size_t i = 0; i < tasks.size(); ++i) {
                    row.tasks.push_back(sim::taskName(tasks[i]));
                    row.perTask.push_back(summary.perTask[i]);
                    row.average += summary.perTask[i].rate / double(tasks.size());
                }
                row.overall = summary.overall;
                row.rollouts = results;
                double ms = 0;
                for (const auto &r : results)
                    ms += r.msPerCall / double(results.size());
                row.msPerStep = ms;
            } else {
                const auto results = workspace.frameResults(run.id);
                std::int64_t withReference = 0;
                for (const auto &r : results) {
                    row.msPerStep += (r.encodeMs + r.selectMs + r.actMs) / double(results.size());
                    row.fidelityL1 += r.fidelityL1 / double(results.size());
                    if (r.hasReference) {
                        ++withReference;
                        row.l1 += r.l1;
                        row.gripperAgreement += r.gripperAgrees ? 1 : 0;
                    }
                }
                row.frames = std::int64_t(results.size());
                if (withReference) {
                    row.l1 /= double(withReference);
                    row.gripperAgreement /= double(withReference);
                }
            }
        }
        rows.push_back(std::move(row));
    }
    // Deltas against dense: the same checkpoint's dense row, else any dense row of the same kind.
    for (auto &row : rows) {
        if (row.status == "not_applicable")
            continue;
        const ReportRow *reference = nullptr;
        for (const auto &candidate : rows)
            if (candidate.method == "dense" && candidate.kind == row.kind &&
                candidate.status == "complete" &&
                (!reference || candidate.checkpointSha256 == row.checkpointSha256))
                reference = &candidate;
        if (!reference)
            continue;
        row.hasDelta = true;
        row.delta =
            row.kind == "rollout" ? row.average - reference->average : row.l1 - reference->l1;
        if (row.kind == "rollout")
            addPaired(row, "dense", *reference);
    }
    // Against GridS at 16 tokens per view: of several such runs (checkpoints, seeds), GridS's
    // own sampler before the controls' (fixed, pooled, marks), then the one that played the most
    // of this row's episodes. Runs recorded before the sampler was count as GridS's own.
    for (auto &row : rows) {
        if (row.kind != "rollout" || row.status == "not_applicable")
            continue;
        const ReportRow *reference = nullptr;
        int mostPairs = 0;
        bool ownSampler = false;
        for (const auto &candidate : rows)
            if (candidate.kind == "rollout" && candidate.method == "grids" &&
                candidate.tokensPerView == 16 && candidate.status == "complete") {
                const bool own = candidate.sampler == "learned";
                const int pairs = comparePaired(row.rollouts, candidate.rollouts).pairs;
                if (pairs > 0 && (own > ownSampler || (own == ownSampler && pairs > mostPairs)))
                    reference = &candidate, mostPairs = pairs, ownSampler = own;
            }
        if (reference)
            addPaired(row, "grids16", *reference);
    }
    std::stable_sort(rows.begin(), rows.end(), [](const ReportRow &a, const ReportRow &b) {
        if (a.kind != b.kind)
            return a.kind < b.kind;
        if (a.checkpointName != b.checkpointName)
            return a.checkpointName < b.checkpointName;
        if (methodOrder(a.method) != methodOrder(b.method))
            return methodOrder(a.method) < methodOrder(b.method);
        return a.tokensPerView < b.tokensPerView;
    });
    return rows;
}

std::string reportMarkdown(const std::vector<ReportRow> &rows)
{
    std::ostringstream out;
    for (const std::string kind : {"rollout", "sweep"}) {
        std::vector<const ReportRow *> part;
        std::vector<std::string> tasks;
        for (const auto &row : rows)
            if (row.kind == kind) {
                part.push_back(&row);
                for (const auto &t : row.tasks)
                    if (std::find(tasks.begin(), tasks.end(), t) == tasks.end())
                        tasks.push_back(t);
            }
        if (part.empty())
            continue;
        const bool closed = kind == "rollout";
        out << (closed ? "### Closed loop (success %, 95 % Wilson interval)\n\n"
                       : "### Open loop (action L1 of row 0 against the demonstration)\n\n");
        out << "| checkpoint | method | tokens/view | MFLOPs | pi0 TFLOPs | ms/step |";
        if (closed)
            for (const auto &t : tasks)
                out << " " << t << " |";
        out << (closed ? " average | Δ vs dense | McNemar vs dense | McNemar vs GridS16 |\n"
                       : " L1 | fidelity L1 | gripper | Δ L1 vs dense |\n");
        out << "|---|---|---:|---:|---:|---:|";
        for (std::size_t i = 0; i < (closed ? tasks.size() + 4 : 4); ++i)
            out << "---:|";
        out << "\n";
        for (const ReportRow *row : part) {
            out << "| " << row->checkpointName << " | " << row->method << " | "
                << row->tokensPerView << " | ";
            if (row->status == "not_applicable") {
                out << "n/a | n/a | n/a |";
                for (std::size_t i = 0; i < (closed ? tasks.size() + 4 : 4); ++i)
                    out << " n/a |";
                out << "\n";
                continue;
            }
            out << fixed(row->flops / 1e6, 1) << " | " << fixed(row->flopsPi0 / 1e12, 3) << " | "
                << fixed(row->msPerStep, 1) << " |";
            if (closed) {
                for (const auto &t : tasks) {
                    const auto it = std::find(row->tasks.begin(), row->tasks.end(), t);
                    if (it == row->tasks.end()) {
                        out << " – |";
                        continue;
                    }
                    const SuccessRate &r = row->perTask[std::size_t(it - row->tasks.begin())];
                    out << " " << percent(r.rate) << " [" << percent(r.low) << ", "
                        << percent(r.high) << "] |";
                }
                out << " " << percent(row->average) << " | "
                    << (row->hasDelta ? (row->delta >= 0 ? "+" : "") + percent(row->delta) : "–")
                    << " | " << pairedCell(row->pairedAgainst("dense")) << " | "
                    << pairedCell(row->pairedAgainst("grids16")) << " |\n";
            } else {
                out << " " << fixed(row->l1, 4) << " | " << fixed(row->fidelityL1, 4) << " | "
                    << percent(row->gripperAgreement) << " % | "
                    << (row->hasDelta ? (row->delta >= 0 ? "+" : "") + fixed(row->delta, 4) : "–")
                    << " |\n";
            }
        }
        if (closed)
            out << "\nMcNemar: +a/−b, the episodes (same task and layout) only this row solved and "
                   "only the reference solved; p, exact two-sided.\n";
        out << "\n";
    }
    return out.str();
}

std::string reportCsv(const std::vector<ReportRow> &rows)
{
    std::ostringstream out;
    out << "kind,checkpoint,checkpoint_sha256,method,tokens_per_view,status,flops,flops_pi0,"
           "ms_per_step,task,successes,episodes,rate,ci_low,ci_high,l1,fidelity_l1,"
           "gripper_agreement,delta_vs_dense,mcnemar_p_vs_dense,mcnemar_p_vs_grids16\n";
    for (const auto &row : rows) {
        auto common = [&](const std::string &task) {
            out << row.kind << "," << csvField(row.checkpointName) << "," << row.checkpointSha256
                << "," << row.method << "," << row.tokensPerView << "," << row.status << ","
                << row.flops << "," << row.flopsPi0 << "," << row.msPerStep << "," << csvField(task)
                << ",";
        };
        const std::string delta = row.hasDelta ? std::to_string(row.delta) : "";
        // McNemar's p against each reference, for a task (index) or overall (-1).
        auto pValues = [&](int task) {
            std::string cells;
            for (const char *against : {"dense", "grids16"}) {
                cells += ",";
                if (const ReportRow::Paired *p = row.pairedAgainst(against))
                    cells += std::to_string(task < 0 ? p->overall.pValue
                                                     : p->perTask[std::size_t(task)].pValue);
            }
            return cells;
        };
        if (row.kind == "rollout") {
            for (std::size_t i = 0; i < row.tasks.size(); ++i) {
                const SuccessRate &r = row.perTask[i];
                common(row.tasks[i]);
                out << r.successes << "," << r.episodes << "," << r.rate << "," << r.low << ","
                    << r.high << ",,,," << pValues(int(i)) << "\n";
            }
            common("average");
            out << row.overall.successes << "," << row.overall.episodes << "," << row.average << ","
                << row.overall.low << "," << row.overall.high << ",,,," << delta << pValues(-1)
                << "\n";
        } else {
            common("");
            out << ",,,,," << row.l1 << "," << row.fidelityL1 << "," << row.gripperAgreement << ","
                << delta << ",,\n";
        }
    }
    return out.str();
}

std::string reportJson(const std::vector<ReportRow> &rows)
{
    nlohmann::json doc = {
        {"format", "grids-report"}, {"version", 1}, {"rows", nlohmann::json::array()}};
    for (const auto &row : rows) {
        nlohmann::json r = {{"kind", row.kind},
                            {"checkpoint", row.checkpointName},
                            {"checkpoint_sha256", row.checkpointSha256},
                            {"method", row.method},
                            {"tokens_per_view", row.tokensPerView},
                            {"status", row.status},
                            {"reason", row.reason},
                            {"flops", row.flops},
                            {"flops_pi0", row.flopsPi0},
                            {"ms_per_step", row.msPerStep},
                            {"delta_vs_dense", row.hasDelta ? nlohmann::json(row.delta) : nullptr}};
        if (row.kind == "rollout") {
            r["average"] = row.average;
            r["tasks"] = nlohmann::json::object();
            for (std::size_t i = 0; i < row.tasks.size(); ++i)
                r["tasks"][row.tasks[i]] = {{"successes", row.perTask[i].successes},
                                            {"episodes", row.perTask[i].episodes},
                                            {"rate", row.perTask[i].rate},
                                            {"ci95", {row.perTask[i].low, row.perTask[i].high}}};
            r["paired"] = nlohmann::json::object();
            for (const ReportRow::Paired &p : row.paired) {
                nlohmann::json entry = {{"reference_run_id", p.referenceRunId},
                                        {"overall", pairedJson(p.overall)},
                                        {"tasks", nlohmann::json::object()}};
                for (std::size_t i = 0; i < row.tasks.size(); ++i)
                    entry["tasks"][row.tasks[i]] = pairedJson(p.perTask[i]);
                r["paired"][p.against] = entry;
            }
        } else {
            r["frames"] = row.frames;
            r["l1"] = row.l1;
            r["fidelity_l1"] = row.fidelityL1;
            r["gripper_agreement"] = row.gripperAgreement;
        }
        doc["rows"].push_back(r);
    }
    return doc.dump(2);
}

} // namespace grids
