// The bundled checkpoints (datasets/checkpoints): each loads as a contract checkpoint in the
// application and in Python (torch.jit.load, every method with the documented shapes), runs the
// bundled demo, the nested one keeps its promise (at budget K its coordinates are the first K of
// those at K_max), and GridS16 looks at the object its instruction names.

#include "episodes/episode.h"
#include "episodes/libero_layout.h"
#include "fixtures.h"
#include "model/policy.h"

#include <QTest>

#include <map>

#include <algorithm>
#include <cmath>

using namespace grids;

namespace {

std::string bundled(const char *name)
{
    return std::string(GRIDS_DATASETS_DIR) + "/checkpoints/" + name;
}

} // namespace

class TestBundledCheckpoints : public QObject
{
    Q_OBJECT

private slots:
    void loadInPython()
    {
        const auto python = fixtures::runPythonScript(
            "check_our_checkpoint.py",
            {QString::fromStdString(bundled("tabletop-dense.pt")),
             QString::fromStdString(bundled("tabletop-grids16.pt")),
             QString::fromStdString(bundled("tabletop-grids-nested.pt"))});
        QVERIFY2(python.ok, python.err.constData());
    }

    void runTheBundledDemo_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<int>("budgetMax");
        QTest::newRow("dense") << "tabletop-dense.pt"
                               << "dense" << 0;
        QTest::newRow("grids16") << "tabletop-grids16.pt"
                                 << "grids" << 16;
        QTest::newRow("nested") << "tabletop-grids-nested.pt"
                                << "grids" << 64;
    }

    void runTheBundledDemo()
    {
        QFETCH(QString, file);
        QFETCH(QString, kind);
        QFETCH(int, budgetMax);
        auto policy = Policy::load(bundled(file.toUtf8().constData()));
        const CheckpointInfo &info = policy->info();
        QCOMPARE(QString::fromStdString(info.kind), kind);
        QCOMPARE(info.headAttention, std::string("cross"));
        QVERIFY(info.hasMethod("embed_instruction"));
        if (budgetMax > 0)
            QCOMPARE(info.budgetMax, budgetMax);
        auto demo =
            openEpisodeFile(std::string(GRIDS_DATASETS_DIR) + "/tabletop/tabletop_demo.hdf5");
        const Frame frame = demo->frame(0, 10);
        const FrameResult r = policy->run(frame, demo->episodes()[0].views, kind.toStdString(),
                                          info.budgetDefault, "demo_0/10");
        QCOMPARE(int(r.actions.rows), 8);
        for (float v : r.actions.values)
            QVERIFY(std::isfinite(v));
    }

    void nestedBudgetsArePrefixes()
    {
        auto policy = Policy::load(bundled("tabletop-grids-nested.pt"));
        QVERIFY(policy->info().nested);
        auto demo =
            openEpisodeFile(std::string(GRIDS_DATASETS_DIR) + "/tabletop/tabletop_demo.hdf5");
        const Frame frame = demo->frame(4, 20);
        const auto &views = demo->episodes()[4].views;
        const FrameResult full = policy->run(frame, views, "grids", 64, "f");
        for (int k : {1, 4, 16}) {
            const FrameResult part = policy->run(frame, views, "grids", k, "f");
            for (std::size_t v = 0; v < 2; ++v)
                for (int i = 0; i < k; ++i)
                    QCOMPARE(part.views[v].coords[std::size_t(i)],
                             full.views[v].coords[std::size_t(i)]);
        }
    }

    // datasets/README.md's coordinates image as a property: in the front camera, through the
    // first half of each demo, GridS16's nearest point lies much closer to the target of its own
    // episode (recorded by the simulator) than to the targets of the other episodes at the same
    // moment (0.90 against 1.49 cells). A sampler with a fixed layout, as the first bundled
    // checkpoints had, is as close to either (2.22 against 2.22).
    void grids16LooksAtItsTarget()
    {
        auto policy = Policy::load(bundled("tabletop-grids16.pt"));
        auto demo =
            openEpisodeFile(std::string(GRIDS_DATASETS_DIR) + "/tabletop/tabletop_demo.hdf5");
        using Point = std::array<float, 2>;
        struct Look
        {
            std::vector<Point> points; // the front camera's 16 points
            Point target;
        };
        const int moments = 3;                // frames 0, L/6 and L/3 of each demo
        std::vector<std::vector<Look>> looks; // [episode][moment]
        for (std::size_t e = 0; e < demo->episodes().size(); ++e) {
            const auto &info = demo->episodes()[e];
            const auto target = demo->lowDim(e, libero::kTargetImagePos);
            QVERIFY(target && target->cols == 4);
            looks.emplace_back();
            for (int m = 0; m < moments; ++m) {
                const std::int64_t t = m * info.length / (2 * moments);
                const FrameResult r = policy->run(demo->frame(e, t), info.views, "grids", 16,
                                                  info.key + "/" + std::to_string(t));
                looks.back().push_back({r.views[0].coords, {target->at(t, 0), target->at(t, 1)}});
            }
        }
        const double cellsPerImage = policy->info().gridWidth; // 16
        auto nearestCells = [&](const std::vector<Point> &points, const Point &target) {
            double best = 1e9;
            for (const Point &p : points)
                best =
                    std::min(best, std::hypot(p[0] - target[0], p[1] - target[1]) * cellsPerImage);
            return best;
        };
        double own = 0, others = 0;
        int ownCount = 0, othersCount = 0;
        for (std::size_t e = 0; e < looks.size(); ++e)
            for (int m = 0; m < moments; ++m) {
                own += nearestCells(looks[e][m].points, looks[e][m].target), ++ownCount;
                for (std::size_t f = 0; f < looks.size(); ++f)
                    if (f != e)
                        others += nearestCells(looks[e][m].points, looks[f][m].target),
                            ++othersCount;
            }
        own /= ownCount;
        others /= othersCount;
        qInfo("nearest point: %.2f cells from its own target, %.2f from the others'", own, others);
        QVERIFY2(own < 0.75 * others, qPrintable(QString("%1 against %2").arg(own).arg(others)));
    }

    // SparseVLM on the dense checkpoint rates cells with the words of the instruction through the
    // model's own token–word attention (text_relevance): its 16 cells per view lie nearer the
    // target the instruction names than random ones do. (Scored with dot products between word
    // embeddings and visual features, which live in different spaces, it kept borders and
    // corners: 3.9 cells from the target against random's 1.9.)
    void sparsevlmKeepsCellsNearTheNamedTarget()
    {
        auto policy = Policy::load(bundled("tabletop-dense.pt"));
        QVERIFY(policy->info().hasMethod("text_relevance")); // defined on load
        auto demo =
            openEpisodeFile(std::string(GRIDS_DATASETS_DIR) + "/tabletop/tabletop_demo.hdf5");
        const double cellsPerImage = policy->info().gridWidth;
        std::map<std::string, double> distance;
        int samples = 0;
        for (std::size_t e = 0; e < demo->episodes().size(); ++e) {
            const auto &info = demo->episodes()[e];
            const auto target = demo->lowDim(e, libero::kTargetImagePos);
            QVERIFY(target && target->cols == 4);
            for (int m = 0; m < 3; ++m) {
                const std::int64_t t = m * info.length / 6;
                const Frame frame = demo->frame(e, t);
                ++samples;
                for (const std::string method : {"sparsevlm", "random"}) {
                    const FrameResult r = policy->run(frame, info.views, method, 16,
                                                      info.key + "/" + std::to_string(t));
                    double best = 1e9;
                    for (const auto &p : r.views[0].coords)
                        best = std::min(best, std::hypot(p[0] - target->at(t, 0),
                                                         p[1] - target->at(t, 1)) *
                                                  cellsPerImage);
                    distance[method] += best;
                }
            }
        }
        for (auto &[method, d] : distance)
            d /= samples;
        qInfo("nearest kept cell from the target: sparsevlm %.2f, random %.2f cells",
              distance["sparsevlm"], distance["random"]);
        QVERIFY2(distance["sparsevlm"] < distance["random"],
                 qPrintable(QString("%1 against %2").arg(distance["sparsevlm"]).arg(distance["random"])));
    }
};

QTEST_GUILESS_MAIN(TestBundledCheckpoints)
#include "tst_bundled_checkpoints.moc"
