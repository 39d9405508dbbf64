#pragma once

#include "model/policy.h"
#include "model/probe.h"

#include <QObject>
#include <QString>

#include <memory>
#include <vector>

class JobRunner;

// The one owner of inference (ARCHITECTURE.md): loads a checkpoint and runs frames on a job
// runner of its own, never on the UI thread. While one frame runs, a newer request replaces the
// pending one, so scrubbing or dragging the budget slider never queues up stale work. Encoder
// outputs are cached per frame by the Policy, so changing method or budget re-runs only the
// selector and the head. Whole-episode passes for the action plots run beside it.
class InferenceWorker : public QObject
{
    Q_OBJECT

public:
    struct Request
    {
        int episode = 0;
        qint64 frame = 0;
        std::shared_ptr<const grids::Frame> pixels;
        std::vector<grids::ViewInfo> views;
        std::string cacheKey; // file hash or path + episode + frame
        QString method;
        int budget = 0;
        grids::Probe probe; // when active, the frame is run probed and unmodified
    };

    explicit InferenceWorker(QObject *parent = nullptr);
    // The encoder-cache key of a frame: the frame on screen and the whole-episode pass must
    // spell it alike to share cached encodings.
    static std::string frameKey(const std::string &path, int episode, qint64 frame);
    ~InferenceWorker() override;

    void loadCheckpoint(const QString &path);
    QString checkpointPath() const { return m_path; }
    bool hasCheckpoint() const { return bool(m_info); }
    // The loaded checkpoint's facts (valid when hasCheckpoint()).
    const grids::CheckpointInfo &info() const { return *m_info; }
    void request(Request request);
    bool busy() const;
    // Runs every frame of an episode (read from its own reader of `path`) for the action plots;
    // a newer track request abandons an older one between frames.
    void requestTrack(const QString &path, int episode, const QString &method, int budget);

signals:
    void checkpointLoaded(const QString &path);
    void checkpointFailed(const QString &message);
    // `baseline` is the unmodified frame's result when the request carried a probe (else null).
    void resultReady(int episode,
                     qint64 frame,
                     std::shared_ptr<const grids::FrameResult> result,
                     std::shared_ptr<const grids::FrameResult> baseline);
    void failed(const QString &message);
    // Row 0 of each frame's prediction and the demonstration's action, frame by frame.
    void trackReady(int episode,
                    const QString &method,
                    int budget,
                    const std::vector<std::vector<float>> &predicted,
                    const std::vector<std::vector<float>> &demo);

    // Every frame's coordinates of the same pass, per view (for the sampling-density layer).
    void samplesReady(int episode,
                      const QString &method,
                      int budget,
                      const std::vector<grids::ViewSelection> &samples);

private:
    JobRunner *m_frames; // loads, then frames (a newer frame replaces one still waiting)
    std::shared_ptr<grids::Policy> m_policy; // used on m_frames' thread only
    // Whole-episode passes run on a runner and a Policy of their own, so that they never delay
    // the frame on screen (a Policy is used by one thread at a time).
    JobRunner *m_tracks;
    std::shared_ptr<grids::Policy> m_trackPolicy;
    std::shared_ptr<const grids::CheckpointInfo> m_info;
    QString m_path; // of the loaded checkpoint
};
