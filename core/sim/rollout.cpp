#include "sim/rollout.h"

#include "episodes/libero_layout.h"
#include "sim/scripted_expert.h"

#include <memory>
#include <vector>

namespace grids::sim {
namespace {

void appendRow(Track &track, const float *values, int count)
{
    track.cols = count;
    track.values.insert(track.values.end(), values, values + count);
    ++track.rows;
}

void appendRow(Track &track, const std::array<double, 3> &position)
{
    const float values[3] = {float(position[0]), float(position[1]), float(position[2])};
    appendRow(track, values, 3);
}

} // namespace

RolloutResult runRollout(TabletopEnv &env,
                         const TaskLayout &layout,
                         const Policy &policy,
                         const RolloutOptions &options)
{
    env.reset(layout);
    const int limit = options.maxSteps > 0 ? options.maxSteps : stepLimit(layout.task);
    RolloutResult result;
    DemoRecord record;
    if (options.record) {
        record.viewNames = TabletopEnv::viewNames();
        record.frames.resize(record.viewNames.size());
        for (const auto &key : TabletopEnv::stateKeys())
            record.lowDim.push_back({key, {}});
        // Where the named objects are (simulator truth): not state a policy sees, a training
        // target (grids train --object-weight) and a key for analysing recorded rollouts.
        record.lowDim.push_back({libero::kTargetPos, {}});
        record.lowDim.push_back({libero::kReferencePos, {}});
        record.lowDim.push_back({libero::kTargetImagePos, {}});
        record.lowDim.push_back({libero::kReferenceImagePos, {}});
        record.instruction = layout.instruction;
    }
    std::vector<Action> chunk;
    std::size_t next = 0;
    while (env.steps() < limit) {
        const bool policyCall =
            next >= chunk.size() || next >= std::size_t(std::max(options.actionsPerCall, 1));
        // Cameras are rendered only when someone looks: the policy (on the steps it is asked) or
        // the recording. Rendering has no effect on the physics, and is most of a step's time.
        Observation obs = env.observe(options.record || (options.renderViews && policyCall));
        if (policyCall) {
            chunk = policy(obs, layout.instruction);
            next = 0;
            if (chunk.empty())
                break;
        }
        const Action action = chunk[next++];
        if (options.record) {
            for (std::size_t v = 0; v < obs.views.size(); ++v)
                record.frames[v].push_back(obs.views[v]);
            appendRow(record.lowDim[0].second, obs.state.data(), 3);
            appendRow(record.lowDim[1].second, obs.state.data() + 3, 3);
            appendRow(record.lowDim[2].second, obs.state.data() + 6, 2);
            const SimState truth = env.simState();
            const std::size_t first = TabletopEnv::stateKeys().size(); // after the state's tracks
            const int objects[2] = {layout.target, referenceObject(layout)};
            for (std::size_t o = 0; o < 2; ++o) {
                const auto &position = truth.objectPos[std::size_t(objects[o])];
                appendRow(record.lowDim[first + o].second, position);
                std::vector<float> image;
                for (int v = 0; v < int(obs.views.size()); ++v) {
                    const auto where = env.project(v, position);
                    image.push_back(where ? float((*where)[0]) : -1.0f); // behind: outside
                    image.push_back(where ? float((*where)[1]) : -1.0f);
                }
                appendRow(record.lowDim[first + 2 + o].second, image.data(), int(image.size()));
            }
            appendRow(record.actions, action.data(), int(action.size()));
        }
        env.step(options.perturbExecuted ? options.perturbExecuted(action) : action);
        if (env.success()) {
            result.success = true;
            break;
        }
    }
    result.steps = env.steps();
    if (options.record) {
        record.rewards.assign(std::size_t(record.actions.rows), 0.0f);
        record.dones.assign(std::size_t(record.actions.rows), 0.0f);
        if (result.success && !record.rewards.empty())
            record.rewards.back() = record.dones.back() = 1.0f;
        record.success = result.success;
        result.episode = std::move(record);
    }
    return result;
}

Policy expertPolicy(TabletopEnv &env,
                    const TaskLayout &layout,
                    std::uint64_t noiseSeed,
                    double slowDownDistance)
{
    auto expert = std::make_shared<ScriptedExpert>(layout, noiseSeed, ScriptedExpert::kNoise,
                                                   slowDownDistance);
    return [expert, &env](const Observation &, const std::string &) {
        return std::vector<Action>{expert->act(env.simState())};
    };
}

Policy randomPolicy(std::uint64_t seed)
{
    auto random = std::make_shared<Random>(seed);
    return [random](const Observation &, const std::string &) {
        Action action{};
        for (std::size_t i = 0; i < 3; ++i)
            action[i] = float(random->uniform(-1.0, 1.0));
        action[6] = random->uniform(-1.0, 1.0) > 0 ? 1.0f : -1.0f;
        return std::vector<Action>{action};
    };
}

} // namespace grids::sim
