#pragma once

#include "common/progress.h"
#include "episodes/libero_hdf5_writer.h"
#include "sim/scripted_expert.h"
#include "sim/tabletop_env.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace grids::sim {

// A policy: from the current views, state and instruction, an action chunk (at least one
// action; row 0 is for the current step).
using Policy = std::function<std::vector<Action>(const Observation &, const std::string &)>;

struct RolloutOptions
{
    bool record = false;     // keep frames, states and actions as a DemoRecord
    int maxSteps = 0;        // 0: the task's step limit
    int actionsPerCall = 1;  // how many actions of each chunk run before the policy is asked again
    bool renderViews = true; // false: observations carry the state only (blind policies, faster)
    // DART-style data collection: when set, the environment executes perturbExecuted(action)
    // while the recording keeps the policy's own action as the label, so demonstrations visit
    // states off the expert's path and show how it recovers, with clean labels.
    std::function<Action(const Action &)> perturbExecuted;
};

struct RolloutResult
{
    bool success = false;
    int steps = 0;
    std::optional<DemoRecord> episode; // when recorded; `success` set
};

// Runs one episode of `layout` to success or the step limit. `policy` is called with the
// observation before each chunk; a recorded episode holds, per step, the observation the policy
// saw and the action executed (LIBERO's layout).
RolloutResult runRollout(TabletopEnv &env,
                         const TaskLayout &layout,
                         const Policy &policy,
                         const RolloutOptions &options = {});

// The scripted expert as a Policy (it reads the environment's privileged state).
Policy expertPolicy(TabletopEnv &env,
                    const TaskLayout &layout,
                    std::uint64_t noiseSeed,
                    double slowDownDistance = ScriptedExpert::kSlowDownDistance);
// Uniformly random actions (a baseline that should rarely succeed).
Policy randomPolicy(std::uint64_t seed);

} // namespace grids::sim
