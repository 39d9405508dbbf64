#include "inference_worker.h"

#include <QMetaObject>
#include <QPointer>
#include <QtConcurrent>

InferenceWorker::InferenceWorker(QObject *parent)
    : QObject(parent)
{
    m_pool.setMaxThreadCount(1);
    qRegisterMetaType<std::shared_ptr<const grids::FrameResult>>();
}

InferenceWorker::~InferenceWorker()
{
    m_pool.waitForDone();
}

void InferenceWorker::loadCheckpoint(const QString &path)
{
    QPointer<InferenceWorker> self(this);
    // Loading runs on the same pool as inference, after whatever frame is running.
    (void)QtConcurrent::run(&m_pool, [self, path]() {
        std::shared_ptr<grids::Policy> policy;
        QString error;
        try {
            policy = grids::Policy::load(path.toStdString());
        } catch (const std::exception &e) {
            error = QString::fromStdString(e.what());
        }
        QMetaObject::invokeMethod(
            self.data(),
            [self, policy, path, error]() {
                if (!self)
                    return;
                if (!policy) {
                    emit self->checkpointFailed(error);
                    return;
                }
                self->m_policy = policy;
                self->m_info = std::make_shared<grids::CheckpointInfo>(policy->info());
                emit self->checkpointLoaded(path);
            },
            Qt::QueuedConnection);
    });
}

void InferenceWorker::request(Request request)
{
    if (!m_policy || !request.pixels)
        return;
    if (m_busy) {
        m_pending = std::make_unique<Request>(std::move(request));
        return;
    }
    start(std::move(request));
}

void InferenceWorker::start(Request request)
{
    m_busy = true;
    QPointer<InferenceWorker> self(this);
    std::shared_ptr<grids::Policy> policy = m_policy;
    (void)QtConcurrent::run(&m_pool, [self, policy, request]() {
        std::shared_ptr<const grids::FrameResult> result;
        QString error;
        try {
            result = std::make_shared<grids::FrameResult>(
                policy->run(*request.pixels, request.views, request.method.toStdString(),
                            request.budget, request.cacheKey));
        } catch (const std::exception &e) {
            error = QString::fromStdString(e.what());
        }
        QMetaObject::invokeMethod(
            self.data(),
            [self, request, result, error]() {
                if (!self)
                    return;
                self->m_busy = false;
                if (result)
                    emit self->resultReady(request.episode, request.frame, result);
                else
                    emit self->failed(error);
                if (self->m_pending) {
                    Request next = std::move(*self->m_pending);
                    self->m_pending.reset();
                    self->start(std::move(next));
                }
            },
            Qt::QueuedConnection);
    });
}
