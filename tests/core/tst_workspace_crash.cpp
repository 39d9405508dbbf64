// Kills a writer process with SIGKILL in the middle of a stream of annotation writes; the
// database must pass PRAGMA integrity_check and hold every write acknowledged before the kill.

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
};

QTEST_GUILESS_MAIN(TestWorkspaceCrash)
#include "tst_workspace_crash.moc"
