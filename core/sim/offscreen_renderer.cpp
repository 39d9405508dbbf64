#include "sim/offscreen_renderer.h"

#include "common/error.h"

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <opencv2/core.hpp>

#include <mutex>
#include <string>

namespace grids::sim {
namespace {

EGLDisplay surfacelessDisplay()
{
    static std::once_flag once;
    static EGLDisplay display = EGL_NO_DISPLAY;
    static std::string problem;
    std::call_once(once, [] {
        // Mesa's surfaceless platform needs no X server, no GPU and no window.
        auto getPlatformDisplay = reinterpret_cast<PFNEGLGETPLATFORMDISPLAYEXTPROC>(
            eglGetProcAddress("eglGetPlatformDisplayEXT"));
        if (getPlatformDisplay)
            display =
                getPlatformDisplay(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr);
        if (display == EGL_NO_DISPLAY)
            display = eglGetDisplay(EGL_DEFAULT_DISPLAY);
        EGLint major = 0, minor = 0;
        if (display == EGL_NO_DISPLAY || !eglInitialize(display, &major, &minor)) {
            problem = "cannot initialise EGL (is Mesa's libegl-mesa0 installed?)";
            display = EGL_NO_DISPLAY;
        }
    });
    if (display == EGL_NO_DISPLAY)
        throw Error(Error::Kind::Other, "offscreen rendering: " + problem);
    return display;
}

// Mesa's llvmpipe (Debian 12: Mesa 22.3) crashes, rarely, when threads render with their own
// contexts at the same time: twice in a day of dataset generation (SIGSEGV in swrast_dri.so,
// reading a scene's list of referenced textures that another thread was changing). Every call
// that touches GL holds this lock. llvmpipe rasterises a frame with its own threads, so little
// parallelism is lost: physics and the expert still run side by side.
std::mutex &glLock()
{
    static std::mutex lock;
    return lock;
}

} // namespace

OffscreenRenderer::OffscreenRenderer()
{
    std::lock_guard lock(glLock());
    EGLDisplay display = surfacelessDisplay();
    const EGLint attributes[] = {EGL_SURFACE_TYPE,
                                 EGL_PBUFFER_BIT,
                                 EGL_RENDERABLE_TYPE,
                                 EGL_OPENGL_BIT,
                                 EGL_RED_SIZE,
                                 8,
                                 EGL_GREEN_SIZE,
                                 8,
                                 EGL_BLUE_SIZE,
                                 8,
                                 EGL_DEPTH_SIZE,
                                 24,
                                 EGL_NONE};
    EGLConfig config = nullptr;
    EGLint count = 0;
    if (!eglChooseConfig(display, attributes, &config, 1, &count) || count < 1)
        throw Error(Error::Kind::Other, "offscreen rendering: no suitable EGL configuration");
    eglBindAPI(EGL_OPENGL_API);
    m_context = eglCreateContext(display, config, EGL_NO_CONTEXT, nullptr);
    if (m_context == EGL_NO_CONTEXT)
        throw Error(Error::Kind::Other, "offscreen rendering: cannot create an OpenGL context");
    makeCurrent();
    mjv_defaultScene(&m_scene);
    mjr_defaultContext(&m_mjr);
    mjv_defaultOption(&m_options);
}

OffscreenRenderer::~OffscreenRenderer()
{
    std::lock_guard lock(glLock());
    EGLDisplay display = surfacelessDisplay();
    makeCurrent();
    if (m_attached) {
        mjr_freeContext(&m_mjr);
        mjv_freeScene(&m_scene);
    }
    eglMakeCurrent(display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
    eglDestroyContext(display, static_cast<EGLContext>(m_context));
}

void OffscreenRenderer::makeCurrent()
{
    if (eglGetCurrentContext() == m_context)
        return;
    if (!eglMakeCurrent(surfacelessDisplay(), EGL_NO_SURFACE, EGL_NO_SURFACE,
                        static_cast<EGLContext>(m_context)))
        throw Error(Error::Kind::Other, "offscreen rendering: cannot make the context current");
}

void OffscreenRenderer::attach(const mjModel *model)
{
    std::lock_guard lock(glLock());
    makeCurrent();
    if (m_attached) {
        mjr_freeContext(&m_mjr);
        mjv_freeScene(&m_scene);
    }
    mjv_makeScene(model, &m_scene, 2000);
    mjr_makeContext(model, &m_mjr, mjFONTSCALE_100);
    mjr_setBuffer(mjFB_OFFSCREEN, &m_mjr);
    if (m_mjr.currentBuffer != mjFB_OFFSCREEN)
        throw Error(Error::Kind::Other, "offscreen rendering: no offscreen framebuffer");
    m_attached = true;
}

cv::Mat OffscreenRenderer::render(const mjModel *model, mjData *data, int camera)
{
    std::lock_guard lock(glLock());
    makeCurrent();
    mjvCamera view;
    mjv_defaultCamera(&view);
    view.type = mjCAMERA_FIXED;
    view.fixedcamid = camera;
    mjv_updateScene(model, data, &m_options, nullptr, &view, mjCAT_ALL, &m_scene);
    const mjrRect viewport = {0, 0, model->vis.global.offwidth, model->vis.global.offheight};
    mjr_render(viewport, &m_scene, &m_mjr);
    cv::Mat bottomUp(viewport.height, viewport.width, CV_8UC3);
    mjr_readPixels(bottomUp.data, nullptr, viewport, &m_mjr);
    cv::Mat upright;
    cv::flip(bottomUp, upright, 0); // OpenGL's first row is the bottom one
    return upright;
}

} // namespace grids::sim
