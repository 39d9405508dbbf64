// Closed-loop evaluation: the Wilson interval, seeds held out from training data, and a
// checkpoint driving the simulator with its failures recorded as episodes.

#include "eval/closed_loop.h"
#include "model/policy.h"
#include "sim/dataset_generation.h"

#include "episodes/episode.h"
#include "fixtures.h"
#include "store/workspace.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <set>

using namespace grids;

class TestClosedLoop : public QObject
{
    Q_OBJECT

private slots:
    void wilsonIntervalByHand()
    {
        // 7 of 10: p = 0.7, z = 1.96 → [0.3968, 0.8922] (Wilson 1927).
        const SuccessRate r = wilsonInterval(7, 10);
        QCOMPARE(r.rate, 0.7);
        QVERIFY(std::abs(r.low - 0.3968) < 1e-4);
        QVERIFY(std::abs(r.high - 0.8922) < 1e-4);
        const SuccessRate none = wilsonInterval(0, 20);
        QCOMPARE(none.low, 0.0);
        QVERIFY(std::abs(none.high - 0.1611) < 1e-4);
        const SuccessRate all = wilsonInterval(20, 20);
        QCOMPARE(all.high, 1.0);
        QVERIFY(std::abs(all.low - 0.8389) < 1e-4);
    }

    // Mean steps to success, per task and overall, over the successful episodes only; the
    // overall one is over all successes (it was always 0: only the tasks' were filled).
    void meanStepsToSuccessPerTaskAndOverall()
    {
        using sim::TaskFamily;
        const std::vector<TaskFamily> tasks = {TaskFamily::PickPlace, TaskFamily::PushToZone};
        auto row = [](TaskFamily task, bool success, int steps) {
            RolloutRow r;
            r.task = sim::taskName(task);
            r.success = success;
            r.steps = steps;
            return r;
        };
        const std::vector<RolloutRow> rows = {
            row(TaskFamily::PickPlace, true, 40), row(TaskFamily::PickPlace, true, 60),
            row(TaskFamily::PickPlace, false, 200), row(TaskFamily::PushToZone, true, 110),
            row(TaskFamily::PushToZone, false, 200)};
        const ClosedLoopResult r = summariseRollouts(tasks, rows);
        QCOMPARE(r.perTask[0].meanStepsToSuccess, 50.0);
        QCOMPARE(r.perTask[1].meanStepsToSuccess, 110.0);
        QCOMPARE(r.overall.successes, 3);
        QCOMPARE(r.overall.meanStepsToSuccess, 70.0); // (40 + 60 + 110) / 3, not (50 + 110) / 2
        QCOMPARE(summariseRollouts(tasks, {row(TaskFamily::PickPlace, false, 200)}).overall.meanStepsToSuccess, 0.0);
    }

    void evaluationSeedsAreHeldOutFromTrainingSeeds()
    {
        for (auto task : sim::allTaskFamilies()) {
            std::set<std::uint64_t> training;
            for (int i = 0; i < 2000; ++i)
                training.insert(sim::episodeSeed(7, task, i));
            for (int i = 0; i < 200; ++i)
                QVERIFY(!training.count(evaluationSeed(7, task, i)));
        }
    }

    void aCheckpointDrivesTheSimulator()
    {
        QTemporaryDir dir;
        const auto &ckpt = fixtures::contractCheckpoints();
        QVERIFY2(ckpt.ok, ckpt.error.constData());
        auto policy = Policy::load(ckpt.path("contract_grids.pt").toStdString());

        ClosedLoopOptions options;
        options.tasks = {sim::TaskFamily::LiftRelative};
        options.episodesPerTask = 2;
        options.method = "grids";
        options.budget = 4;
        options.recordFailures = dir.filePath("failures.hdf5").toStdString();
        int reports = 0;
        Progress progress;
        progress.report = [&](std::int64_t, std::int64_t total, const std::string &) {
            ++reports;
            QCOMPARE(total, std::int64_t(2));
        };
        const ClosedLoopResult result = evaluateClosedLoop(*policy, options, progress);
        QCOMPARE(reports, 2);
        QCOMPARE(result.perTask.size(), std::size_t(1));
        QCOMPARE(result.perTask[0].episodes, 2);
        // An untrained toy model does not lift the right cube; its failures open as episodes.
        QCOMPARE(result.perTask[0].successes, 0);
        QCOMPARE(result.failuresRecorded, 2);
        auto failures = openEpisodeFile(options.recordFailures);
        QCOMPARE(int(failures->episodes().size()), 2);
        QCOMPARE(failures->episodes()[0].success, std::optional<bool>(false));
        QCOMPARE(failures->episodes()[0].length,
                 std::int64_t(sim::stepLimit(sim::TaskFamily::LiftRelative)));
        QVERIFY(failures->episodes()[1].instruction.rfind("pick up the cube", 0) == 0);
    }

    // Shards split the episodes; stored and merged, they make the unsharded run.
    void shardsOfAnEvaluationMergeIntoTheWhole()
    {
        QTemporaryDir dir;
        const auto &ckpt = fixtures::contractCheckpoints();
        QVERIFY2(ckpt.ok, ckpt.error.constData());
        auto policy = Policy::load(ckpt.path("contract_grids.pt").toStdString());
        ClosedLoopOptions options;
        options.tasks = {sim::TaskFamily::LiftRelative};
        options.episodesPerTask = 3;
        options.method = "random";
        options.budget = 2;
        auto record = [&](const std::string &path, const ClosedLoopOptions &o) {
            const ClosedLoopResult result = evaluateClosedLoop(*policy, o);
            RunRecord run;
            run.key = {"rollout", policy->info().sha256, o.method,
                       o.budget,  rolloutDataKey(o),     o.shard.text()};
            Workspace ws(path);
            ws.recordRun(run, {}, result.episodes);
            return result;
        };
        const std::string whole = dir.filePath("whole.sqlite").toStdString();
        const ClosedLoopResult all = record(whole, options);
        QCOMPARE(int(all.episodes.size()), 3);
        Workspace merged(dir.filePath("merged.sqlite").toStdString());
        int episodes = 0;
        for (int i = 0; i < 2; ++i) {
            ClosedLoopOptions shard = options;
            shard.shard = parseShard(std::to_string(i) + "/2");
            const std::string path = dir.filePath(QString("shard%1.sqlite").arg(i)).toStdString();
            episodes += int(record(path, shard).episodes.size());
            merged.mergeRunsFrom(path);
        }
        QCOMPARE(episodes, 3);
        Workspace wholeWs(whole);
        const auto a = wholeWs.rolloutResults(wholeWs.runs().front().id);
        const auto b = merged.rolloutResults(merged.runs().front().id);
        QCOMPARE(merged.runs().front().status, std::string("complete"));
        QCOMPARE(a.size(), b.size());
        for (std::size_t k = 0; k < a.size(); ++k) {
            QCOMPARE(a[k].episode, b[k].episode);
            QCOMPARE(a[k].seed, b[k].seed);
            QCOMPARE(a[k].success, b[k].success);
            QCOMPARE(a[k].steps, b[k].steps);
        }
    }
};

QTEST_GUILESS_MAIN(TestClosedLoop)
#include "tst_closed_loop.moc"
