#include "jobs/inference_worker.h"

#include "dialogs/policy_server_settings.h"
#include "dialogs/view_map.h"
#include "jobs/job_runner.h"

#include "episodes/episode.h"

#include <QPointer>

#include <algorithm>

InferenceWorker::InferenceWorker(QObject *parent)
    : QObject(parent)
    , m_frames(new JobRunner(this))
    , m_tracks(new JobRunner(this))
{
    qRegisterMetaType<std::shared_ptr<const grids::FrameResult>>();
}

std::string InferenceWorker::frameKey(const std::string &path, int episode, qint64 frame)
{
    return path + "|" + std::to_string(episode) + "|" + std::to_string(frame);
}

InferenceWorker::~InferenceWorker() = default; // the runners cancel and wait for their jobs

bool InferenceWorker::busy() const
{
    return m_frames->busy();
}

void InferenceWorker::loadCheckpoint(const QString &path)
{
    QPointer<InferenceWorker> self(this);
    const grids::RemotePolicyOptions options = policyServerOptions(); // settings: on the UI thread
    // Loading runs on the frames' runner, after whatever frame is running, and is never replaced.
    m_frames->submit([self, path, options](const JobControl &) -> JobRunner::Delivery {
        std::shared_ptr<grids::Policy> policy, trackPolicy;
        QString error;
        try {
            // A checkpoint file, or a policy server (one connection per policy).
            policy = grids::openPolicy(path.toStdString(), "cpu", options);
            trackPolicy = grids::openPolicy(path.toStdString(), "cpu", options);
        } catch (const std::exception &e) {
            error = QString::fromStdString(e.what());
        }
        return [self, policy, trackPolicy, path, error] {
            if (!policy) {
                emit self->checkpointFailed(error);
                return;
            }
            self->m_tracks->cancel(); // a pass of the previous checkpoint
            self->m_policy = policy;
            self->m_trackPolicy = trackPolicy;
            self->m_info = std::make_shared<grids::CheckpointInfo>(policy->info());
            self->m_path = path;
            emit self->checkpointLoaded(path);
        };
    });
}

void InferenceWorker::request(Request request)
{
    if (!m_policy || !request.pixels)
        return;
    QPointer<InferenceWorker> self(this);
    std::shared_ptr<grids::Policy> policy = m_policy;
    m_frames->submit(
        [self, policy, request](const JobControl &) -> JobRunner::Delivery {
            std::shared_ptr<const grids::FrameResult> result, baseline;
            QString error;
            try {
                const std::string method = request.method.toStdString();
                result = std::make_shared<grids::FrameResult>(policy->run(
                    *request.pixels, request.views, method, request.budget, request.cacheKey));
                if (request.probe.active()) {
                    baseline = result;
                    // Probed pixels are other pixels: their encoding is cached under its own key.
                    result = std::make_shared<grids::FrameResult>(
                        policy->run(grids::applyProbe(*request.pixels, request.probe),
                                    request.views, method, request.budget,
                                    request.cacheKey.empty()
                                        ? std::string()
                                        : request.cacheKey + "|probe|" + request.probe.key()));
                }
            } catch (const std::exception &e) {
                error = QString::fromStdString(e.what());
            }
            return [self, request, result, baseline, error] {
                if (result)
                    emit self->resultReady(request.episode, request.frame, result, baseline);
                else
                    emit self->failed(error);
            };
        },
        QStringLiteral("frame"));
}

void InferenceWorker::requestTrack(const QString &path,
                                   int episode,
                                   const QString &method,
                                   int budget)
{
    if (!m_trackPolicy)
        return;
    const grids::ViewRenames renames = storedViewMap(path); // the views the screen shows
    QPointer<InferenceWorker> self(this);
    std::shared_ptr<grids::Policy> policy = m_trackPolicy;
    // A newer pass abandons this one between frames.
    m_tracks->submit(
        [self, policy, path, episode, method, budget,
         renames](const JobControl &control) -> JobRunner::Delivery {
            std::vector<std::vector<float>> predicted, demo;
            std::vector<grids::ViewSelection> samples; // per view, every frame's coordinates
            try {
                // A reader of its own: the frame loader's is busy on another thread.
                auto file =
                    grids::renameViews(grids::openEpisodeFile(path.toStdString()), renames);
                const grids::EpisodeInfo &info = file->episodes().at(std::size_t(episode));
                for (std::int64_t t = 0; t < info.length; ++t) {
                    if (control.cancelled())
                        return {};
                    const grids::Frame frame = file->frame(std::size_t(episode), t);
                    const grids::FrameResult r =
                        policy->run(frame, info.views, method.toStdString(), budget,
                                    frameKey(path.toStdString(), episode, t));
                    predicted.push_back(r.actions.row(0));
                    for (const auto &selection : r.views) {
                        auto same =
                            std::find_if(samples.begin(), samples.end(),
                                         [&](const auto &s) { return s.view == selection.view; });
                        if (same == samples.end())
                            same = samples.insert(samples.end(),
                                                  grids::ViewSelection{selection.view, {}, {}, {}});
                        same->coords.insert(same->coords.end(), selection.coords.begin(),
                                            selection.coords.end());
                    }
                    demo.push_back(frame.action);
                }
            } catch (const std::exception &) {
                return {}; // the frame-by-frame path reports errors; the plot stays empty
            }
            return [self, episode, method, budget, predicted, demo, samples] {
                emit self->trackReady(episode, method, budget, predicted, demo);
                emit self->samplesReady(episode, method, budget, samples);
            };
        },
        QStringLiteral("track"), true);
}
