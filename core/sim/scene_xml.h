#pragma once

#include "sim/tasks.h"

#include <string>

namespace grids::sim {

// Geometry of the floating parallel-jaw gripper, shared by the scene and the controller.
struct GripperGeometry
{
    static constexpr double kFingerTravel = 0.036; // closing travel of each finger (m)
    static constexpr double kControlHz = 20.0;
    static constexpr double kTimestep = 0.002;
    static constexpr int kSubsteps = 25; // physics steps per control step
    static constexpr int kImageSize = 128;
};

// The MJCF model of a layout: table, gripper (a mocap-welded free body with two slide fingers),
// the layout's objects and marks, and the cameras agentview and eye_in_hand (128×128).
std::string sceneXml(const TaskLayout &layout);

} // namespace grids::sim
