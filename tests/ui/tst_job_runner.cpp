// JobRunner, the one way the GUI runs work off the UI thread: order, slots, supersede, cancel,
// progress, errors and what its destructor guarantees.

#include "jobs/job_runner.h"

#include <QCoreApplication>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

namespace {

// A job that blocks until released (or cancelled), so the queue behind it can be arranged.
struct Gate
{
    std::atomic<bool> started{false}, open{false};
    void wait(const JobControl &control)
    {
        started = true;
        while (!open && !control.cancelled())
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
};

} // namespace

class TestJobRunner : public QObject
{
    Q_OBJECT

private slots:
    // Jobs run one at a time, in the order submitted, never on the UI thread; each delivery
    // runs on the UI thread, before the next job starts.
    void runsInOrderOffTheUiThreadAndDeliversOnIt()
    {
        JobRunner runner;
        QStringList log;
        std::atomic<int> running{0}, most{0};
        bool offUiThread = true, deliveredOnUiThread = true;
        QThread *ui = QThread::currentThread();
        for (int i = 0; i < 5; ++i)
            runner.submit([&, i](const JobControl &) -> JobRunner::Delivery {
                most = std::max(most.load(), ++running);
                offUiThread = offUiThread && QThread::currentThread() != ui;
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
                --running;
                return [&, i] {
                    deliveredOnUiThread = deliveredOnUiThread && QThread::currentThread() == ui;
                    log << QString("delivered %1").arg(i);
                };
            });
        QVERIFY(runner.busy());
        QTRY_VERIFY_WITH_TIMEOUT(!runner.busy(), 5000);
        QCOMPARE(log, QStringList({"delivered 0", "delivered 1", "delivered 2", "delivered 3",
                                   "delivered 4"}));
        QCOMPARE(most.load(), 1);
        QVERIFY(offUiThread);
        QVERIFY(deliveredOnUiThread);
    }

    // A job under a slot replaces that slot's job still waiting (scrubbing queues no stale
    // frames); other slots' jobs keep their place.
    void aSlotKeepsOnlyItsLatestWaitingJob()
    {
        JobRunner runner;
        Gate gate;
        QStringList ran;
        runner.submit([&](const JobControl &c) -> JobRunner::Delivery {
            gate.wait(c);
            return [&] { ran << "first"; };
        });
        QTRY_VERIFY(gate.started);
        for (const QString name : {"frame 1", "frame 2", "frame 3"})
            runner.submit([&, name](const JobControl &) -> JobRunner::Delivery { return [&, name] { ran << name; }; },
                          "frame");
        runner.submit([&](const JobControl &) -> JobRunner::Delivery { return [&] { ran << "other"; }; },
                      "other");
        gate.open = true;
        QTRY_VERIFY_WITH_TIMEOUT(!runner.busy(), 5000);
        QCOMPARE(ran, QStringList({"first", "frame 3", "other"}));
    }

    // With supersede, the slot's running job is told to stop as well; one under another slot
    // or without supersede runs on.
    void supersedeCancelsTheSlotsRunningJob()
    {
        JobRunner runner;
        Gate gate;
        std::atomic<bool> sawCancel{false};
        runner.submit(
            [&](const JobControl &c) -> JobRunner::Delivery {
                gate.wait(c);
                sawCancel = c.cancelled();
                return {};
            },
            "track");
        QTRY_VERIFY(gate.started);
        runner.submit([](const JobControl &) -> JobRunner::Delivery { return {}; }, "track");
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        QVERIFY(!sawCancel); // not superseded: still waiting for the gate
        runner.submit([](const JobControl &) -> JobRunner::Delivery { return {}; }, "track", true);
        QTRY_VERIFY_WITH_TIMEOUT(!runner.busy(), 5000);
        QVERIFY(sawCancel);
        QVERIFY(!gate.open);
    }

    // cancel() stops the running job at its next check and drops the waiting ones.
    void cancelStopsTheRunningJobAndDropsTheRest()
    {
        JobRunner runner;
        Gate gate;
        std::atomic<bool> stopped{false};
        bool laterRan = false;
        runner.submit([&](const JobControl &c) -> JobRunner::Delivery {
            gate.wait(c);
            stopped = c.cancelled();
            return {};
        });
        runner.submit([&](const JobControl &) -> JobRunner::Delivery { return [&] { laterRan = true; }; });
        QTRY_VERIFY(gate.started);
        runner.cancel();
        QTRY_VERIFY_WITH_TIMEOUT(!runner.busy(), 5000);
        QVERIFY(stopped);
        QVERIFY(!laterRan);
    }

    // Progress reported from the job (directly or through core's Progress) reaches progress()
    // on the UI thread, in order; a job that throws is reported by failed() and the queue goes on.
    void progressAndErrorsReachTheUiThread()
    {
        JobRunner runner;
        QSignalSpy progress(&runner, &JobRunner::progress);
        QSignalSpy failed(&runner, &JobRunner::failed);
        runner.submit([](const JobControl &c) -> JobRunner::Delivery {
            c.report(1, 3, "one");
            c.progress().report(2, 3, "two");
            return {};
        });
        runner.submit([](const JobControl &) -> JobRunner::Delivery {
            throw std::runtime_error("episode.hdf5: no such dataset");
        });
        bool after = false;
        runner.submit([&](const JobControl &) -> JobRunner::Delivery { return [&] { after = true; }; });
        QTRY_VERIFY_WITH_TIMEOUT(!runner.busy(), 5000);
        QCoreApplication::processEvents();
        QCOMPARE(progress.size(), 2);
        QCOMPARE(progress[0][0].toLongLong(), 1);
        QCOMPARE(progress[1][2].toString(), QString("two"));
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed[0][0].toString(), QString("episode.hdf5: no such dataset"));
        QVERIFY(after);
    }

    // The destructor cancels the running job, drops the waiting ones and waits: when it returns
    // no job runs, and no delivery runs later.
    void destructionWaitsAndDeliversNothing()
    {
        auto gate = std::make_shared<Gate>();
        auto finished = std::make_shared<std::atomic<bool>>(false);
        bool delivered = false, waitingRan = false;
        {
            JobRunner runner;
            runner.submit([gate, finished, &delivered](const JobControl &c) -> JobRunner::Delivery {
                gate->wait(c);
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
                *finished = true;
                return [&delivered] { delivered = true; };
            });
            runner.submit([&waitingRan](const JobControl &) -> JobRunner::Delivery {
                waitingRan = true;
                return {};
            });
            QTRY_VERIFY(gate->started);
        }
        QVERIFY(*finished); // waited for
        QTest::qWait(50);
        QVERIFY(!delivered);
        QVERIFY(!waitingRan);
    }
};

QTEST_MAIN(TestJobRunner)
#include "tst_job_runner.moc"
