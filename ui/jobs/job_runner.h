#pragma once

#include "common/progress.h"

#include <QObject>
#include <QString>
#include <QThreadPool>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>

class JobRunner;

// What a job sees while it runs off the UI thread: whether it has been cancelled, and a way to
// report progress, which reaches its runner's progress() signal on the UI thread.
class JobControl
{
public:
    bool cancelled() const { return *m_cancel; }
    void report(qint64 done, qint64 total, const QString &text = {}) const;
    // The same control as core's Progress, for core's long loops (sweeps, evaluations, export).
    grids::Progress progress() const;

private:
    friend class JobRunner;
    JobControl(JobRunner *runner, std::shared_ptr<std::atomic<bool>> cancel, int id);
    JobRunner *m_runner; // reached only through queued calls, guarded on the UI thread
    std::shared_ptr<std::atomic<bool>> m_cancel;
    int m_id;
};

// The one way the GUI runs work off the UI thread (frame reads, inference, video export,
// evaluations, reports). Jobs run one at a time, in order, on a thread of the runner's own, so a
// job may use an object that must not be shared between threads (an EpisodeFile, a Policy).
// A job returns what to do with its result on the UI thread (a "delivery"), which runs only while
// the runner exists. A job submitted under a slot replaces that slot's job still waiting, so
// scrubbing never queues stale frames; with `supersede` it also cancels that slot's running job.
// The destructor cancels the running job, drops the waiting ones and waits, so no job outlives
// what it refers to.
class JobRunner : public QObject
{
    Q_OBJECT

public:
    using Delivery = std::function<void()>;
    using Work = std::function<Delivery(const JobControl &)>;

    explicit JobRunner(QObject *parent = nullptr);
    ~JobRunner() override;

    void submit(Work work, const QString &slot = {}, bool supersede = false);
    // Cancels the running job (it stops at its next check) and drops the waiting ones.
    void cancel();
    bool busy() const { return m_running || !m_waiting.empty(); }

signals:
    void progress(qint64 done, qint64 total, const QString &text);
    // A job threw instead of returning: its message (jobs report their own errors normally).
    void failed(const QString &message);

private:
    friend class JobControl;
    struct Waiting
    {
        Work work;
        QString slot;
    };
    void startNext();
    void finish(int id, const Delivery &delivery, const QString &error);

    QThreadPool m_pool;
    std::deque<Waiting> m_waiting;
    bool m_running = false;
    int m_runningId = 0;
    QString m_runningSlot;
    std::shared_ptr<std::atomic<bool>> m_runningCancel;
};
