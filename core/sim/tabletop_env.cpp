#include "sim/tabletop_env.h"

#include "common/error.h"
#include "sim/offscreen_renderer.h"
#include "sim/scene_xml.h"

#include <mujoco/mujoco.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <mutex>

namespace grids::sim {
namespace {

using Clock = std::chrono::steady_clock;

// MuJoCo's XML compiler keeps global state; compile one model at a time.
std::mutex &compilerLock()
{
    static std::mutex lock;
    return lock;
}

mjModel *compile(const std::string &xml)
{
    std::lock_guard guard(compilerLock());
    mjVFS vfs;
    mj_defaultVFS(&vfs);
    const char *name = "tabletop.xml";
    mj_makeEmptyFileVFS(&vfs, name, int(xml.size()));
    std::memcpy(vfs.filedata[vfs.nfile - 1], xml.data(), xml.size());
    char error[1024] = {};
    mjModel *model = mj_loadXML(name, &vfs, error, sizeof error);
    mj_deleteVFS(&vfs);
    if (!model)
        throw Error(Error::Kind::Other, std::string("tabletop scene does not compile: ") + error);
    return model;
}

double seconds(Clock::time_point since)
{
    return std::chrono::duration<double>(Clock::now() - since).count();
}

// Workspace the gripper's target is kept inside.
constexpr double kLow[3] = {-0.26, -0.24, 0.0};
constexpr double kHigh[3] = {0.26, 0.26, 0.30};
constexpr double kMaxLead = 0.04; // how far the target may run ahead of the gripper

} // namespace

struct TabletopEnv::Impl
{
    OffscreenRenderer renderer;
    mjModel *model = nullptr;
    mjData *data = nullptr;
    TaskLayout layout;
    int steps = 0;
    int gripperBody = -1;
    int fingerLeft = -1, fingerRight = -1; // qpos addresses
    std::vector<int> objectBodies;         // per layout object, -1 for flat marks
    std::array<int, 2> cameras{};
    std::array<double, 3> target{};
    double closing = 0.0;
    double physicsTime = 0.0, renderTime = 0.0, resetTime = 0.0;

    ~Impl() { release(); }

    void release()
    {
        if (data)
            mj_deleteData(data);
        if (model)
            mj_deleteModel(model);
        data = nullptr;
        model = nullptr;
    }

    std::array<double, 3> eePos() const
    {
        const double *p = data->xpos + 3 * gripperBody;
        return {p[0], p[1], p[2]};
    }

    void physics(int substeps)
    {
        const auto start = Clock::now();
        std::copy(target.begin(), target.end(), data->mocap_pos);
        data->ctrl[0] = data->ctrl[1] = closing * GripperGeometry::kFingerTravel;
        for (int i = 0; i < substeps; ++i)
            mj_step(model, data);
        physicsTime += seconds(start);
    }
};

const std::vector<std::string> &TabletopEnv::viewNames()
{
    static const std::vector<std::string> names = {"agentview_rgb", "eye_in_hand_rgb"};
    return names;
}

const std::vector<std::string> &TabletopEnv::stateKeys()
{
    static const std::vector<std::string> keys = {"ee_pos", "ee_ori", "gripper_states"};
    return keys;
}

TabletopEnv::TabletopEnv()
    : m_impl(std::make_unique<Impl>())
{}
TabletopEnv::~TabletopEnv() = default;

void TabletopEnv::reset(const TaskLayout &layout)
{
    Impl &s = *m_impl;
    const auto start = Clock::now();
    s.release();
    s.layout = layout;
    s.model = compile(sceneXml(layout));
    s.data = mj_makeData(s.model);
    s.renderer.attach(s.model);
    s.gripperBody = mj_name2id(s.model, mjOBJ_BODY, "gripper");
    s.fingerLeft = s.model->jnt_qposadr[mj_name2id(s.model, mjOBJ_JOINT, "finger_left")];
    s.fingerRight = s.model->jnt_qposadr[mj_name2id(s.model, mjOBJ_JOINT, "finger_right")];
    s.cameras = {mj_name2id(s.model, mjOBJ_CAMERA, "agentview"),
                 mj_name2id(s.model, mjOBJ_CAMERA, "eye_in_hand")};
    s.objectBodies.clear();
    for (const auto &object : layout.objects)
        s.objectBodies.push_back(
            object.movable() ? mj_name2id(s.model, mjOBJ_BODY, object.name.c_str()) : -1);
    s.target = layout.gripperStart;
    s.closing = 0.0;
    s.steps = 0;
    mj_forward(s.model, s.data);
    s.resetTime += seconds(start);
    s.physics(100); // let objects settle on the table (0.2 s)
}

const TaskLayout &TabletopEnv::layout() const
{
    return m_impl->layout;
}

Observation TabletopEnv::observe(bool withViews)
{
    Impl &s = *m_impl;
    Observation obs;
    if (withViews) {
        const auto start = Clock::now();
        for (int camera : s.cameras)
            obs.views.push_back(s.renderer.render(s.model, s.data, camera));
        s.renderTime += seconds(start);
    }

    const auto ee = s.eePos();
    obs.state.assign(ee.begin(), ee.end());
    const double *q = s.data->xquat + 4 * s.gripperBody;
    const double angle = 2.0 * std::acos(std::clamp(q[0], -1.0, 1.0));
    const double norm = std::sqrt(q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
    for (int i = 1; i <= 3; ++i)
        obs.state.push_back(norm > 1e-9 ? float(q[i] / norm * angle) : 0.0f);
    obs.state.push_back(float(s.data->qpos[s.fingerLeft]));
    obs.state.push_back(float(s.data->qpos[s.fingerRight]));
    return obs;
}

void TabletopEnv::step(const Action &action)
{
    Impl &s = *m_impl;
    const auto ee = s.eePos();
    for (int i = 0; i < 3; ++i) {
        const double delta = std::clamp(double(action[std::size_t(i)]), -1.0, 1.0) * kMaxStep;
        s.target[std::size_t(i)] =
            std::clamp(std::clamp(s.target[std::size_t(i)] + delta, ee[std::size_t(i)] - kMaxLead,
                                  ee[std::size_t(i)] + kMaxLead),
                       kLow[i], kHigh[i]);
    }
    s.closing = action[6] > 0.0f ? 1.0 : 0.0;
    s.physics(GripperGeometry::kSubsteps);
    ++s.steps;
}

int TabletopEnv::steps() const
{
    return m_impl->steps;
}

SimState TabletopEnv::simState() const
{
    const Impl &s = *m_impl;
    SimState state;
    state.eePos = s.eePos();
    state.gripperClosing = s.closing;
    for (std::size_t i = 0; i < s.layout.objects.size(); ++i) {
        const int body = s.objectBodies[i];
        if (body < 0) {
            const auto &xy = s.layout.objects[i].xy;
            state.objectPos.push_back({xy[0], xy[1], 0.0});
            state.objectSpeed.push_back(0.0);
            continue;
        }
        const double *p = s.data->xpos + 3 * body;
        state.objectPos.push_back({p[0], p[1], p[2]});
        // cvel holds (angular, linear) velocity of the body's centre of mass.
        const double *v = s.data->cvel + 6 * body + 3;
        state.objectSpeed.push_back(std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]));
    }
    return state;
}

bool TabletopEnv::success() const
{
    return isSuccess(m_impl->layout, simState());
}

std::optional<std::array<double, 2>> TabletopEnv::project(int view,
                                                          const std::array<double, 3> &world) const
{
    const Impl &s = *m_impl;
    const int camera = s.cameras[std::size_t(view)];
    const double *pos = s.data->cam_xpos + 3 * camera;
    const double *mat = s.data->cam_xmat + 9 * camera; // columns: camera x, y, z in world frame
    double local[3] = {0, 0, 0};
    for (int axis = 0; axis < 3; ++axis)
        for (int k = 0; k < 3; ++k)
            local[axis] += mat[3 * k + axis] * (world[std::size_t(k)] - pos[k]);
    if (local[2] >= 0)
        return std::nullopt; // cameras look along their -z axis
    const double fovy = s.model->cam_fovy[camera] * M_PI / 180.0;
    const double focal = 0.5 / std::tan(fovy / 2); // in image heights (square images)
    return std::array<double, 2>{0.5 + focal * local[0] / -local[2],
                                 0.5 - focal * local[1] / -local[2]};
}

double TabletopEnv::physicsSeconds() const
{
    return m_impl->physicsTime;
}

double TabletopEnv::renderSeconds() const
{
    return m_impl->renderTime;
}

double TabletopEnv::resetSeconds() const
{
    return m_impl->resetTime;
}

} // namespace grids::sim
