// SIGKILL in the middle of the commands that write: `sweep` and `eval --db` (a workspace),
// `export-video` (an MP4) and `train` (a checkpoint). Afterwards the workspace passes
// integrity_check and holds every run the command reported before it died, nothing half-written
// stands under a final name, and the same command run again completes.

#include "fixtures.h"
#include "store/workspace.h"

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

namespace {

QString bundled(const char *path)
{
    return QString(GRIDS_DATASETS_DIR) + "/" + path;
}

// Starts `grids args`, waits until its output (both streams) contains `marker` and then
// `afterMs` more, kills it with SIGKILL, and returns what it printed. (Progress lines come every
// few seconds when the output is not a terminal: the delay puts the kill between two of them.)
QByteArray killWhenSaid(const QStringList &args, const QByteArray &marker, int afterMs = 0)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(GRIDS_CLI, args);
    if (!process.waitForStarted())
        return "did not start";
    QByteArray said;
    while (!said.contains(marker) && process.state() == QProcess::Running) {
        process.waitForReadyRead(1000);
        said += process.readAll();
    }
    QElapsedTimer waited;
    waited.start();
    while (waited.elapsed() < afterMs && process.state() == QProcess::Running) {
        process.waitForReadyRead(int(std::max<qint64>(1, afterMs - waited.elapsed())));
        said += process.readAll();
    }
    process.kill();
    process.waitForFinished(10000);
    said += process.readAll();
    return said;
}

} // namespace

class TestCliKill : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    // A sweep records its runs when they are whole: killed while running frames, it leaves a
    // sound workspace with none of them, and the next call does them all.
    void killedSweep()
    {
        const QString db = m_dir.filePath("sweep.sqlite");
        const QStringList args = {"sweep", "--checkpoint", bundled("checkpoints/tabletop-dense.pt"),
                                  "--episodes", bundled("tabletop/tabletop_demo.hdf5"),
                                  "--every", "1", "--methods", "dense,tome,divprune", "--budgets", "4,16",
                                  "--db", db};
        // About 6 s of work with one inference thread (the tests' setting): killed 1.5 s in.
        const QByteArray said = killWhenSaid(args, "progress: ", 1500);
        QVERIFY2(said.contains("progress: ") && !said.contains("frames run"), said.constData());
        {
            grids::Workspace workspace(db.toStdString());
            QCOMPARE(workspace.integrityCheck(), std::string("ok"));
            QCOMPARE(int(workspace.runs().size()), 0);
        }
        const auto again = fixtures::runProcess(GRIDS_CLI, args + QStringList{"--quiet"});
        QVERIFY2(again.code == 0, qPrintable(again.err));
        grids::Workspace workspace(db.toStdString());
        QCOMPARE(int(workspace.runs().size()), 5);
    }

    // An evaluation records each configuration as it ends and says so: killed during the
    // second, the first is in the workspace, and the next call finds it and runs the second.
    void killedEvaluation()
    {
        const QString db = m_dir.filePath("eval.sqlite");
        const QStringList args = {"eval", "--checkpoint", bundled("checkpoints/tabletop-dense.pt"),
                                  "--suite", "tabletop/lift_relative", "--episodes", "3",
                                  "--methods", "random,uniform", "--budgets", "16", "--db", db};
        const QByteArray said = killWhenSaid(args, "random at 16 tokens/view");
        QVERIFY2(said.contains("random at 16 tokens/view"), said.constData());
        QVERIFY2(!said.contains("uniform at 16 tokens/view"), said.constData());
        {
            grids::Workspace workspace(db.toStdString());
            QCOMPARE(workspace.integrityCheck(), std::string("ok"));
            const auto runs = workspace.runs("rollout");
            QCOMPARE(int(runs.size()), 1);
            QCOMPARE(runs.front().key.method, std::string("random"));
            QCOMPARE(int(workspace.rolloutResults(runs.front().id).size()), 3);
        }
        const auto again = fixtures::runProcess(GRIDS_CLI, args + QStringList{"--quiet"});
        QVERIFY2(again.code == 0, qPrintable(again.err));
        QVERIFY2(again.out.contains("random at 16 tokens/view (found in the workspace)"),
                 qPrintable(again.out));
        grids::Workspace workspace(db.toStdString());
        QCOMPARE(int(workspace.runs("rollout").size()), 2);
    }

    void killedVideoExport()
    {
        const QString out = m_dir.filePath("episode.mp4");
        const QStringList args = {"export-video", "--checkpoint",
                                  bundled("checkpoints/tabletop-grids16.pt"), "--compare",
                                  bundled("checkpoints/tabletop-dense.pt"), "--episodes",
                                  bundled("tabletop/tabletop_demo.hdf5"), "--episode", "demo_0",
                                  "--view-size", "768", "--overlays", "coords,heatmap,cells,grid,hud",
                                  "--out", out};
        // About 8 s of work (two checkpoints, every overlay, large views): killed 1.5 s in.
        const QByteArray said = killWhenSaid(args, "progress: ", 1500);
        QVERIFY2(said.contains("progress: ") && !said.contains("wrote"), said.constData());
        QVERIFY(!QFile::exists(out));
        const auto again = fixtures::runProcess(GRIDS_CLI, args);
        QVERIFY2(again.code == 0, qPrintable(again.err));
        QVERIFY(QFile(out).size() > 1000);
        QVERIFY(!QFile::exists(m_dir.filePath("episode.partial.mp4")));
    }

    void killedTraining()
    {
        const QString out = m_dir.filePath("trained.pt");
        const QStringList args = {"train", "--data", bundled("tabletop/tabletop_demo.hdf5"),
                                  "--kind", "dense", "--steps", "400", "--batch", "4",
                                  "--out", out};
        const QByteArray said = killWhenSaid(args, "progress: ", 1000);
        QVERIFY2(said.contains("progress: ") && !said.contains("wrote"), said.constData());
        QVERIFY(!QFile::exists(out));
        // The same training, shorter (400 steps would take minutes here), completes.
        const auto again =
            fixtures::runProcess(GRIDS_CLI, QStringList(args.mid(0, 5)) +
                                                QStringList{"--steps", "2", "--batch", "4", "--out", out});
        QVERIFY2(again.code == 0, qPrintable(again.err));
        QVERIFY(QFile::exists(out));
        QVERIFY(!QFile::exists(out + ".partial"));
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestCliKill)
#include "tst_cli_kill.moc"
