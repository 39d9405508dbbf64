#pragma once

// The paper's main table for a workspace's runs (`grids report`): per run, method, tokens per
// view, FLOPs (the checkpoint's and pi0's projection), time per step, and either the closed-loop
// success per task family or the open-loop action error, with the average and the difference
// against dense.

#include "eval/closed_loop.h"
#include "eval/paired.h"

#include <string>
#include <vector>

namespace grids {

struct CheckpointInfo;
class Workspace;

// What a run row's `config` records about the checkpoint at run time (JSON text): its name, the
// method's FLOPs per frame at `tokensPerView` (every pass it runs, methodFlops), and pi0's
// projection at the same share of tokens in both conventions; `extra` (a JSON object's text) is
// merged in.
std::string runFacts(const CheckpointInfo &info,
                     const std::string &method,
                     int tokensPerView,
                     const std::string &extra = "{}");

struct ReportRow
{
    std::int64_t runId = 0;
    std::string kind; // "rollout" (closed loop) or "sweep" (open loop)
    std::string checkpointName, checkpointSha256, method;
    std::string sampler; // a GridS checkpoint's (run facts "sampler"; absent: "learned")
    int tokensPerView = 0;
    std::string status, reason; // complete, partial, not_applicable
    double flops = 0, flopsPi0 = 0, msPerStep = 0;
    // Closed loop.
    std::vector<std::string> tasks;
    std::vector<SuccessRate> perTask;
    SuccessRate overall;
    double average = 0; // mean of the per-task rates
    // Open loop.
    std::int64_t frames = 0;
    double l1 = 0, fidelityL1 = 0, gripperAgreement = 0;
    // Against the dense row of the same kind and data (the same checkpoint's when it has one):
    // success difference in rate, or L1 difference.
    bool hasDelta = false;
    double delta = 0;
    // Closed loop: the episodes run, and McNemar's paired test against the reference rows that
    // share episodes with it ("dense": the Δ's reference; "grids16": GridS at 16 tokens per view,
    // the run sharing the most episodes), overall and per task in `tasks`' order.
    std::vector<RolloutRow> rollouts;
    struct Paired
    {
        std::string against; // "dense" or "grids16"
        std::int64_t referenceRunId = 0;
        PairedComparison overall;
        std::vector<PairedComparison> perTask;
    };
    std::vector<Paired> paired;
    const Paired *pairedAgainst(const std::string &against) const;
};

std::vector<ReportRow> buildReport(Workspace &workspace);

std::string reportMarkdown(const std::vector<ReportRow> &rows);
std::string reportCsv(const std::vector<ReportRow> &rows);
std::string reportJson(const std::vector<ReportRow> &rows);

} // namespace grids
