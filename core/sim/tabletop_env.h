#pragma once

#include "sim/tasks.h"

#include <opencv2/core/mat.hpp>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace grids::sim {

// LIBERO's 7-D action: Δposition xyz, Δrotation xyz, gripper (-1 open, +1 close). Each of the
// first three is in [-1, 1] and moves the gripper's target by up to kMaxStep metres per control
// step; the gripper keeps a fixed orientation here, so the rotation part is accepted and ignored.
using Action = std::array<float, 7>;

// What a policy sees at one control step.
struct Observation
{
    std::vector<cv::Mat> views; // agentview_rgb, eye_in_hand_rgb: upright RGB 128×128
    std::vector<float> state;   // ee_pos (3), ee_ori (3, axis-angle), gripper_states (2)
};

// The tabletop simulator for one episode at a time: MuJoCo physics at 500 Hz under 20 Hz control,
// two cameras rendered offscreen. Not thread-safe; one environment per thread (each owns its own
// offscreen GL context).
class TabletopEnv
{
public:
    static constexpr double kMaxStep = 0.015; // metres per control step at |action| = 1

    static const std::vector<std::string> &viewNames();
    static const std::vector<std::string> &stateKeys(); // ee_pos, ee_ori, gripper_states

    TabletopEnv();
    ~TabletopEnv();
    TabletopEnv(const TabletopEnv &) = delete;
    TabletopEnv &operator=(const TabletopEnv &) = delete;

    // Builds the scene of `layout` and lets the objects settle.
    void reset(const TaskLayout &layout);
    const TaskLayout &layout() const;

    // The current views (unless `withViews` is false) and state.
    Observation observe(bool withViews = true);
    void step(const Action &action);
    int steps() const;
    bool success() const;
    SimState simState() const;

    // Image-normalised (x, y) where a world point appears in view `view` (0 = agentview), or
    // nullopt when it lies behind the camera.
    std::optional<std::array<double, 2>> project(int view,
                                                 const std::array<double, 3> &world) const;

    // Seconds spent in physics, in rendering and in building scenes (reset: compiling the model,
    // preparing its GL resources) since construction (for the benchmark).
    double physicsSeconds() const;
    double renderSeconds() const;
    double resetSeconds() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace grids::sim
