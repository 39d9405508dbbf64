// McNemar's paired test of closed-loop runs: the exact p-value against a textbook example, the
// pairing of episodes, and the report's columns.

#include "eval/paired.h"
#include "eval/report.h"
#include "store/workspace.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace grids;

namespace {

RolloutRow episode(const std::string &task, int index, bool success)
{
    return {task, index, std::uint64_t(1000 + index), success, success ? 40 : 200, 2.0};
}

// `outcomes` per episode index: 'S' success, 'F' failure.
std::vector<RolloutRow> run(const std::string &task, const std::string &outcomes)
{
    std::vector<RolloutRow> rows;
    for (std::size_t i = 0; i < outcomes.size(); ++i)
        rows.push_back(episode(task, int(i), outcomes[i] == 'S'));
    return rows;
}

} // namespace

class TestPaired : public QObject
{
    Q_OBJECT

private slots:
    // The textbook case (e.g. Wikipedia's "McNemar's test"): 6 and 16 discordant pairs. Exact
    // two-sided p = 2·Σ_{i≤6} C(22, i) / 2²² = 2·110056 / 4194304 = 0.05248 (the χ² form gives
    // 0.033 without and 0.055 with the continuity correction).
    void exactPValueByHand()
    {
        QVERIFY(std::abs(mcnemarExactP(6, 16) - 220112.0 / 4194304.0) < 1e-12);
        QCOMPARE(mcnemarExactP(16, 6), mcnemarExactP(6, 16));
        QCOMPARE(mcnemarExactP(0, 0), 1.0);
        QCOMPARE(mcnemarExactP(5, 5), 1.0); // capped: 2·P(X ≤ 5) > 1 for Binomial(10, ½)
        QVERIFY(std::abs(mcnemarExactP(0, 5) - 2.0 / 32) < 1e-12);
        // Large counts stay finite and tiny: 121 against 59 (p ≈ 5e-6).
        const double p = mcnemarExactP(121, 59);
        QVERIFY2(p > 1e-7 && p < 1e-4, qPrintable(QString::number(p)));
    }

    // Pairs are the same task, index and seed; episodes one run did not play are left out.
    void episodesArePairedByTaskIndexAndSeed()
    {
        std::vector<RolloutRow> a = run("pick_place", "SSFFS");
        std::vector<RolloutRow> b = run("pick_place", "SFSFF");
        for (const RolloutRow &r : run("push_to_zone", "SS"))
            a.push_back(r);
        b.push_back(episode("push_to_zone", 0, false));
        RolloutRow otherSeed = episode("push_to_zone", 1, false);
        otherSeed.seed = 7; // another layout: not a pair
        b.push_back(otherSeed);
        const PairedComparison all = comparePaired(a, b);
        QCOMPARE(all.pairs, 6);
        QCOMPARE(all.onlyA, 3); // pick_place 1 and 4, push_to_zone 0
        QCOMPARE(all.onlyB, 1); // pick_place 2
        QCOMPARE(all.pValue, mcnemarExactP(3, 1));
        const PairedComparison pick = comparePaired(a, b, "pick_place");
        QCOMPARE(pick.pairs, 5);
        QCOMPARE(pick.onlyA, 2);
        QCOMPARE(comparePaired(a, b, "lift_relative").pairs, 0);
    }

    // grids report: each closed-loop row is tested against dense and against GridS16 on the
    // episodes they share, overall and per task; the reference rows themselves are not tested
    // against themselves.
    void theReportCarriesPairedColumns()
    {
        QTemporaryDir dir;
        Workspace ws(dir.filePath("ws.sqlite").toStdString());
        auto record = [&](const std::string &method, int budget, const std::vector<RolloutRow> &rows) {
            RunRecord r;
            r.key = {"rollout", "sha-" + method, method, budget, "tabletop:pick_place", ""};
            r.config = nlohmann::json{{"checkpoint_name", method}}.dump();
            return ws.recordRun(r, {}, rows);
        };
        const auto denseRun = record("dense", 256, run("pick_place", "SSSSSSSSFF"));
        const auto gridsRun = record("grids", 16, run("pick_place", "SSSSSSSSSF"));
        record("random", 16, run("pick_place", "FFFFFFSSFF"));
        const auto rows = buildReport(ws);
        const ReportRow *random = nullptr, *grids = nullptr, *dense = nullptr;
        for (const ReportRow &row : rows)
            (row.method == "random" ? random : row.method == "grids" ? grids : dense) = &row;
        QVERIFY(random && grids && dense);
        const ReportRow::Paired *vsDense = random->pairedAgainst("dense");
        QVERIFY(vsDense);
        QCOMPARE(vsDense->referenceRunId, denseRun);
        QCOMPARE(vsDense->overall.pairs, 10);
        QCOMPARE(vsDense->overall.onlyA, 0);
        QCOMPARE(vsDense->overall.onlyB, 6); // dense solved 0–5, random did not
        QCOMPARE(vsDense->overall.pValue, 2.0 / 64);
        QCOMPARE(int(vsDense->perTask.size()), 1);
        QCOMPARE(vsDense->perTask[0].onlyB, 6);
        const ReportRow::Paired *vsGrids = random->pairedAgainst("grids16");
        QVERIFY(vsGrids);
        QCOMPARE(vsGrids->referenceRunId, gridsRun);
        QCOMPARE(vsGrids->overall.onlyB, 7);
        QVERIFY(!dense->pairedAgainst("dense"));
        QVERIFY(!grids->pairedAgainst("grids16"));
        QCOMPARE(grids->pairedAgainst("dense")->overall.onlyA, 1);

        const std::string markdown = reportMarkdown(rows);
        QVERIFY(markdown.find("McNemar vs dense | McNemar vs GridS16 |") != std::string::npos);
        QVERIFY2(markdown.find("+0/−6, p 0.031") != std::string::npos, markdown.c_str());
        const std::string csv = reportCsv(rows);
        QVERIFY(csv.find("mcnemar_p_vs_dense,mcnemar_p_vs_grids16\n") != std::string::npos);
        const auto json = nlohmann::json::parse(reportJson(rows));
        bool found = false;
        for (const auto &row : json["rows"])
            if (row["method"] == "random") {
                found = true;
                QCOMPARE(row["paired"]["dense"]["overall"]["only_reference"].get<int>(), 6);
                QCOMPARE(row["paired"]["grids16"]["tasks"]["pick_place"]["pairs"].get<int>(), 10);
            }
        QVERIFY(found);
    }

    // With a control at 16 tokens too (here pooled, recorded first and better paired), the
    // GridS16 column still means GridS's own sampler.
    void theGridsReferenceIsGridsOwnSamplerNotAControl()
    {
        QTemporaryDir dir;
        Workspace ws(dir.filePath("ws.sqlite").toStdString());
        auto record = [&](const std::string &name, const std::string &sampler,
                          const std::vector<RolloutRow> &rows) {
            RunRecord r;
            r.key = {"rollout", "sha-" + name, "grids", 16, "tabletop:pick_place", ""};
            r.config = nlohmann::json{{"checkpoint_name", name}, {"sampler", sampler}}.dump();
            return ws.recordRun(r, {}, rows);
        };
        record("pooled16", "pooled", run("pick_place", "SFFFFFFFFFSS"));
        const auto own = record("grids16", "learned", run("pick_place", "SSSSSSSSSF"));
        record("marks16", "marks", run("pick_place", "SSFFFFFFFF"));
        for (const ReportRow &row : buildReport(ws)) {
            if (row.checkpointName == "grids16") {
                QVERIFY(!row.pairedAgainst("grids16"));
                QCOMPARE(row.sampler, std::string("learned"));
                continue;
            }
            const ReportRow::Paired *vsGrids = row.pairedAgainst("grids16");
            QVERIFY2(vsGrids && vsGrids->referenceRunId == own, row.checkpointName.c_str());
        }
    }
};

QTEST_GUILESS_MAIN(TestPaired)
#include "tst_paired.moc"
