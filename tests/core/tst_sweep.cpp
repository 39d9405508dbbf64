// Open-loop sweeps into the workspace: the encoder runs once per frame whatever the methods and
// budgets; a configuration already stored is found, not repeated (unless forced); methods a
// checkpoint cannot run are recorded as not applicable; shards split the frames so that their
// merged union equals the unsharded run, and merging twice changes nothing.

#include "common/error.h"
#include "eval/sweep.h"
#include "fixtures.h"
#include "model/policy.h"
#include "store/workspace.h"

#include <QTemporaryDir>
#include <QTest>

#include <map>

using namespace grids;

namespace {

// What a run's stored results are, without the timings (which differ between runs).
std::map<std::string, std::vector<float>> resultsOf(Workspace &ws, const RunRecord &run)
{
    std::map<std::string, std::vector<float>> out;
    for (const auto &row : ws.frameResults(run.id)) {
        std::vector<float> values = row.action;
        values.push_back(float(row.l1));
        values.push_back(float(row.fidelityL1));
        values.push_back(float(row.tokens));
        out[row.episode.demoKey + "/" + std::to_string(row.frame)] = values;
    }
    return out;
}

std::map<std::string, RunRecord> runsByConfig(Workspace &ws)
{
    std::map<std::string, RunRecord> out;
    for (const auto &run : ws.runs("sweep"))
        out[run.key.method + "@" + std::to_string(run.key.budget) + "#" + run.key.shard] = run;
    return out;
}

} // namespace

class TestSweep : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const auto python =
            fixtures::runPythonScript("make_contract_checkpoints.py", {m_dir.path()});
        QVERIFY2(python.ok, python.err.constData());
        m_episodes = m_dir.filePath("episodes.hdf5").toStdString();
        fixtures::writeLiberoFile(m_episodes, {5, 4});
    }

    void encoderRunsOncePerFrameAndStoredRunsAreFound()
    {
        auto policy = Policy::load(m_dir.filePath("contract_grids.pt").toStdString());
        Workspace ws(m_dir.filePath("once.sqlite").toStdString());
        SweepOptions options;
        options.episodesPath = m_episodes;
        options.methods = {"grids", "dense",    "random",    "uniform",  "fastv",
                           "tome",  "divprune", "visionzip", "sparsevlm"};
        options.budgets = {1, 2, 4, 16};
        const SweepResult first = runSweep(*policy, ws, options);
        QCOMPARE(first.framesRun, std::int64_t(9));
        QCOMPARE(policy->encoderCalls(), std::size_t(9)); // 9 frames, 28 configurations
        int ran = 0, notApplicable = 0;
        for (const auto &c : first.configs) {
            if (c.status == "ran") {
                ++ran;
                QCOMPARE(c.frames, std::int64_t(9));
                QVERIFY(c.meanL1 >= 0);
            } else {
                QCOMPARE(c.status, std::string("not_applicable"));
                QVERIFY(!c.reason.empty());
                ++notApplicable;
            }
        }
        // grids at 16 exceeds the checkpoint's 6 coordinates; sparsevlm needs embed_instruction.
        QCOMPARE(notApplicable, 1 + 4);
        QCOMPARE(ran, 1 + 4 * 6 + 3);
        // Dense is its own reference: fidelity 0.
        for (const auto &c : first.configs)
            if (c.method == "dense")
                QCOMPARE(c.meanFidelityL1, 0.0);

        const SweepResult again = runSweep(*policy, ws, options);
        QCOMPARE(again.framesRun, std::int64_t(0));
        QCOMPARE(policy->encoderCalls(), std::size_t(9));
        for (const auto &c : again.configs)
            QVERIFY(c.status == "found" || c.status == "not_applicable");

        options.force = true;
        options.methods = {"random"};
        options.budgets = {2};
        const SweepResult forced = runSweep(*policy, ws, options);
        QCOMPARE(forced.framesRun, std::int64_t(9));
        QCOMPARE(forced.configs.front().status, std::string("ran"));
        QCOMPARE(int(ws.runs("sweep").size()), 28 + 5); // replaced, not duplicated
    }

    void shardsMergeIntoTheUnshardedRun()
    {
        const std::vector<std::string> methods = {"dense", "grids", "random", "tome"};
        SweepOptions options;
        options.episodesPath = m_episodes;
        options.methods = methods;
        options.budgets = {2, 5};
        auto policy = Policy::load(m_dir.filePath("contract_grids.pt").toStdString());
        const std::string wholePath = m_dir.filePath("whole.sqlite").toStdString();
        {
            Workspace whole(wholePath);
            runSweep(*policy, whole, options);
        }
        std::vector<std::string> shardPaths;
        std::int64_t framesRun = 0;
        for (int i = 0; i < 3; ++i) {
            shardPaths.push_back(m_dir.filePath(QString("shard%1.sqlite").arg(i)).toStdString());
            Workspace shard(shardPaths.back());
            options.shard = parseShard(std::to_string(i) + "/3");
            framesRun += runSweep(*policy, shard, options).framesRun;
        }
        QCOMPARE(framesRun, std::int64_t(9)); // every frame in exactly one shard

        Workspace merged(m_dir.filePath("merged.sqlite").toStdString());
        for (const auto &path : shardPaths)
            merged.mergeRunsFrom(path);
        Workspace whole(wholePath);
        auto wholeRuns = runsByConfig(whole);
        auto mergedRuns = runsByConfig(merged);
        QCOMPARE(mergedRuns.size(), wholeRuns.size());
        for (const auto &[config, run] : wholeRuns) {
            QVERIFY2(mergedRuns.count(config), config.c_str());
            const RunRecord &m = mergedRuns[config];
            QCOMPARE(m.status, std::string("complete"));
            QCOMPARE(m.shardsMerged, std::string("0/3,1/3,2/3"));
            QCOMPARE(resultsOf(merged, m), resultsOf(whole, run));
        }
        // Merging the same shards again changes nothing.
        const auto before = mergedRuns;
        for (const auto &path : shardPaths)
            merged.mergeRunsFrom(path);
        auto after = runsByConfig(merged);
        QCOMPARE(after.size(), before.size());
        for (const auto &[config, run] : before)
            QCOMPARE(resultsOf(merged, after[config]), resultsOf(merged, run));
        QCOMPARE(merged.integrityCheck(), std::string("ok"));
    }

    void aPartialMergeIsMarkedPartial()
    {
        SweepOptions options;
        options.episodesPath = m_episodes;
        options.methods = {"random"};
        options.budgets = {3};
        options.shard = parseShard("1/2");
        auto policy = Policy::load(m_dir.filePath("contract_grids.pt").toStdString());
        const std::string path = m_dir.filePath("half.sqlite").toStdString();
        {
            Workspace shard(path);
            runSweep(*policy, shard, options);
        }
        Workspace merged(m_dir.filePath("half-merged.sqlite").toStdString());
        merged.mergeRunsFrom(path);
        QCOMPARE(merged.runs().front().status, std::string("partial"));
        QCOMPARE(int(merged.frameResults(merged.runs().front().id).size()), 4);
    }

    void badShardsAndBudgetsAreRefused()
    {
        for (const char *text : {"2/2", "-1/3", "1", "a/b", "1/0", "0/2x"}) {
            Error::Kind kind = Error::Kind::Other;
            std::string setting;
            const QString message = fixtures::errorOf([&] { parseShard(text); }, &kind, &setting);
            QVERIFY2(message.startsWith(QString("shard: '") + text + "'"), qPrintable(message));
            QCOMPARE(setting, std::string("shard"));
            QVERIFY(kind == Error::Kind::Usage);
        }
        auto policy = Policy::load(m_dir.filePath("contract_grids.pt").toStdString());
        Workspace ws(m_dir.filePath("bad.sqlite").toStdString());
        SweepOptions options;
        options.episodesPath = m_episodes;
        options.methods = {"random"};
        options.budgets = {17};
        QVERIFY(
            fixtures::errorOf([&] { runSweep(*policy, ws, options); }).contains("outside 1..16"));
        QVERIFY(ws.runs().empty());
    }

private:
    QTemporaryDir m_dir;
    std::string m_episodes;
};

QTEST_GUILESS_MAIN(TestSweep)
#include "tst_sweep.moc"
