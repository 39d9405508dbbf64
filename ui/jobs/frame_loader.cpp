#include "jobs/frame_loader.h"

#include "episodes/episode.h"

#include <QMetaObject>
#include <QPointer>
#include <QtConcurrent>

FrameLoader::FrameLoader(QObject *parent)
    : QObject(parent)
{
    m_pool.setMaxThreadCount(1);
    qRegisterMetaType<std::shared_ptr<const grids::Frame>>();
}

FrameLoader::~FrameLoader()
{
    m_pool.waitForDone();
}

void FrameLoader::request(std::shared_ptr<grids::EpisodeFile> file, int episode, qint64 frame)
{
    Request request{std::move(file), episode, frame};
    if (m_busy) {
        m_pending = std::make_unique<Request>(std::move(request));
        return;
    }
    start(request);
}

void FrameLoader::start(const Request &request)
{
    m_busy = true;
    QPointer<FrameLoader> self(this);
    // The result comes back through invokeMethod; the future itself is not needed.
    (void)QtConcurrent::run(&m_pool, [self, request]() {
        QList<QImage> views;
        std::shared_ptr<const grids::Frame> pixels;
        QString error;
        try {
            auto frame = std::make_shared<grids::Frame>(
                request.file->frame(std::size_t(request.episode), request.frame));
            pixels = frame;
            for (const cv::Mat &view : frame->views)
                views.append(
                    QImage(view.data, view.cols, view.rows, int(view.step), QImage::Format_RGB888)
                        .copy());
        } catch (const std::exception &e) {
            error = QString::fromStdString(e.what());
        }
        QMetaObject::invokeMethod(
            self.data(),
            [self, request, views, pixels, error]() {
                if (!self)
                    return;
                self->m_busy = false;
                if (error.isEmpty())
                    emit self->frameReady(request.episode, request.frame, views, pixels);
                else
                    emit self->failed(error);
                if (self->m_pending) {
                    const Request next = *self->m_pending;
                    self->m_pending.reset();
                    self->start(next);
                }
            },
            Qt::QueuedConnection);
    });
}
