#pragma once

// The `tabletop` task suite (SIM.md): task families, their randomised layouts and success
// predicates. Plain data, no MuJoCo: the scene builder and the environment read these.

#include "common/random.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace grids::sim {

enum class TaskFamily {
    PickPlace,    // "put the red cube on the blue plate": which cube, which plate (colour)
    PushToZone,   // "push the green cylinder to the yellow zone": too wide to grasp: contact push
    PickByShape,  // "put the red cylinder on the plate": a same-colour distractor of another shape
    LiftRelative, // "pick up the cube left of the plate": two identical cubes, a spatial relation
};

const std::vector<TaskFamily> &allTaskFamilies();
std::string taskName(TaskFamily task); // "pick_place", …
std::optional<TaskFamily> taskFromName(const std::string &name);
// "tabletop" (every family) or "tabletop/<task>"; throws Error{Usage} naming the known tasks.
std::vector<TaskFamily> parseSuite(const std::string &suite);
int stepLimit(TaskFamily task); // control steps at 20 Hz

enum class Shape { Cube, Cylinder, WideCylinder, Plate, Zone };

struct Colour
{
    std::string name;
    std::array<float, 3> rgb;
};
const std::vector<Colour> &palette();

// One thing on the table. Movable objects (cubes, cylinders) have free joints; plates and zones
// are flat marks on the table that nothing collides with.
struct SceneObject
{
    std::string name; // unique MJCF body name, e.g. "obj0"
    Shape shape = Shape::Cube;
    Colour colour;
    std::array<double, 2> xy{}; // position on the table (m)
    double yaw = 0.0;

    bool movable() const
    {
        return shape == Shape::Cube || shape == Shape::Cylinder || shape == Shape::WideCylinder;
    }
    double radius() const;     // footprint radius (m)
    double halfHeight() const; // 0 for flat marks
};

struct TaskLayout
{
    TaskFamily task = TaskFamily::PickPlace;
    std::uint64_t seed = 0;
    std::string instruction;
    std::vector<SceneObject> objects;
    int target = 0;      // index of the object to move
    int goal = -1;       // index of the plate or zone, -1 when none (LiftRelative)
    int distractor = -1; // the object most easily confused with the target
    std::array<double, 3> gripperStart{};
};

// Deterministic given (task, seed): same seed, same layout, on every machine.
TaskLayout sampleLayout(TaskFamily task, std::uint64_t seed);

// What the success predicates read from the simulator.
struct SimState
{
    std::vector<std::array<double, 3>> objectPos; // per layout object (flat marks: on the table)
    std::vector<double> objectSpeed;              // linear speed per object (m/s)
    std::array<double, 3> eePos{};
    double gripperClosing = 0.0; // finger closing command in [0, 1]
};

bool isSuccess(const TaskLayout &layout, const SimState &state);

// The object the instruction locates the task by: the goal (plate or zone), or for LiftRelative
// the plate the cube is left or right of. Recorded with the target in demonstrations
// (obs/reference_pos, obs/target_pos) for training's object loss.
int referenceObject(const TaskLayout &layout);

} // namespace grids::sim
