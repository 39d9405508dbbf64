#include "session/session.h"

#include "common/hash.h"
#include "episodes/episode.h"
#include "jobs/inference_worker.h"
#include "jobs/job_runner.h"
#include "session/episode_library.h"
#include "store/workspace.h"

#include <QFileInfo>
#include <QPointer>

Session::Session(QObject *parent)
    : QObject(parent)
    , m_library(new EpisodeLibrary(this))
    , m_frames(new JobRunner(this))
    , m_inference{new InferenceWorker(this), new InferenceWorker(this)}
    , m_hashing(new JobRunner(this))
{
    qRegisterMetaType<std::shared_ptr<const grids::Frame>>();
    qRegisterMetaType<Session::Column>();
    m_trackTimer.setSingleShot(true);
    m_trackTimer.setInterval(300); // once the selection settles
    connect(&m_trackTimer, &QTimer::timeout, this, &Session::runTrack);
    connect(this, &Session::frameShown, this, [this] {
        identifyEpisode();
        requestInference();
        scheduleTrack();
    });

    for (const Column column : {Main, Compared}) {
        InferenceWorker *worker = m_inference[column];
        connect(worker, &InferenceWorker::checkpointLoaded, this, [this, column](const QString &path) {
            if (column == Main)
                m_trackKey.clear();
            emit checkpointLoaded(column, path);
            if (column == Compared)
                emit comparingChanged();
            requestInference();
            scheduleTrack();
        });
        connect(worker, &InferenceWorker::checkpointFailed, this,
                [this, column](const QString &message) { emit checkpointFailed(column, message); });
        connect(worker, &InferenceWorker::failed, this,
                [this, column](const QString &message) { emit inferenceFailed(column, message); });
        connect(worker, &InferenceWorker::resultReady, this,
                [this, column](int episode, qint64 frame,
                               std::shared_ptr<const grids::FrameResult> result,
                               std::shared_ptr<const grids::FrameResult> baseline) {
                    // One for another episode is dropped, and one made before the probe
                    // changed: a newer one is coming. One for an earlier frame of this episode
                    // is the latest there is while playback runs ahead of inference.
                    if (episode != m_episode || bool(baseline) != m_probe.active() ||
                        (column == Compared && !comparing()))
                        return;
                    emit resultReady(column, frame, std::move(result), std::move(baseline));
                });
        connect(worker, &InferenceWorker::trackReady, this,
                [this, column](int episode, const QString &method, int budget,
                               const std::vector<std::vector<float>> &predicted,
                               const std::vector<std::vector<float>> &demo) {
                    if (!passIsCurrent(column, episode, method, budget))
                        return;
                    m_track[column] = predicted;
                    if (column == Main)
                        m_demoTrack = demo;
                    emit trackReady(column);
                });
        connect(worker, &InferenceWorker::samplesReady, this,
                [this, column](int episode, const QString &method, int budget,
                               const std::vector<grids::ViewSelection> &samples) {
                    if (column == Main && passIsCurrent(column, episode, method, budget))
                        emit samplesReady(samples);
                });
    }

    connect(m_library, &EpisodeLibrary::opened, this, [this](const QString &path, int files) {
        m_fileSha.clear(); // a file opened again may have changed on disk: hash it again
        // Useful at once: with nothing on screen yet, show the first episode opened.
        if (!m_file && files > 0) {
            const std::size_t first = m_library->files().size() - std::size_t(files);
            if (!m_library->files()[first]->episodes().empty())
                setEpisode(m_library->files()[first], 0);
        }
        if (m_pendingFrame && QFileInfo(m_pendingFrame->path).absoluteFilePath() ==
                                  QFileInfo(path).absoluteFilePath()) {
            const PendingFrame pending = *m_pendingFrame;
            m_pendingFrame.reset(); // asked once: a file that did not open is not asked again
            showEpisodeFrame(pending.path, pending.key, pending.frame);
        }
    });
    connect(m_library, &EpisodeLibrary::replaced, this,
            [this](const std::shared_ptr<grids::EpisodeFile> &old,
                   const std::shared_ptr<grids::EpisodeFile> &now) {
                // The same episodes under their new view names: stay where the user was.
                if (m_file != old)
                    return;
                const qint64 frame = m_frame;
                invalidateTrack(); // the pass ran (or failed) on the old views
                setEpisode(now, m_episode);
                setFrame(frame);
            });
}

Session::~Session() = default;

void Session::setEpisode(std::shared_ptr<grids::EpisodeFile> file, int episode)
{
    m_file = std::move(file);
    m_episode = episode;
    m_frame = -1;
    m_shownFrame = -1;
    m_images.clear();
    m_pixels.reset();
    m_identified.clear(); // the panels follow the new episode once it is identified again
    // A box drawn on another episode's views means nothing here.
    if (m_probe.active())
        setProbe({});
    emit episodeChanged();
    setFrame(0);
}

const grids::EpisodeInfo *Session::episodeInfo() const
{
    return m_file ? &m_file->episodes().at(std::size_t(m_episode)) : nullptr;
}

qint64 Session::length() const
{
    return m_file ? episodeInfo()->length : 0;
}

double Session::fps() const
{
    const grids::EpisodeInfo *info = episodeInfo();
    return info ? grids::playbackFps(*info) : grids::playbackFps({});
}

void Session::setFrame(qint64 frame)
{
    if (!m_file || length() == 0)
        return;
    frame = std::clamp<qint64>(frame, 0, length() - 1);
    if (frame == m_frame)
        return;
    m_frame = frame;
    emit frameRequested(frame);
    QPointer<Session> self(this);
    const auto file = m_file;
    const int episode = m_episode;
    m_frames->submit(
        [self, file, episode, frame](const JobControl &) -> JobRunner::Delivery {
            QList<QImage> views;
            std::shared_ptr<const grids::Frame> pixels;
            QString error;
            try {
                auto read = std::make_shared<grids::Frame>(file->frame(std::size_t(episode), frame));
                for (const cv::Mat &view : read->views)
                    views.append(QImage(view.data, view.cols, view.rows, int(view.step),
                                        QImage::Format_RGB888)
                                     .copy());
                pixels = std::move(read);
            } catch (const std::exception &e) {
                error = QString::fromStdString(e.what());
            }
            return [self, file, episode, frame, views, pixels, error] {
                if (self->m_file != file || self->m_episode != episode)
                    return; // another episode is on screen now
                if (!error.isEmpty()) {
                    emit self->frameFailed(error);
                    return;
                }
                self->m_images = views;
                self->m_pixels = pixels;
                self->m_shownFrame = frame;
                emit self->frameShown(frame);
            };
        },
        QStringLiteral("frame"));
}

void Session::showEpisodeFrame(const QString &path, const QString &episodeKey, qint64 frame)
{
    const QString wanted = QFileInfo(path).absoluteFilePath();
    for (const auto &file : m_library->files()) {
        if (QFileInfo(QString::fromStdString(file->path())).absoluteFilePath() != wanted)
            continue;
        const auto &episodes = file->episodes();
        for (std::size_t e = 0; e < episodes.size(); ++e)
            if (QString::fromStdString(episodes[e].key) == episodeKey ||
                (episodeKey.isEmpty() && e == 0)) {
                if (m_file != file || m_episode != int(e))
                    setEpisode(file, int(e));
                setFrame(frame);
                return;
            }
        emit frameFailed(tr("%1: no episode %2").arg(path, episodeKey));
        return;
    }
    if (!QFileInfo::exists(path)) {
        emit frameFailed(tr("%1: the file behind this result is gone").arg(path));
        return;
    }
    m_pendingFrame = std::make_unique<PendingFrame>(PendingFrame{path, episodeKey, frame});
    m_library->open(path);
}

InferenceWorker *Session::inference(Column column) const
{
    return m_inference[column];
}

void Session::loadCheckpoint(Column column, const QString &path)
{
    m_inference[column]->loadCheckpoint(path);
}

void Session::setSelection(Column column, const Selection &selection)
{
    if (selection == m_selection[column])
        return;
    m_selection[column] = selection;
    emit selectionChanged(column);
    requestInference();
    scheduleTrack();
}

void Session::setComparing(bool on)
{
    if (on == m_comparingAsked)
        return;
    m_comparingAsked = on;
    // The main checkpoint, unless another one was chosen for the column.
    if (on && !m_inference[Compared]->hasCheckpoint() && m_inference[Main]->hasCheckpoint())
        m_inference[Compared]->loadCheckpoint(m_inference[Main]->checkpointPath());
    if (!comparing())
        m_track[Compared].clear();
    emit comparingChanged();
    requestInference();
    scheduleTrack();
}

void Session::compareWith(const QString &path)
{
    const bool wasLoaded = m_inference[Compared]->hasCheckpoint();
    // Turning the comparison on may queue the main checkpoint; loads run in order, so the one
    // asked for here, queued after it, is the one that stays.
    setComparing(true);
    const QString source = path.isEmpty() ? m_inference[Main]->checkpointPath() : path;
    if (!source.isEmpty() && (!path.isEmpty() || wasLoaded))
        m_inference[Compared]->loadCheckpoint(source);
}

bool Session::comparing() const
{
    return m_comparingAsked && m_inference[Compared]->hasCheckpoint();
}

void Session::setProbe(const grids::Probe &probe)
{
    if (probe.active() == m_probe.active() && probe.key() == m_probe.key())
        return;
    m_probe = probe;
    emit probeChanged();
    requestInference();
}

void Session::requestInference()
{
    if (!m_pixels || !m_file || !m_inference[Main]->hasCheckpoint())
        return;
    InferenceWorker::Request request;
    request.episode = m_episode;
    request.frame = m_shownFrame;
    request.pixels = m_pixels;
    request.views = episodeInfo()->views;
    request.cacheKey = InferenceWorker::frameKey(m_file->path(), m_episode, m_shownFrame);
    request.probe = m_probe;
    if (comparing()) {
        InferenceWorker::Request second = request;
        second.method = m_selection[Compared].method;
        second.budget = m_selection[Compared].budget;
        m_inference[Compared]->request(std::move(second));
    }
    request.method = m_selection[Main].method;
    request.budget = m_selection[Main].budget;
    m_inference[Main]->request(std::move(request));
}

QString Session::trackKey() const
{
    const auto spell = [this](Column column) {
        return m_inference[column]->checkpointPath() + "|" + m_selection[column].method + "|" +
               QString::number(m_selection[column].budget);
    };
    return QString::fromStdString(m_file->path()) + "|" + QString::number(m_episode) + "|" +
           spell(Main) + (comparing() ? "|" + spell(Compared) : QString());
}

void Session::scheduleTrack()
{
    if (!m_file || !m_inference[Main]->hasCheckpoint())
        return;
    const QString key = trackKey();
    if (key == m_trackKey)
        return;
    m_trackKey = key;
    m_track[Main].clear();
    m_track[Compared].clear();
    m_demoTrack.clear();
    emit trackCleared();
    m_trackTimer.start();
}

void Session::invalidateTrack()
{
    m_trackKey.clear();
}

void Session::runTrack()
{
    if (!m_file || !m_inference[Main]->hasCheckpoint())
        return;
    const QString path = QString::fromStdString(m_file->path());
    m_inference[Main]->requestTrack(path, m_episode, m_selection[Main].method,
                                    m_selection[Main].budget);
    if (comparing())
        m_inference[Compared]->requestTrack(path, m_episode, m_selection[Compared].method,
                                            m_selection[Compared].budget);
}

bool Session::passIsCurrent(Column column, int episode, const QString &method, int budget) const
{
    return episode == m_episode && method == m_selection[column].method &&
           budget == m_selection[column].budget && (column == Main || comparing());
}

bool Session::openWorkspace(const QString &path)
{
    try {
        m_workspace = std::make_unique<grids::Workspace>(path.toStdString());
    } catch (const std::exception &e) {
        emit workspaceFailed(QString::fromStdString(e.what()));
        return false;
    }
    m_identified.clear();
    emit workspaceChanged();
    identifyEpisode();
    return true;
}

void Session::identifyEpisode()
{
    if (!m_file || !m_workspace)
        return;
    const std::string path = m_file->path();
    const QString identity = QString::fromStdString(path) + "|" + QString::number(m_episode);
    if (identity == m_identified)
        return;
    m_identified = identity;
    const std::string key = episodeInfo()->key;
    if (const auto known = m_fileSha.find(path); known != m_fileSha.end()) {
        emit episodeIdentified({known->second, key, path});
        return;
    }
    QPointer<Session> self(this);
    const int episode = m_episode;
    m_hashing->submit(
        [self, path, key, episode](const JobControl &) -> JobRunner::Delivery {
            std::string sha;
            try {
                sha = grids::sha256OfFile(path); // reads the whole file: never on the UI thread
            } catch (const std::exception &) {
                return {};
            }
            return [self, sha, path, key, episode] {
                if (!self)
                    return;
                self->m_fileSha[path] = sha;
                if (self->m_file && self->m_file->path() == path && self->m_episode == episode)
                    emit self->episodeIdentified({sha, key, path});
            };
        },
        QStringLiteral("identify"));
}
