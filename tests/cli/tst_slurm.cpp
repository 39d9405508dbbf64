// `grids sweep|eval … --slurm` on a real one-node Slurm cluster (ctest fixture "slurm":
// tests/support/slurm_cluster.sh, started as root; SLURM_CONF names it): the merged result equals
// the unsharded run; a task that fails, or is cancelled in the queue, is reported by index and
// the same command resubmits it alone; finished shards are not run again.

#include "fixtures.h"

#include <nlohmann/json.hpp>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

namespace {

fixtures::ProcessResult run(const QString &program, const QStringList &args)
{
    return fixtures::runProcess(program, args);
}

fixtures::ProcessResult runGrids(const QStringList &args)
{
    return run(GRIDS_CLI, args);
}

// The report's rows without their timings (which differ run to run).
nlohmann::json reportOf(const QString &db)
{
    const auto r = runGrids({"report", "--db", db, "--format", "json"});
    if (r.code != 0)
        return {{"error", r.err.toStdString()}};
    nlohmann::json rows = nlohmann::json::parse(r.out.toStdString())["rows"];
    for (auto &row : rows)
        row.erase("ms_per_step");
    return rows;
}

QString bundled(const char *path)
{
    return QString(GRIDS_DATASETS_DIR) + "/" + path;
}

} // namespace

class TestSlurm : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(!qgetenv("SLURM_CONF").isEmpty(), "SLURM_CONF is not set (ctest fixture slurm)");
        const auto info = run("sinfo", {"-h", "-o", "%T"});
        QVERIFY2(info.code == 0 && (info.out.contains("idle") || info.out.contains("mix")),
                 qPrintable(info.err));
        QDir::setCurrent(m_dir.path());
    }

    void aSweepOnSlurmEqualsTheUnshardedSweep()
    {
        const QStringList sweep = {"sweep", "--checkpoint", bundled("checkpoints/tabletop-dense.pt"),
                                   "--episodes", bundled("tabletop/tabletop_demo.hdf5"),
                                   "--every", "16", "--methods", "dense,divprune", "--budgets", "4",
                                   "--quiet"};
        QCOMPARE(runGrids(sweep + QStringList{"--db", "whole.sqlite"}).code, 0);

        // Task 1 cannot write its shard (a folder stands where its database goes): reported by
        // index with its log, and nothing is merged.
        QVERIFY(QDir().mkpath("sweep.sqlite.slurm/shard-1-of-3.sqlite"));
        const QStringList onSlurm = sweep + QStringList{"--db", "sweep.sqlite", "--slurm",
                                                        "--array-size", "3"};
        auto r = runGrids(onSlurm);
        QVERIFY2(r.code == 1 && r.err.contains("task 1 (") && r.err.contains("task-1.log") &&
                     r.err.contains("run the same command again to resubmit"),
                 qPrintable(r.err));
        QVERIFY(!QFile::exists("sweep.sqlite"));
        QVERIFY(QFile::exists("sweep.sqlite.slurm/shard-0-of-3.done"));

        // Fixed, the same command resubmits task 1 alone and merges.
        QVERIFY(QDir("sweep.sqlite.slurm/shard-1-of-3.sqlite").removeRecursively());
        r = runGrids(onSlurm);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("1 of 3 tasks"), qPrintable(r.err));
        QVERIFY2(r.out.contains("into sweep.sqlite"), qPrintable(r.out));
        const nlohmann::json whole = reportOf("whole.sqlite"), merged = reportOf("sweep.sqlite");
        QVERIFY2(whole == merged, (whole.dump() + "\n" + merged.dump()).c_str());
        QCOMPARE(int(merged.size()), 2);

        // Again: every shard has finished, nothing is submitted, the merge changes nothing.
        r = runGrids(onSlurm);
        QVERIFY2(r.code == 0 && !r.err.contains("submitted"), qPrintable(r.err));
        QVERIFY(reportOf("sweep.sqlite") == whole);

        // Another command may not reuse the job folder.
        r = runGrids(sweep + QStringList{"--db", "sweep.sqlite", "--slurm", "--array-size", "2"});
        QVERIFY2(r.code == 2 && r.err.contains("holds the shards of another command"),
                 qPrintable(r.err));
        r = runGrids(sweep + QStringList{"--db", "x.sqlite", "--slurm", "--shard", "0/2"});
        QVERIFY2(r.code == 2 && r.err.contains("leave out --shard"), qPrintable(r.err));
    }

    // A task cancelled in the queue: the job is submitted held (--no-wait), one task is
    // cancelled, the rest released; waiting reports it, and the next call resubmits it.
    void aCancelledEvalTaskIsResubmitted()
    {
        const QStringList eval = {"eval", "--checkpoint", bundled("checkpoints/tabletop-dense.pt"),
                                  "--suite", "tabletop/lift_relative", "--episodes", "3",
                                  "--methods", "random", "--budgets", "16", "--quiet"};
        QCOMPARE(runGrids(eval + QStringList{"--db", "whole.sqlite"}).code, 0);
        const QStringList onSlurm =
            eval + QStringList{"--db", "eval.sqlite", "--slurm", "--array-size", "3"};
        auto r = runGrids(onSlurm + QStringList{"--no-wait", "--sbatch-arg=--hold"});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("submitted"), qPrintable(r.err));
        r.code = -1;
        QFile record("eval.sqlite.slurm/job.json");
        QVERIFY(record.open(QIODevice::ReadOnly));
        const std::string job = nlohmann::json::parse(record.readAll().toStdString())["job"];
        QCOMPARE(run("scancel", {QString::fromStdString(job + "_2")}).code, 0);
        QCOMPARE(run("scontrol", {"release", QString::fromStdString(job)}).code, 0);

        // The next call waits for the job if it is still running and reports task 2, or finds it
        // ended and says so as it resubmits; either way task 2 alone is run again.
        QString said;
        for (int call = 0; call < 3 && r.code != 0; ++call) {
            r = runGrids(onSlurm);
            said += r.err;
        }
        QVERIFY2(r.code == 0 && said.contains("task 2 (") && r.err.contains("1 of 3 tasks"),
                 qPrintable(said));
        const nlohmann::json whole = reportOf("whole.sqlite");
        nlohmann::json merged = reportOf("eval.sqlite");
        // whole.sqlite also holds the sweep's rows: compare the evaluation's.
        nlohmann::json wholeEval = nlohmann::json::array();
        for (const auto &row : whole)
            if (row["kind"] == "rollout")
                wholeEval.push_back(row);
        QVERIFY2(wholeEval == merged, (wholeEval.dump() + "\n" + merged.dump()).c_str());
        QCOMPARE(int(merged.size()), 1);
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestSlurm)
#include "tst_slurm.moc"
