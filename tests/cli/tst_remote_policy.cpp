// A policy server as a policy source: the reference server (app/policy_server, openpi's
// websocket protocol with the GridS extensions) serving a contract checkpoint gives `grids infer`,
// `sweep` and `export-video` the same results as the checkpoint run locally; and a server that
// dies, stalls, talks garbage, answers without actions or fails is a one-line error (exit 3),
// never a crash or a hang, with nothing half-stored.

#include "fixtures.h"

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <filesystem>

namespace {

fixtures::ProcessResult runGrids(const QStringList &args)
{
    return fixtures::runProcess(GRIDS_CLI, args);
}

nlohmann::json jsonOf(const fixtures::ProcessResult &r)
{
    return nlohmann::json::parse(r.out.toStdString(), nullptr, false);
}

// Largest difference between two lists of numbers (infinity when their lengths differ).
double maxDifference(const nlohmann::json &a, const nlohmann::json &b)
{
    if (a.size() != b.size())
        return INFINITY;
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, a[i].is_array() ? maxDifference(a[i], b[i])
                                                : std::abs(a[i].get<double>() - b[i].get<double>()));
    return worst;
}

int runCount(const QString &db)
{
    sqlite3 *handle = nullptr;
    if (sqlite3_open_v2(db.toUtf8().constData(), &handle, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
        return -1;
    sqlite3_stmt *statement = nullptr;
    sqlite3_prepare_v2(handle, "SELECT count(*) FROM runs", -1, &statement, nullptr);
    const int n = statement && sqlite3_step(statement) == SQLITE_ROW ? sqlite3_column_int(statement, 0) : -1;
    sqlite3_finalize(statement);
    sqlite3_close(handle);
    return n;
}

} // namespace

class TestRemotePolicy : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(fixtures::contractCheckpoints().ok, fixtures::contractCheckpoints().error.constData());
        m_checkpoint = fixtures::contractCheckpoints().path("contract_grids.pt");
        m_episodes = m_dir.filePath("episodes.hdf5");
        fixtures::writeLiberoFile(m_episodes.toStdString(), {5, 4});
    }

    void inferEqualsTheLocalCheckpoint_data()
    {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("budget");
        QTest::newRow("grids at 2") << "grids" << "2";
        QTest::newRow("grids at 4") << "grids" << "4";
        QTest::newRow("dense") << "dense" << "4";
    }

    void inferEqualsTheLocalCheckpoint()
    {
        QFETCH(QString, method);
        QFETCH(QString, budget);
        fixtures::PolicyServer server(m_checkpoint);
        QVERIFY2(server.ok(), server.errors().constData());
        const QStringList common{"--episodes", m_episodes, "--episode", "demo_1", "--method", method,
                                 "--budget", budget, "--json", "--quiet"};
        const auto remote = runGrids(QStringList{"infer", "--policy", server.url()} + common);
        const auto local = runGrids(QStringList{"infer", "--checkpoint", m_checkpoint} + common);
        QVERIFY2(remote.code == 0, qPrintable(remote.err));
        QVERIFY2(local.code == 0, qPrintable(local.err));
        const auto r = jsonOf(remote), l = jsonOf(local);
        QCOMPARE(r["frames"].size(), std::size_t(4));
        QVERIFY(r["checkpoint_sha256"] == l["checkpoint_sha256"]); // the same model, the same key
        QVERIFY(r["budget"] == l["budget"]);
        for (std::size_t t = 0; t < 4; ++t) {
            const auto &a = r["frames"][t], &b = l["frames"][t];
            QVERIFY(maxDifference(a["action"], b["action"]) < 1e-4);
            QVERIFY(maxDifference(a["attention"], b["attention"]) < 1e-5);
            QCOMPARE(a["views"].size(), b["views"].size());
            for (std::size_t v = 0; v < a["views"].size(); ++v) {
                QVERIFY(a["views"][v]["view"] == b["views"][v]["view"]);
                QVERIFY(maxDifference(a["views"][v]["coords"], b["views"][v]["coords"]) < 1e-5);
            }
            QVERIFY(a["timings_ms"]["round_trip"].get<double>() > 0); // latency is measured
        }
    }

    void sweepEqualsTheLocalCheckpoint()
    {
        fixtures::PolicyServer server(m_checkpoint);
        QVERIFY2(server.ok(), server.errors().constData());
        const QStringList common{"--episodes", m_episodes, "--methods", "grids,dense,uniform", "--budgets", "2,4",
                                 "--json", "--quiet"};
        const auto remote = runGrids(QStringList{"sweep", "--policy", server.url(), "--db", m_dir.filePath("remote.sqlite")} + common);
        const auto local = runGrids(QStringList{"sweep", "--checkpoint", m_checkpoint, "--db", m_dir.filePath("local.sqlite")} + common);
        QVERIFY2(remote.code == 0, qPrintable(remote.err));
        QVERIFY2(local.code == 0, qPrintable(local.err));
        const auto r = jsonOf(remote)["runs"], l = jsonOf(local)["runs"];
        QCOMPARE(r.size(), l.size());
        for (std::size_t i = 0; i < r.size(); ++i) {
            QVERIFY(r[i]["method"] == l[i]["method"]);
            if (r[i]["method"] == "uniform") { // a server runs only its own selection
                QCOMPARE(r[i]["status"].get<std::string>(), std::string("not_applicable"));
                QVERIFY(r[i]["reason"].get<std::string>().find("policy server") != std::string::npos);
                continue;
            }
            QCOMPARE(r[i]["status"].get<std::string>(), std::string("ran"));
            QVERIFY(std::abs(r[i]["l1"].get<double>() - l[i]["l1"].get<double>()) < 1e-4);
        }
    }

    // Closed loop in the tabletop suite: every step's observation goes to the server and its
    // action chunk drives the simulator, with the bundled GridS checkpoint (the suite's cameras).
    void evalEqualsTheLocalCheckpoint()
    {
        const QString bundled = QStringLiteral(GRIDS_DATASETS_DIR "/checkpoints/tabletop-grids16.pt");
        fixtures::PolicyServer server(bundled);
        QVERIFY2(server.ok(), server.errors().constData());
        const QStringList common{"--suite", "tabletop/pick_place", "--episodes", "3", "--json", "--quiet"};
        const auto remote = runGrids(QStringList{"eval", "--policy", server.url()} + common);
        const auto local = runGrids(QStringList{"eval", "--checkpoint", bundled} + common);
        QVERIFY2(remote.code == 0, qPrintable(remote.err));
        QVERIFY2(local.code == 0, qPrintable(local.err));
        const auto r = jsonOf(remote)["runs"][0], l = jsonOf(local)["runs"][0];
        QVERIFY2(r["tasks"] == l["tasks"], (r["tasks"].dump() + " against " + l["tasks"].dump()).c_str());
        QCOMPARE(r["overall"]["episodes"].get<int>(), 3);
        // One task: the overall mean steps to success is that task's (it was always 0).
        QCOMPARE(r["overall"]["mean_steps_to_success"].get<double>(),
                 r["tasks"]["pick_place"]["mean_steps_to_success"].get<double>());
        QVERIFY(r["overall"]["successes"].get<int>() == 0 ||
                r["overall"]["mean_steps_to_success"].get<double>() > 0);
    }

    void exportVideoFromAServer()
    {
        fixtures::PolicyServer server(m_checkpoint);
        QVERIFY2(server.ok(), server.errors().constData());
        const QString out = m_dir.filePath("remote.mp4");
        const auto r = runGrids({"export-video", "--policy", server.url(), "--episodes", m_episodes, "--episode",
                                 "demo_0", "--out", out, "--quiet"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(std::filesystem::file_size(out.toStdString()) > 1000);
    }

    // A plain openpi server (no GridS extensions): its actions, and nothing it cannot give.
    void aPlainOpenpiServerGivesActions()
    {
        fixtures::PolicyServer server(m_checkpoint, "none", {"--openpi-only"});
        QVERIFY2(server.ok(), server.errors().constData());
        const auto r = runGrids({"infer", "--policy", server.url(), "--episodes", m_episodes, "--episode", "demo_0",
                                 "--json", "--quiet"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto doc = jsonOf(r);
        QCOMPARE(doc["frames"].size(), std::size_t(5));
        QCOMPARE(doc["frames"][0]["action"].size(), std::size_t(7));
        QVERIFY(doc["frames"][0]["views"].empty());
        QCOMPARE(doc["method"].get<std::string>(), std::string("dense"));
        QVERIFY(doc["frames"][0]["error"]["l1"].get<double>() >= 0); // scored against the demonstration
    }

    void faultsAreOneLineErrors_data()
    {
        QTest::addColumn<QString>("fault");
        QTest::addColumn<QString>("message");
        QTest::newRow("server dies mid-sweep") << "die-after:3" << "closed the connection";
        QTest::newRow("slow server") << "slow" << "did not answer within the timeout";
        QTest::newRow("garbage bytes") << "garbage" << "not a msgpack message";
        QTest::newRow("reply without actions") << "no-actions" << "has no 'actions' array";
        QTest::newRow("actions of the wrong shape") << "wrong-shape" << "the server's grids.json says";
        QTest::newRow("oversized reply") << "huge" << "larger than the limit";
        QTest::newRow("coordinates of a dtype not read") << "half-coords" << "'grids/coords': dtype '<f2'";
        QTest::newRow("server-side exception") << "keys" << "the policy server failed: ValueError";
    }

    void faultsAreOneLineErrors()
    {
        QFETCH(QString, fault);
        QFETCH(QString, message);
        fixtures::PolicyServer server(m_checkpoint, fault == "keys" ? "none" : fault);
        QVERIFY2(server.ok(), server.errors().constData());
        const QString db = m_dir.filePath("fault-" + QString(QTest::currentDataTag()).replace(' ', '-') + ".sqlite");
        // A short wait only where the server stalls on purpose: the others answer, and a 65 MB
        // reply on a machine busy with other tests can take more than 2 s.
        const QString timeout = fault == "slow" ? "2" : "20";
        QStringList args{"sweep", "--policy", server.url(), "--episodes", m_episodes, "--methods", "grids,dense",
                         "--budgets", "2", "--db", db, "--policy-timeout", timeout, "--quiet"};
        if (fault == "keys") // the server finds none of its cameras under these keys
            args << "--policy-keys" << "view0=camera/a,view1=camera/b";
        const auto r = runGrids(args);
        QVERIFY2(!r.crashed, "grids crashed or hung");
        QCOMPARE(r.code, 3);
        const QStringList lines = r.err.trimmed().split('\n');
        QCOMPARE(lines.size(), 1);
        QVERIFY2(lines[0].startsWith("error: " + server.url()) && lines[0].contains(message), qPrintable(lines[0]));
        QCOMPARE(runCount(db), 0); // nothing half-stored
    }

    void noServerIsAnError()
    {
        QString url;
        {
            fixtures::PolicyServer server(m_checkpoint);
            QVERIFY(server.ok());
            url = server.url();
        } // gone: nobody listens there any more
        const auto r = runGrids({"infer", "--policy", url, "--episodes", m_episodes, "--episode", "demo_0", "--quiet"});
        QCOMPARE(r.code, 3);
        QVERIFY2(r.err.startsWith("error: " + url) && r.err.contains("cannot connect"), qPrintable(r.err));
        const auto both = runGrids({"infer", "--policy", url, "--checkpoint", m_checkpoint, "--episodes", m_episodes});
        QCOMPARE(both.code, 2);
        const auto neither = runGrids({"infer", "--episodes", m_episodes});
        QCOMPARE(neither.code, 2);
        const auto badKeys = runGrids({"infer", "--policy", url, "--policy-keys", "observation/image",
                                       "--episodes", m_episodes});
        QCOMPARE(badKeys.code, 2);
        QVERIFY2(badKeys.err.contains("--policy-keys: 'observation/image' is not WHAT=KEY"), qPrintable(badKeys.err));
    }

private:
    QTemporaryDir m_dir;
    QString m_checkpoint, m_episodes;
};

QTEST_GUILESS_MAIN(TestRemotePolicy)
#include "tst_remote_policy.moc"
