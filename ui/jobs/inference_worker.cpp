#include "jobs/inference_worker.h"

#include "dialogs/policy_server_settings.h"
#include "dialogs/view_map.h"

#include "episodes/episode.h"

#include <QMetaObject>
#include <QPointer>
#include <QtConcurrent>

#include <algorithm>

InferenceWorker::InferenceWorker(QObject *parent)
    : QObject(parent)
{
    m_pool.setMaxThreadCount(1);
    m_trackPool.setMaxThreadCount(1);
    qRegisterMetaType<std::shared_ptr<const grids::FrameResult>>();
}

std::string InferenceWorker::frameKey(const std::string &path, int episode, qint64 frame)
{
    return path + "|" + std::to_string(episode) + "|" + std::to_string(frame);
}

InferenceWorker::~InferenceWorker()
{
    ++*m_trackGeneration; // abandon a running whole-episode pass
    m_pool.waitForDone();
    m_trackPool.waitForDone();
}

void InferenceWorker::loadCheckpoint(const QString &path)
{
    QPointer<InferenceWorker> self(this);
    const grids::RemotePolicyOptions options = policyServerOptions(); // settings: on the UI thread
    // Loading runs on the same pool as inference, after whatever frame is running.
    (void)QtConcurrent::run(&m_pool, [self, path, options]() {
        std::shared_ptr<grids::Policy> policy, trackPolicy;
        QString error;
        try {
            // A checkpoint file, or a policy server (one connection per policy).
            policy = grids::openPolicy(path.toStdString(), "cpu", options);
            trackPolicy = grids::openPolicy(path.toStdString(), "cpu", options);
        } catch (const std::exception &e) {
            error = QString::fromStdString(e.what());
        }
        QMetaObject::invokeMethod(
            self.data(),
            [self, policy, trackPolicy, path, error]() {
                if (!self)
                    return;
                if (!policy) {
                    emit self->checkpointFailed(error);
                    return;
                }
                self->m_policy = policy;
                self->m_trackPolicy = trackPolicy;
                self->m_info = std::make_shared<grids::CheckpointInfo>(policy->info());
                self->m_path = path;
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
        std::shared_ptr<const grids::FrameResult> result, baseline;
        QString error;
        try {
            const std::string method = request.method.toStdString();
            result = std::make_shared<grids::FrameResult>(policy->run(
                *request.pixels, request.views, method, request.budget, request.cacheKey));
            if (request.probe.active()) {
                baseline = result;
                // Probed pixels are other pixels: their encoding is cached under its own key.
                result = std::make_shared<grids::FrameResult>(policy->run(
                    grids::applyProbe(*request.pixels, request.probe), request.views, method,
                    request.budget,
                    request.cacheKey.empty() ? std::string()
                                             : request.cacheKey + "|probe|" + request.probe.key()));
            }
        } catch (const std::exception &e) {
            error = QString::fromStdString(e.what());
        }
        QMetaObject::invokeMethod(
            self.data(),
            [self, request, result, baseline, error]() {
                if (!self)
                    return;
                self->m_busy = false;
                if (result)
                    emit self->resultReady(request.episode, request.frame, result, baseline);
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

void InferenceWorker::requestTrack(const QString &path,
                                   int episode,
                                   const QString &method,
                                   int budget)
{
    if (!m_trackPolicy)
        return;
    const grids::ViewRenames renames = storedViewMap(path); // the views the screen shows
    const int generation = ++*m_trackGeneration;
    auto current = m_trackGeneration;
    QPointer<InferenceWorker> self(this);
    std::shared_ptr<grids::Policy> policy = m_trackPolicy;
    (void)QtConcurrent::run(&m_trackPool, [self, policy, path, episode, method, budget, generation,
                                           current, renames]() {
        std::vector<std::vector<float>> predicted, demo;
        std::vector<grids::ViewSelection> samples; // per view, every frame's coordinates
        try {
            // A reader of its own: the frame loader's is busy on another thread.
            auto file = grids::renameViews(grids::openEpisodeFile(path.toStdString()), renames);
            const grids::EpisodeInfo &info = file->episodes().at(std::size_t(episode));
            for (std::int64_t t = 0; t < info.length; ++t) {
                if (*current != generation)
                    return; // superseded
                const grids::Frame frame = file->frame(std::size_t(episode), t);
                const grids::FrameResult r =
                    policy->run(frame, info.views, method.toStdString(), budget,
                                frameKey(path.toStdString(), episode, t));
                predicted.push_back(r.actions.row(0));
                for (const auto &selection : r.views) {
                    auto same = std::find_if(samples.begin(), samples.end(), [&](const auto &s) {
                        return s.view == selection.view;
                    });
                    if (same == samples.end())
                        same = samples.insert(samples.end(),
                                              grids::ViewSelection{selection.view, {}, {}, {}});
                    same->coords.insert(same->coords.end(), selection.coords.begin(),
                                        selection.coords.end());
                }
                demo.push_back(frame.action);
            }
        } catch (const std::exception &) {
            return; // the frame-by-frame path reports errors; the plot stays empty
        }
        QMetaObject::invokeMethod(
            self.data(),
            [self, episode, method, budget, predicted, demo, samples]() {
                if (!self)
                    return;
                emit self->trackReady(episode, method, budget, predicted, demo);
                emit self->samplesReady(episode, method, budget, samples);
            },
            Qt::QueuedConnection);
    });
}
