// The bundled checkpoints (datasets/checkpoints): each loads as a contract checkpoint in the
// application and in Python (torch.jit.load, every method with the documented shapes), runs the
// bundled demo, and the nested one keeps its promise: at budget K its coordinates are the first K
// of those at K_max.

#include "episodes/episode.h"
#include "fixtures.h"
#include "model/policy.h"

#include <QTest>

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
};

QTEST_GUILESS_MAIN(TestBundledCheckpoints)
#include "tst_bundled_checkpoints.moc"
