// Kills a writer process with SIGKILL in the middle of a stream of annotation writes; the
// database must pass PRAGMA integrity_check and hold every write acknowledged before the kill.
// Two writers at once both land.

#include "store/workspace.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <set>

using namespace grids;

class TestWorkspaceCrash : public QObject
{
    Q_OBJECT

private slots:
    void killedWriterLosesNoAcknowledgedWrite_data()
    {
        QTest::addColumn<int>("acksBeforeKill");
        QTest::newRow("early") << 5;
        QTest::newRow("later") << 150;
        QTest::newRow("much later") << 600;
    }

    void killedWriterLosesNoAcknowledgedWrite()
    {
        QFETCH(int, acksBeforeKill);
        QTemporaryDir dir;
        const QString db = dir.filePath("crash.sqlite");
        std::set<std::int64_t> acknowledged;
        QByteArray pending;

        // Three kills in a row on the same file: each restart also recovers the previous crash.
        for (int round = 0; round < 3; ++round) {
            QProcess writer;
            writer.start(GRIDS_WORKSPACE_WRITER, {db});
            QVERIFY(writer.waitForStarted());
            int acks = 0;
            auto collect = [&] {
                pending += writer.readAllStandardOutput();
                int newline;
                while ((newline = pending.indexOf('\n')) >= 0) {
                    const QByteArray line = pending.left(newline);
                    pending.remove(0, newline + 1);
                    if (line.startsWith("ack ")) {
                        acknowledged.insert(line.mid(4).toLongLong());
                        ++acks;
                    }
                }
            };
            while (acks < acksBeforeKill && writer.state() == QProcess::Running) {
                writer.waitForReadyRead(5000);
                collect();
            }
            QVERIFY2(acks >= acksBeforeKill, writer.readAllStandardError().constData());
            writer.kill(); // SIGKILL
            QVERIFY(writer.waitForFinished(10000));
            QCOMPARE(writer.exitStatus(), QProcess::CrashExit);
            collect(); // acks already in the pipe were acknowledged before the kill
            pending.clear();
        }

        Workspace ws(db.toStdString());
        QCOMPARE(ws.integrityCheck(), std::string("ok"));
        std::set<std::int64_t> stored;
        for (const auto &a : ws.annotations())
            stored.insert(a.id);
        for (auto id : acknowledged)
            QVERIFY2(stored.count(id), qPrintable(QStringLiteral("lost write %1").arg(id)));
        QVERIFY(int(acknowledged.size()) >= 3 * acksBeforeKill);
    }

    // Two processes writing one workspace at once (annotations, and runs of 400 rows whose
    // transactions hold the write lock longer): both finish without an error, and every write
    // of both is there.
    void twoWritersAtOnceBothLand()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath("shared.sqlite");
        Workspace(db.toStdString()); // created before the race
        QProcess first, second;
        first.start(GRIDS_WORKSPACE_WRITER, {db, "500", "first"});
        second.start(GRIDS_WORKSPACE_WRITER, {db, "500", "second"});
        for (QProcess *writer : {&first, &second}) {
            QVERIFY(writer->waitForFinished(120000));
            QVERIFY2(writer->exitStatus() == QProcess::NormalExit && writer->exitCode() == 0,
                     writer->readAllStandardError().constData());
            QCOMPARE(writer->readAllStandardOutput().count("ack "), 500);
        }
        Workspace ws(db.toStdString());
        QCOMPARE(ws.integrityCheck(), std::string("ok"));
        int annotations[2] = {0, 0};
        for (const auto &a : ws.annotations())
            ++annotations[a.label.rfind("second", 0) == 0 ? 1 : 0];
        QCOMPARE(annotations[0], 480);
        QCOMPARE(annotations[1], 480);
        const auto runs = ws.runs("sweep");
        QCOMPARE(int(runs.size()), 40);
        for (const auto &run : runs)
            QCOMPARE(int(ws.frameResults(run.id).size()), 400);
    }
};

QTEST_GUILESS_MAIN(TestWorkspaceCrash)
#include "tst_workspace_crash.moc"
