#include "sim/scripted_expert.h"

#include <algorithm>
#include <cmath>

namespace grids::sim {
namespace {

constexpr double kTravelHeight = 0.12;
constexpr double kGraspHeight = 0.007; // fingertips just above the table
constexpr double kPushHeight = 0.012;
constexpr double kPusherReach = 0.013; // half-extent of the closed fingers

double distance(const std::array<double, 3> &a, const std::array<double, 3> &b)
{
    return std::sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) +
                     (a[2] - b[2]) * (a[2] - b[2]));
}

double planar(const std::array<double, 3> &a, const std::array<double, 3> &b)
{
    return std::hypot(a[0] - b[0], a[1] - b[1]);
}

} // namespace

// The command is proportional to the distance left and saturates only beyond
// slowDownDistance (5 cm by default): the expert slows down over the last few centimetres. A
// dead-beat command (saturating beyond kMaxStep, the first version) made the approach's actions
// ±1 whatever the distance, so its demonstrations told a policy only on which side the object
// is, and a policy that runs a few actions of each chunk blind overshot.
ScriptedExpert::ScriptedExpert(const TaskLayout &layout,
                               std::uint64_t noiseSeed,
                               double noise,
                               double slowDownDistance)
    : m_layout(layout)
    , m_random(noiseSeed)
    , m_noise(noise)
    , m_slowDownDistance(slowDownDistance)
    , m_phase(layout.task == TaskFamily::PushToZone ? Phase::PushAbove : Phase::Approach)
{}

Action ScriptedExpert::toward(const std::array<double, 3> &ee,
                              const std::array<double, 3> &goal,
                              bool closed,
                              double noiseScale)
{
    Action action{};
    for (std::size_t i = 0; i < 3; ++i) {
        const double command = (goal[i] - ee[i]) / m_slowDownDistance;
        action[i] =
            float(std::clamp(command + m_noise * noiseScale * m_random.normal(), -1.0, 1.0));
    }
    action[6] = closed ? 1.0f : -1.0f;
    return action;
}

void ScriptedExpert::enter(Phase phase)
{
    m_phase = phase;
    m_phaseSteps = 0;
}

Action ScriptedExpert::act(const SimState &state)
{
    ++m_phaseSteps;
    return m_layout.task == TaskFamily::PushToZone ? push(state) : pick(state);
}

Action ScriptedExpert::pick(const SimState &state)
{
    const auto &ee = state.eePos;
    const auto &object = state.objectPos[std::size_t(m_layout.target)];
    auto next = [this](Phase phase) { enter(phase); };
    std::array<double, 3> goalXY{};
    if (m_layout.goal >= 0)
        goalXY = state.objectPos[std::size_t(m_layout.goal)];

    switch (m_phase) {
    case Phase::Approach: {
        const std::array<double, 3> above = {object[0], object[1], kTravelHeight};
        if (distance(ee, above) < 0.012)
            next(Phase::Descend);
        return toward(ee, above, false, 1.0);
    }
    case Phase::Descend: {
        const std::array<double, 3> grasp = {object[0], object[1], kGraspHeight};
        if (std::abs(ee[2] - kGraspHeight) < 0.006 && planar(ee, grasp) < 0.008)
            next(Phase::Close);
        return toward(ee, grasp, false, 0.2);
    }
    case Phase::Close:
        if (m_phaseSteps >= 6)
            next(Phase::Lift);
        return toward(ee, {object[0], object[1], kGraspHeight}, true, 0.0);
    case Phase::Lift: {
        const double height = m_layout.task == TaskFamily::LiftRelative ? 0.17 : 0.13;
        if (ee[2] > height - 0.015)
            next(m_layout.task == TaskFamily::LiftRelative ? Phase::Hold : Phase::Carry);
        return toward(ee, {ee[0], ee[1], height}, true, 0.3);
    }
    case Phase::Carry: {
        const std::array<double, 3> above = {goalXY[0], goalXY[1], 0.13};
        if (planar(ee, above) < 0.01)
            next(Phase::Lower);
        return toward(ee, above, true, 1.0);
    }
    case Phase::Lower: {
        const std::array<double, 3> low = {goalXY[0], goalXY[1], 0.035};
        if (ee[2] < 0.045)
            next(Phase::Release);
        return toward(ee, low, true, 0.2);
    }
    case Phase::Release:
        if (m_phaseSteps >= 5)
            next(Phase::Retreat);
        return toward(ee, {goalXY[0], goalXY[1], ee[2]}, false, 0.0);
    case Phase::Retreat:
        return toward(ee, {ee[0], ee[1], kTravelHeight}, false, 0.3);
    case Phase::Hold:
    default:
        return toward(ee, {ee[0], ee[1], 0.17}, true, 0.0);
    }
}

Action ScriptedExpert::push(const SimState &state)
{
    const auto &ee = state.eePos;
    const auto &object = state.objectPos[std::size_t(m_layout.target)];
    const auto &zone = state.objectPos[std::size_t(m_layout.goal)];
    const double radius = m_layout.objects[std::size_t(m_layout.target)].radius();
    const double length = std::max(planar(zone, object), 1e-6);
    const double dx = (zone[0] - object[0]) / length, dy = (zone[1] - object[1]) / length;
    // Where the closed fingers start a push: behind the object on the line to the zone.
    const std::array<double, 3> behind = {object[0] - dx * (radius + kPusherReach + 0.03),
                                          object[1] - dy * (radius + kPusherReach + 0.03),
                                          kPushHeight};
    auto next = [this](Phase phase) { enter(phase); };
    if (length < 0.015 && m_phase == Phase::Push)
        next(Phase::Retreat);

    switch (m_phase) {
    case Phase::PushAbove: {
        const std::array<double, 3> above = {behind[0], behind[1], kTravelHeight};
        if (planar(ee, above) < 0.01)
            next(Phase::PushDown);
        return toward(ee, above, true, 1.0);
    }
    case Phase::PushDown:
        if (ee[2] < kPushHeight + 0.008)
            next(Phase::Push);
        return toward(ee, behind, true, 0.2);
    case Phase::Push: {
        // Stay on the line through the object's centre: a push off the line turns it aside.
        const double ex = ee[0] - object[0], ey = ee[1] - object[1];
        const double along = -(ex * dx + ey * dy);
        const double lateral = std::abs(ex * dy - ey * dx);
        if (lateral > 0.022 || along < radius * 0.6) {
            next(Phase::PushAbove);
            return toward(ee, {ee[0], ee[1], kTravelHeight}, true, 0.0);
        }
        const double overshoot = std::min(length, 0.03);
        const std::array<double, 3> goal = {object[0] - dx * (radius + kPusherReach - overshoot),
                                            object[1] - dy * (radius + kPusherReach - overshoot),
                                            kPushHeight};
        return toward(ee, goal, true, 0.15);
    }
    case Phase::Retreat:
    default:
        return toward(ee, {ee[0], ee[1], kTravelHeight}, true, 0.0);
    }
}

} // namespace grids::sim
