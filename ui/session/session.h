#pragma once

#include "model/probe.h"
#include "store/annotation.h"

#include <QImage>
#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>

#include <array>
#include <map>
#include <memory>
#include <vector>

namespace grids {
class EpisodeFile;
class Workspace;
struct EpisodeInfo;
struct Frame;
struct FrameResult;
struct ViewSelection;
} // namespace grids
class EpisodeLibrary;
class InferenceWorker;
class JobRunner;

// The document the window shows (as Tiled's MapDocument is the map being edited): the files
// opened, the episode and frame on screen, which checkpoint runs in each column with which
// method and budget, the probe, and the workspace. Panels read it and change it through its
// setters; it says what changed through typed signals, runs what must follow (reading the frame,
// inference, the whole-episode pass of the action plots) and hands panels only results that
// belong to what is on screen. The window composes panels and menus around one Session.
class Session : public QObject
{
    Q_OBJECT

public:
    // The columns of the episode view: the main checkpoint, and the compared one beside it.
    enum Column { Main = 0, Compared = 1 };
    struct Selection
    {
        QString method;
        int budget = 0; // tokens per view (0 for dense)
        bool operator==(const Selection &other) const
        {
            return method == other.method && budget == other.budget;
        }
    };

    explicit Session(QObject *parent = nullptr);
    ~Session() override;

    EpisodeLibrary *library() const { return m_library; }

    // ---- The episode on screen
    void setEpisode(std::shared_ptr<grids::EpisodeFile> file, int episode);
    // Asks for a frame (clamped to the episode); frameShown follows once it has been read.
    void setFrame(qint64 frame);
    std::shared_ptr<grids::EpisodeFile> file() const { return m_file; }
    int episode() const { return m_episode; }
    const grids::EpisodeInfo *episodeInfo() const; // null with nothing on screen
    qint64 frame() const { return m_frame; }       // the frame asked for
    qint64 length() const;
    double fps() const; // the episode's recording rate (20 Hz when the file does not say)
    // The frame whose pictures are on screen (-1 before the first arrives), its pictures
    // (upright RGB, in the episode's view order) and its state, action and instruction.
    qint64 shownFrame() const { return m_shownFrame; }
    const QList<QImage> &shownImages() const { return m_images; }
    std::shared_ptr<const grids::Frame> shownPixels() const { return m_pixels; }
    // Shows frame `frame` of episode `episodeKey` (empty: the first) in `path`, opening the file
    // when needed.
    void showEpisodeFrame(const QString &path, const QString &episodeKey, qint64 frame);

    // ---- Checkpoints and selections, per column
    InferenceWorker *inference(Column column) const;
    void loadCheckpoint(Column column, const QString &path);
    Selection selection(Column column) const { return m_selection[column]; }
    void setSelection(Column column, const Selection &selection);
    // The compared column: asked for, and on once its checkpoint has loaded.
    void setComparing(bool on);
    bool comparingAsked() const { return m_comparingAsked; }
    // Turns the comparison on, running `path` (empty: the main checkpoint) in its column.
    void compareWith(const QString &path = {});
    bool comparing() const;

    // ---- Counterfactual probe of the frame on screen (every column runs it)
    const grids::Probe &probe() const { return m_probe; }
    void setProbe(const grids::Probe &probe);

    // ---- The whole-episode pass behind the action plots (row-0 actions per frame)
    const std::vector<std::vector<float>> &track(Column column) const { return m_track[column]; }
    const std::vector<std::vector<float>> &demoTrack() const { return m_demoTrack; }
    // Forgets the pass so that the next request runs it again (its views changed).
    void invalidateTrack();

    // ---- The workspace annotations, runs and plots are kept in
    bool openWorkspace(const QString &path); // false: workspaceFailed says why
    grids::Workspace *workspace() const { return m_workspace.get(); }

signals:
    void episodeChanged(); // another episode (or file) is on screen
    void frameRequested(qint64 frame);
    void frameShown(qint64 frame);
    void frameFailed(const QString &message);
    void checkpointLoaded(Session::Column column, const QString &path);
    void checkpointFailed(Session::Column column, const QString &message);
    void selectionChanged(Session::Column column);
    void comparingChanged();
    void probeChanged();
    // A result for a frame of the episode on screen under the current probe: the frame on
    // screen, or (while playback runs ahead of inference) an earlier one, the latest finished.
    // `baseline` is the unprobed frame's result when a probe is on.
    void resultReady(Session::Column column,
                     qint64 frame,
                     std::shared_ptr<const grids::FrameResult> result,
                     std::shared_ptr<const grids::FrameResult> baseline);
    void inferenceFailed(Session::Column column, const QString &message);
    void trackCleared();                       // a new pass started: plots empty until it lands
    void trackReady(Session::Column column);   // track(column) holds the pass
    void samplesReady(const std::vector<grids::ViewSelection> &samples); // main column's pass
    void workspaceChanged();
    void workspaceFailed(const QString &message);
    // The episode on screen by content (file SHA-256), computed off the UI thread.
    void episodeIdentified(const grids::EpisodeRef &episode);

private:
    void requestInference();
    void scheduleTrack();
    void runTrack();
    void identifyEpisode();
    QString trackKey() const;
    bool passIsCurrent(Column column, int episode, const QString &method, int budget) const;

    EpisodeLibrary *m_library;
    std::shared_ptr<grids::EpisodeFile> m_file;
    int m_episode = -1;
    qint64 m_frame = -1, m_shownFrame = -1;
    QList<QImage> m_images;
    std::shared_ptr<const grids::Frame> m_pixels;
    JobRunner *m_frames; // reads frames, one at a time, latest wins
    std::array<InferenceWorker *, 2> m_inference;
    std::array<Selection, 2> m_selection;
    bool m_comparingAsked = false;
    grids::Probe m_probe;
    std::array<std::vector<std::vector<float>>, 2> m_track;
    std::vector<std::vector<float>> m_demoTrack;
    QString m_trackKey; // what the pass behind the plots ran on
    QTimer m_trackTimer;
    struct PendingFrame
    {
        QString path, key;
        qint64 frame = 0;
    };
    std::unique_ptr<PendingFrame> m_pendingFrame; // shown once its file has opened
    std::unique_ptr<grids::Workspace> m_workspace;
    QString m_identified; // the episode whose content key was last asked for (path|index)
    std::map<std::string, std::string> m_fileSha; // content keys of the files hashed so far
    JobRunner *m_hashing; // content keys, off the UI thread
};
