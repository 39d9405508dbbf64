#pragma once

#include <QImage>
#include <QList>
#include <QObject>
#include <QThreadPool>

#include <memory>

namespace grids {
class EpisodeFile;
struct Frame;
} // namespace grids

// Reads frames off the UI thread. Requests run one at a time on a private single-thread pool
// (an EpisodeFile is used by one thread at a time); while one read runs, newer requests replace
// older pending ones, so scrubbing never queues up stale frames.
class FrameLoader : public QObject
{
    Q_OBJECT

public:
    explicit FrameLoader(QObject *parent = nullptr);
    ~FrameLoader() override;

    void request(std::shared_ptr<grids::EpisodeFile> file, int episode, qint64 frame);

signals:
    // Views upright RGB, in the episode's view order, and the frame itself (pixels, state,
    // action, instruction) for inference.
    void frameReady(int episode,
                    qint64 frame,
                    const QList<QImage> &views,
                    std::shared_ptr<const grids::Frame> pixels);
    void failed(const QString &message);

private:
    struct Request
    {
        std::shared_ptr<grids::EpisodeFile> file;
        int episode = 0;
        qint64 frame = 0;
    };
    void start(const Request &request);

    QThreadPool m_pool;
    bool m_busy = false;
    std::unique_ptr<Request> m_pending;
};
