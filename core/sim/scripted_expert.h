#pragma once

#include "sim/tabletop_env.h"

namespace grids::sim {

// A waypoint planner that solves every task family from privileged simulator state, with small
// seeded noise on its actions so demonstrations are not all alike. Proportional control towards
// the current waypoint; waypoints follow the objects as they move (closed loop).
class ScriptedExpert
{
public:
    // Beyond this distance to its waypoint the command saturates (|action| = 1); closer, it is
    // proportional, so the expert slows down. kMaxStep gives the first, dead-beat expert.
    static constexpr double kSlowDownDistance = 0.05;
    static constexpr double kNoise = 0.12; // σ of the noise on its actions while moving

    ScriptedExpert(const TaskLayout &layout,
                   std::uint64_t noiseSeed,
                   double noise = kNoise,
                   double slowDownDistance = kSlowDownDistance);
    Action act(const SimState &state);

private:
    enum class Phase {
        Approach,
        Descend,
        Close,
        Lift,
        Carry,
        Lower,
        Release,
        Retreat,
        Hold,
        PushAbove,
        PushDown,
        Push
    };

    void enter(Phase phase);
    Action toward(const std::array<double, 3> &ee,
                  const std::array<double, 3> &goal,
                  bool closed,
                  double noiseScale);
    Action pick(const SimState &state);
    Action push(const SimState &state);

    TaskLayout m_layout;
    Random m_random;
    double m_noise;
    double m_slowDownDistance;
    Phase m_phase;
    int m_phaseSteps = 0;
};

} // namespace grids::sim
