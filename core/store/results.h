#pragma once

// Evaluation results in the workspace (schema version 3, docs/WORKSPACE-SCHEMA.md): one run per
// (kind, checkpoint, method, budget, data, shard), with per-frame results of open-loop sweeps and
// per-episode results of closed-loop rollouts.

#include "store/annotation.h"

#include <cstdint>
#include <string>
#include <vector>

namespace grids {

// What identifies a run: the same key means the same configuration, found and not repeated.
struct RunKey
{
    std::string kind; // "sweep" (open loop) or "rollout" (closed loop)
    std::string checkpointSha256;
    std::string method;
    int budget = 0;      // tokens per view handed to the head (dense: all cells)
    std::string dataKey; // sweep: SHA-256 over the episodes' content keys and frame selection;
                         // rollout: suite, seed, episodes per task, replanning
    std::string shard;   // "I/N", or empty for a whole run
};

struct RunRecord
{
    std::int64_t id = 0;
    RunKey key;
    std::string checkpointPath;
    std::string status = "complete"; // complete, partial (some shards merged), not_applicable
    std::string reason;              // why not applicable
    std::string shardsMerged;        // "0/4,2/4": shards merged into this whole run
    std::string config = "{}";       // JSON: what else the run used
    std::string createdAt;
};

struct FrameResultRow
{
    EpisodeRef episode;
    std::int64_t frame = 0;
    int tokens = 0;            // per view
    bool hasReference = false; // l1, mse and gripper agreement need the demonstration's action
    double l1 = 0, mse = 0;
    bool gripperAgrees = false;
    bool hasFidelity = false; // fidelity: L1 against the dense model's action on the same frame
    double fidelityL1 = 0;
    std::vector<float> action; // row 0 of the predicted chunk
    double encodeMs = 0, selectMs = 0, actMs = 0;
};

struct RolloutRow
{
    std::string task;
    int episode = 0;
    std::uint64_t seed = 0;
    bool success = false;
    int steps = 0;
    double msPerCall = 0; // mean time of one policy call (encode + select + act)
};

} // namespace grids
