#include "sim/tasks.h"

#include "common/error.h"

#include <algorithm>
#include <cmath>

namespace grids::sim {
namespace {

constexpr double kTableXMin = -0.17, kTableXMax = 0.17;
constexpr double kTableYMin = -0.07, kTableYMax = 0.16;
constexpr double kClearance = 0.03; // free space between footprints
constexpr double kPlaceTolerance = 0.045;
constexpr double kLiftHeight = 0.10;

double distance2d(const std::array<double, 2> &a, const std::array<double, 2> &b)
{
    return std::hypot(a[0] - b[0], a[1] - b[1]);
}

// Distance from p to the segment a–b.
double distanceToSegment(const std::array<double, 2> &p,
                         const std::array<double, 2> &a,
                         const std::array<double, 2> &b)
{
    const double vx = b[0] - a[0], vy = b[1] - a[1];
    const double length2 = vx * vx + vy * vy;
    const double t = length2 > 0
                         ? std::clamp(((p[0] - a[0]) * vx + (p[1] - a[1]) * vy) / length2, 0.0, 1.0)
                         : 0.0;
    return std::hypot(p[0] - (a[0] + t * vx), p[1] - (a[1] + t * vy));
}

std::string shapeWord(Shape shape)
{
    return shape == Shape::Cube ? "cube" : "cylinder";
}

// Picks `n` distinct colours.
std::vector<Colour> distinctColours(Random &random, int n)
{
    std::vector<Colour> pool = palette();
    std::vector<Colour> out;
    for (int i = 0; i < n; ++i) {
        const int k = random.index(int(pool.size()));
        out.push_back(pool[std::size_t(k)]);
        pool.erase(pool.begin() + k);
    }
    return out;
}

class LayoutBuilder
{
public:
    LayoutBuilder(TaskLayout &layout, Random &random)
        : m_layout(layout)
        , m_random(random)
    {}

    // Places an object at a random free spot inside [x0, x1] × [y0, y1]; false when none found.
    bool place(SceneObject object,
               double x0 = kTableXMin,
               double x1 = kTableXMax,
               double y0 = kTableYMin,
               double y1 = kTableYMax)
    {
        for (int attempt = 0; attempt < 200; ++attempt) {
            object.xy = {m_random.uniform(x0 + object.radius(), x1 - object.radius()),
                         m_random.uniform(y0 + object.radius(), y1 - object.radius())};
            if (object.xy[0] - object.radius() < kTableXMin ||
                object.xy[0] + object.radius() > kTableXMax ||
                object.xy[1] - object.radius() < kTableYMin ||
                object.xy[1] + object.radius() > kTableYMax)
                continue;
            const bool free = std::all_of(m_layout.objects.begin(), m_layout.objects.end(),
                                          [&](const SceneObject &other) {
                                              // Flat marks may not overlap each other; objects keep
                                              // clear of everything.
                                              return distance2d(object.xy, other.xy) >
                                                     object.radius() + other.radius() + kClearance;
                                          });
            if (!free)
                continue;
            object.yaw = object.shape == Shape::Cube ? m_random.uniform(-0.5, 0.5) : 0.0;
            object.name = "obj" + std::to_string(m_layout.objects.size());
            m_layout.objects.push_back(object);
            return true;
        }
        return false;
    }

private:
    TaskLayout &m_layout;
    Random &m_random;
};

SceneObject make(Shape shape, const Colour &colour)
{
    SceneObject object;
    object.shape = shape;
    object.colour = colour;
    return object;
}

// Places one object of `shape` per colour; false when the table has no room.
bool placeAll(LayoutBuilder &builder, Shape shape, const std::vector<Colour> &colours)
{
    for (const auto &colour : colours)
        if (!builder.place(make(shape, colour)))
            return false;
    return true;
}

bool buildPickPlace(TaskLayout &layout, Random &random)
{
    LayoutBuilder builder(layout, random);
    const auto plateColours = distinctColours(random, 2);
    const auto cubeColours = distinctColours(random, 3);
    if (!placeAll(builder, Shape::Plate, plateColours) ||
        !placeAll(builder, Shape::Cube, cubeColours))
        return false;
    layout.goal = random.index(2);
    layout.target = 2 + random.index(3);
    layout.distractor = layout.target == 2 ? 3 : 2;
    layout.instruction = "put the " + layout.objects[std::size_t(layout.target)].colour.name +
                         " cube on the " + layout.objects[std::size_t(layout.goal)].colour.name +
                         " plate";
    return true;
}

bool buildPushToZone(TaskLayout &layout, Random &random)
{
    LayoutBuilder builder(layout, random);
    const auto zoneColours = distinctColours(random, 2);
    const auto cylinderColours = distinctColours(random, 2);
    if (!placeAll(builder, Shape::Zone, zoneColours) ||
        !placeAll(builder, Shape::WideCylinder, cylinderColours))
        return false;
    layout.goal = random.index(2);
    layout.target = 2 + random.index(2);
    layout.distractor = layout.target == 2 ? 3 : 2;
    const SceneObject &target = layout.objects[std::size_t(layout.target)];
    const SceneObject &goal = layout.objects[std::size_t(layout.goal)];
    const SceneObject &other = layout.objects[std::size_t(layout.distractor)];
    // The push needs room: a clear path to the zone, a push distance worth the name, and space
    // behind the cylinder for the gripper to start from.
    const double pushLength = distance2d(target.xy, goal.xy);
    if (pushLength < 0.08 || pushLength > 0.24)
        return false;
    if (distanceToSegment(other.xy, target.xy, goal.xy) < target.radius() + other.radius() + 0.04)
        return false;
    const double dx = (goal.xy[0] - target.xy[0]) / pushLength;
    const double dy = (goal.xy[1] - target.xy[1]) / pushLength;
    const std::array<double, 2> start = {target.xy[0] - dx * (target.radius() + 0.05),
                                         target.xy[1] - dy * (target.radius() + 0.05)};
    if (start[0] < kTableXMin - 0.03 || start[0] > kTableXMax + 0.03 ||
        start[1] < kTableYMin - 0.06 || start[1] > kTableYMax + 0.03)
        return false;
    if (distance2d(start, other.xy) < other.radius() + 0.04)
        return false;
    layout.instruction =
        "push the " + target.colour.name + " cylinder to the " + goal.colour.name + " zone";
    return true;
}

bool buildPickByShape(TaskLayout &layout, Random &random)
{
    LayoutBuilder builder(layout, random);
    const auto colours = distinctColours(random, 3); // target, third object, plate
    if (!builder.place(make(Shape::Plate, colours[2])))
        return false;
    const Shape targetShape = random.index(2) ? Shape::Cube : Shape::Cylinder;
    const Shape otherShape = targetShape == Shape::Cube ? Shape::Cylinder : Shape::Cube;
    if (!builder.place(make(targetShape, colours[0])) ||
        !builder.place(make(otherShape, colours[0])) ||
        !builder.place(make(random.index(2) ? Shape::Cube : Shape::Cylinder, colours[1])))
        return false;
    layout.goal = 0;
    layout.target = 1;
    layout.distractor = 2;
    layout.instruction =
        "put the " + colours[0].name + " " + shapeWord(targetShape) + " on the plate";
    return true;
}

bool buildLiftRelative(TaskLayout &layout, Random &random)
{
    LayoutBuilder builder(layout, random);
    const auto colours = distinctColours(random, 3); // cubes, plate, third object
    if (!builder.place(make(Shape::Plate, colours[1]), -0.06, 0.06, -0.02, 0.12))
        return false;
    const auto plate = layout.objects[0].xy;
    if (!builder.place(make(Shape::Cube, colours[0]), kTableXMin, plate[0] - 0.06, plate[1] - 0.07,
                       plate[1] + 0.07) ||
        !builder.place(make(Shape::Cube, colours[0]), plate[0] + 0.06, kTableXMax, plate[1] - 0.07,
                       plate[1] + 0.07) ||
        !builder.place(make(random.index(2) ? Shape::Cube : Shape::Cylinder, colours[2])))
        return false;
    const bool left = random.index(2) == 0;
    layout.target = left ? 1 : 2;
    layout.distractor = left ? 2 : 1;
    layout.instruction =
        std::string("pick up the cube ") + (left ? "left" : "right") + " of the plate";
    return true;
}

} // namespace

int referenceObject(const TaskLayout &layout)
{
    return layout.goal >= 0 ? layout.goal : 0; // LiftRelative places its plate first
}

const std::vector<TaskFamily> &allTaskFamilies()
{
    static const std::vector<TaskFamily> all = {TaskFamily::PickPlace, TaskFamily::PushToZone,
                                                TaskFamily::PickByShape, TaskFamily::LiftRelative};
    return all;
}

std::string taskName(TaskFamily task)
{
    switch (task) {
    case TaskFamily::PickPlace:
        return "pick_place";
    case TaskFamily::PushToZone:
        return "push_to_zone";
    case TaskFamily::PickByShape:
        return "pick_by_shape";
    case TaskFamily::LiftRelative:
        return "lift_relative";
    }
    return "pick_place";
}

std::optional<TaskFamily> taskFromName(const std::string &name)
{
    for (TaskFamily task : allTaskFamilies())
        if (taskName(task) == name)
            return task;
    return std::nullopt;
}

std::vector<TaskFamily> parseSuite(const std::string &suite)
{
    const std::string prefix = "tabletop";
    if (suite == prefix)
        return allTaskFamilies();
    if (suite.rfind(prefix + "/", 0) == 0)
        if (auto task = taskFromName(suite.substr(prefix.size() + 1)))
            return {*task};
    std::string known;
    for (TaskFamily task : allTaskFamilies())
        known += (known.empty() ? "" : ", ") + prefix + "/" + taskName(task);
    throw usageError("unknown suite '" + suite + "' (known: tabletop, " + known + ")");
}

int stepLimit(TaskFamily task)
{
    switch (task) {
    case TaskFamily::PushToZone:
        return 260;
    case TaskFamily::LiftRelative:
        return 160;
    default:
        return 240;
    }
}

const std::vector<Colour> &palette()
{
    static const std::vector<Colour> colours = {
        {"red", {0.85f, 0.12f, 0.10f}},    {"green", {0.10f, 0.65f, 0.20f}},
        {"blue", {0.12f, 0.30f, 0.90f}},   {"yellow", {0.95f, 0.82f, 0.10f}},
        {"purple", {0.55f, 0.20f, 0.75f}}, {"white", {0.95f, 0.95f, 0.95f}},
    };
    return colours;
}

double SceneObject::radius() const
{
    switch (shape) {
    case Shape::Cube:
        return 0.028; // half diagonal of a 4 cm cube
    case Shape::Cylinder:
        return 0.018;
    case Shape::WideCylinder:
        return 0.035;
    case Shape::Plate:
    case Shape::Zone:
        return 0.06;
    }
    return 0.03;
}

double SceneObject::halfHeight() const
{
    switch (shape) {
    case Shape::Cube:
        return 0.02;
    case Shape::Cylinder:
        return 0.025;
    case Shape::WideCylinder:
        return 0.025;
    default:
        return 0.0;
    }
}

TaskLayout sampleLayout(TaskFamily task, std::uint64_t seed)
{
    // Each attempt draws from its own stream, so a rejected layout does not shift later ones.
    for (std::uint64_t attempt = 0;; ++attempt) {
        Random random(seed * 0x100000001B3ull + attempt * 0x9E37ull + std::uint64_t(task) * 7919);
        TaskLayout layout;
        layout.task = task;
        layout.seed = seed;
        bool ok = false;
        switch (task) {
        case TaskFamily::PickPlace:
            ok = buildPickPlace(layout, random);
            break;
        case TaskFamily::PushToZone:
            ok = buildPushToZone(layout, random);
            break;
        case TaskFamily::PickByShape:
            ok = buildPickByShape(layout, random);
            break;
        case TaskFamily::LiftRelative:
            ok = buildLiftRelative(layout, random);
            break;
        }
        if (!ok)
            continue;
        layout.gripperStart = {random.uniform(-0.05, 0.05), random.uniform(-0.13, -0.09),
                               random.uniform(0.14, 0.17)};
        return layout;
    }
}

bool isSuccess(const TaskLayout &layout, const SimState &state)
{
    const auto &target = layout.objects[std::size_t(layout.target)];
    const auto &pos = state.objectPos[std::size_t(layout.target)];
    switch (layout.task) {
    case TaskFamily::PickPlace:
    case TaskFamily::PickByShape: {
        const auto &goal = layout.objects[std::size_t(layout.goal)].xy;
        const bool onPlate = std::hypot(pos[0] - goal[0], pos[1] - goal[1]) < kPlaceTolerance;
        const bool resting = pos[2] < target.halfHeight() + 0.015 &&
                             state.objectSpeed[std::size_t(layout.target)] < 0.05;
        return onPlate && resting && state.gripperClosing < 0.5;
    }
    case TaskFamily::PushToZone: {
        const auto &goal = layout.objects[std::size_t(layout.goal)].xy;
        return std::abs(pos[0] - goal[0]) < kPlaceTolerance &&
               std::abs(pos[1] - goal[1]) < kPlaceTolerance &&
               state.objectSpeed[std::size_t(layout.target)] < 0.05;
    }
    case TaskFamily::LiftRelative: {
        const auto &other = state.objectPos[std::size_t(layout.distractor)];
        const double otherHalf = layout.objects[std::size_t(layout.distractor)].halfHeight();
        return pos[2] > kLiftHeight && other[2] < otherHalf + 0.01;
    }
    }
    return false;
}

} // namespace grids::sim
