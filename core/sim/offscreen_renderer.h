#pragma once

// Internal to core/sim: renders MuJoCo cameras into 8-bit RGB images without a window, through
// an EGL context on Mesa's surfaceless platform (the CPU software renderer on machines without a
// GPU). One renderer per thread: its GL context is made current on the calling thread.

#include <mujoco/mujoco.h>
#include <opencv2/core/mat.hpp>

namespace grids::sim {

class OffscreenRenderer
{
public:
    OffscreenRenderer(); // throws Error{Other} when no EGL/OpenGL context can be created
    ~OffscreenRenderer();
    OffscreenRenderer(const OffscreenRenderer &) = delete;
    OffscreenRenderer &operator=(const OffscreenRenderer &) = delete;

    // Prepares GPU-side resources for a (new) model; call after each model change.
    void attach(const mjModel *model);
    // Upright RGB (CV_8UC3) image of fixed camera `camera`, size of the model's offscreen buffer.
    cv::Mat render(const mjModel *model, mjData *data, int camera);

private:
    void makeCurrent();

    void *m_context = nullptr; // EGLContext
    mjvScene m_scene;
    mjrContext m_mjr;
    mjvOption m_options;
    bool m_attached = false;
};

} // namespace grids::sim
