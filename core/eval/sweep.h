#pragma once

#include "episodes/view_renames.h"

// Open-loop sweeps (CLI.md `grids sweep`): every frame of the chosen episodes through a
// checkpoint under methods × budgets, one run per (method, budget) in the workspace with
// per-frame results. Frame-major: each frame is encoded once, then every configuration runs on
// the cached encoder output. A configuration already complete in the workspace is found, not
// repeated, unless forced.

#include "common/progress.h"

#include <cstdint>
#include <string>
#include <vector>

namespace grids {

class Policy;
class Workspace;

// "I/N" → {I, N}; throws Error{Usage} unless 0 <= I < N.
struct Shard
{
    int index = 0, count = 1;
    std::string text() const; // "" for the whole (count 1), "I/N" otherwise
    bool owns(std::int64_t item) const { return item % count == index; }
};
Shard parseShard(const std::string &text);

struct SweepOptions
{
    std::string episodesPath; // file or folder
    std::string episodeKey;   // one episode, or empty for all
    ViewRenames viewRenames;  // dataset view → checkpoint view, where names differ
    std::vector<std::string> methods;
    std::vector<int> budgets;
    int every = 1; // every n-th frame
    Shard shard;
    bool force = false;
};

struct SweepConfigResult
{
    std::string method;
    int budget = 0;     // tokens per view
    std::string status; // "ran", "found" (already in the workspace), "not_applicable"
    std::string reason; // why not applicable
    std::int64_t runId = 0;
    std::int64_t frames = 0;
    double meanL1 = 0, meanFidelityL1 = 0, gripperAgreement = 0;
    double meanSelectMs = 0, meanActMs = 0;
};

struct SweepResult
{
    std::vector<SweepConfigResult> configs;
    std::int64_t framesRun = 0;
    std::size_t encoderCalls = 0;
    double seconds = 0;
};

// The (method, budget) pairs a sweep runs for a checkpoint: dense once at all cells, the others
// at each budget; pairs the checkpoint cannot run are kept, marked not applicable.
struct SweepConfig
{
    std::string method;
    int budget = 0;
    std::string notApplicable;
};
std::vector<SweepConfig> sweepConfigs(const Policy &policy,
                                      const std::vector<std::string> &methods,
                                      const std::vector<int> &budgets);

SweepResult runSweep(Policy &policy,
                     Workspace &workspace,
                     const SweepOptions &options,
                     const Progress &progress = {});

} // namespace grids
