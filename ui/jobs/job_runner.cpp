#include "jobs/job_runner.h"

#include <QMetaObject>
#include <QPointer>
#include <QtConcurrent>

JobControl::JobControl(JobRunner *runner, std::shared_ptr<std::atomic<bool>> cancel, int id)
    : m_runner(runner)
    , m_cancel(std::move(cancel))
    , m_id(id)
{
}

void JobControl::report(qint64 done, qint64 total, const QString &text) const
{
    QPointer<JobRunner> runner(m_runner);
    const int id = m_id;
    QMetaObject::invokeMethod(
        m_runner,
        [runner, id, done, total, text] {
            // A report that arrives after its job ended would move the bar backwards.
            if (runner && runner->m_running && runner->m_runningId == id)
                emit runner->progress(done, total, text);
        },
        Qt::QueuedConnection);
}

grids::Progress JobControl::progress() const
{
    grids::Progress progress;
    progress.cancel = m_cancel.get();
    const JobControl self = *this;
    progress.report = [self](std::int64_t done, std::int64_t total, const std::string &text) {
        self.report(done, total, QString::fromStdString(text));
    };
    return progress;
}

JobRunner::JobRunner(QObject *parent)
    : QObject(parent)
{
    m_pool.setMaxThreadCount(1);
}

JobRunner::~JobRunner()
{
    cancel();
    m_pool.waitForDone();
}

void JobRunner::submit(Work work, const QString &slot, bool supersede)
{
    if (!slot.isEmpty()) {
        m_waiting.erase(std::remove_if(m_waiting.begin(), m_waiting.end(),
                                       [&](const Waiting &w) { return w.slot == slot; }),
                        m_waiting.end());
        if (supersede && m_running && m_runningSlot == slot)
            *m_runningCancel = true;
    }
    m_waiting.push_back({std::move(work), slot});
    if (!m_running)
        startNext();
}

void JobRunner::cancel()
{
    m_waiting.clear();
    if (m_runningCancel)
        *m_runningCancel = true;
}

void JobRunner::startNext()
{
    if (m_waiting.empty()) {
        m_running = false;
        m_runningSlot.clear();
        m_runningCancel.reset();
        return;
    }
    Waiting next = std::move(m_waiting.front());
    m_waiting.pop_front();
    m_running = true;
    m_runningSlot = next.slot;
    m_runningCancel = std::make_shared<std::atomic<bool>>(false);
    const int id = ++m_runningId;
    const JobControl control(this, m_runningCancel, id);
    QPointer<JobRunner> self(this);
    // The result comes back through invokeMethod; the future itself is not needed.
    (void)QtConcurrent::run(&m_pool, [self, control, id, work = std::move(next.work)]() {
        Delivery delivery;
        QString error;
        try {
            delivery = work(control);
        } catch (const std::exception &e) {
            error = QString::fromUtf8(e.what());
        }
        QMetaObject::invokeMethod(
            self.data(),
            [self, id, delivery, error] {
                if (self)
                    self->finish(id, delivery, error);
            },
            Qt::QueuedConnection);
    });
}

void JobRunner::finish(int id, const Delivery &delivery, const QString &error)
{
    if (id != m_runningId)
        return;
    // Idle while the delivery runs: a delivery that submits again (a frame shown asks for the
    // next) starts the queue in order rather than waiting behind itself.
    m_running = false;
    if (!error.isEmpty())
        emit failed(error);
    if (delivery)
        delivery();
    if (!m_running)
        startNext();
}
