// The training-free selectors run through a checkpoint (METHODS.md, "Baselines"): at full budget
// each reproduces the dense action, and a method the checkpoint cannot run is not applicable.
// The selectors' own rules are tested without LibTorch in tst_selectors.

#include "common/random.h"
#include "fixtures.h"
#include "model/policy.h"
#include "selectors/selector.h"

#include <QTest>

#include <cmath>

using namespace grids;

namespace {

// Every method of METHODS.md but GridS' own sampler and dense: the training-free baselines.
std::vector<std::string> baselines()
{
    std::vector<std::string> methods;
    for (const auto &method : selectors::methodNames())
        if (method != "grids" && method != "dense")
            methods.push_back(method);
    return methods;
}
const std::vector<std::string> kBaselines = baselines();

Frame frameOf(int seed)
{
    Frame frame;
    grids::Random random(static_cast<std::uint64_t>(seed));
    for (int v = 0; v < 2; ++v) {
        cv::Mat image(32, 32, CV_8UC3);
        for (int i = 0; i < 32 * 32 * 3; ++i)
            image.data[i] = std::uint8_t(random.index(256));
        frame.views.push_back(image);
    }
    for (int i = 0; i < 8; ++i)
        frame.state.push_back(0.1f * float(i));
    frame.instruction = "put the red cube on the blue plate";
    return frame;
}

const std::vector<ViewInfo> kTwoViews = {{"agentview_rgb", 32, 32}, {"eye_in_hand_rgb", 32, 32}};

} // namespace

class TestPolicySelectors : public QObject
{
    Q_OBJECT

private slots:
    // Through a checkpoint: the dense tokens come from its encoder, the head runs on what each
    // selector keeps. At full budget every selector's action equals dense; the encoder runs once
    // for the frame whatever the methods and budgets.
    void throughACheckpointFullBudgetReproducesDense()
    {
        const auto &ckpt = fixtures::contractCheckpoints();
        QVERIFY2(ckpt.ok, ckpt.error.constData());
        auto policy = Policy::load(ckpt.path("contract_dense.pt").toStdString());
        const int cells = policy->info().cellsPerView();
        const Frame frame = frameOf(3);
        const FrameResult dense = policy->run(frame, kTwoViews, "dense", 0, "frame");
        for (const auto &method : kBaselines) {
            const FrameResult full = policy->run(frame, kTwoViews, method, cells, "frame");
            QCOMPARE(full.budget, cells);
            for (std::size_t i = 0; i < dense.actions.values.size(); ++i)
                QVERIFY2(std::abs(full.actions.values[i] - dense.actions.values[i]) < 1e-6f,
                         method.c_str());
            for (int budget = 1; budget < cells; budget += 5) {
                const FrameResult r = policy->run(frame, kTwoViews, method, budget, "frame");
                QCOMPARE(r.budget, budget);
                QCOMPARE(int(r.attention.size()), 2 * budget);
                QCOMPARE(int(r.views[0].coords.size()), budget);
                QVERIFY(r.views[0].cells.size() == std::size_t(budget) ||
                        r.views[0].groups.size() == std::size_t(budget));
            }
        }
        QCOMPARE(policy->encoderCalls(), std::size_t(1));
        // Random is seeded by the frame's content: same frame, same cells; another, others.
        const auto a = policy->run(frame, kTwoViews, "random", 4).views[0].cells;
        QCOMPARE(policy->run(frame, kTwoViews, "random", 4).views[0].cells, a);
        QVERIFY(policy->run(frameOf(4), kTwoViews, "random", 4).views[0].cells != a);
    }

    // A sweep's configurations of one frame run together (runMany): the encoder once, the head
    // batched over configurations (one call per length, or one for all lengths where the head
    // runs from keys), and each result what run() gives for that configuration alone (float
    // rounding allowed), on Python-exported heads of both kinds and on the project's own, which
    // runs from keys: with the dense cells' keys reused (dense or a ranking method among the
    // configurations) and without.
    void manyConfigurationsAtOnceGiveWhatEachGivesAlone()
    {
        const auto &ckpt = fixtures::contractCheckpoints();
        QVERIFY2(ckpt.ok, ckpt.error.constData());
        const std::string bundled = std::string(GRIDS_DATASETS_DIR) + "/checkpoints/";
        for (const std::string &path :
             {ckpt.path("contract_dense.pt").toStdString(), ckpt.path("contract_grids.pt").toStdString(),
              bundled + "tabletop-dense.pt", bundled + "tabletop-grids16.pt"}) {
            auto together = Policy::load(path);
            // The project's own head runs from keys (the dense cells' reused by every method
            // that keeps cells as they are); a plain exported head does not.
            const bool fromKeys = together->info().hasMethod("act_from_keys");
            QCOMPARE(fromKeys, path.find("tabletop-") != std::string::npos);
            std::vector<MethodBudget> configs{{"dense", 0}}, unranked;
            std::vector<std::string> methods = kBaselines;
            methods.push_back("grids");
            for (const auto &method : methods)
                if (notApplicable(together->info(), method).empty())
                    for (int budget : {1, 4, 9})
                        if (method != "grids" || budget <= together->info().budgetMax) {
                            configs.push_back({method, budget});
                            if (!selectors::needsOf(method).headAttention)
                                unranked.push_back({method, budget});
                        }
            QVERIFY(configs.size() > 15);
            QVERIFY(unranked.size() > 6);
            // SparseVLM's relevance comes with the dense keys on the project's own head: one
            // call for both, no text_relevance of its own.
            QCOMPARE(together->info().hasMethod("visual_keys_with_relevance"), fromKeys);
            const std::size_t relevanceCalls = together->methodCalls("text_relevance");
            const std::size_t fusedCalls = together->methodCalls("visual_keys_with_relevance");
            compareWithAlone(*together, path, 5, configs);
            if (fromKeys) {
                QCOMPARE(together->methodCalls("text_relevance"), relevanceCalls);
                QCOMPARE(together->methodCalls("visual_keys_with_relevance"), fusedCalls + 1);
            }
            QCOMPARE(together->encoderCalls(), std::size_t(1));
            // One head call on the dense set: FastV's and VisionZip's ranking pass, whose output
            // is also dense's. Then one per length (1, 4, 9 tokens per view), or one for all.
            QVERIFY(together->info().cellsPerView() > 9);
            QVERIFY(notApplicable(together->info(), "fastv").empty());
            QCOMPARE(together->headCalls(), std::size_t(1 + (fromKeys ? 1 : 3)));
            // No ranking method and no dense: every token gets its own keys.
            const std::size_t before = together->headCalls();
            compareWithAlone(*together, path, 6, unranked);
            QCOMPARE(together->headCalls() - before, std::size_t(fromKeys ? 1 : 3));
        }
    }

    static void compareWithAlone(Policy &together,
                                 const std::string &path,
                                 int seed,
                                 const std::vector<MethodBudget> &configs)
    {
        const Frame frame = frameOf(seed);
        const std::string cacheKey = "frame " + std::to_string(seed); // the encoder cache's key
        auto alone = Policy::load(path);
        const auto results = together.runMany(frame, kTwoViews, configs, cacheKey);
        QCOMPARE(results.size(), configs.size());
        for (std::size_t i = 0; i < configs.size(); ++i) {
            const FrameResult r =
                alone->run(frame, kTwoViews, configs[i].method, configs[i].budget, cacheKey);
            const FrameResult &m = results[i];
            const QByteArray what = QByteArray(path.c_str()) + " " + configs[i].method.c_str() +
                                    " " + QByteArray::number(configs[i].budget);
            QVERIFY2(m.method == r.method && m.budget == r.budget, what);
            QVERIFY2(m.views.size() == r.views.size(), what);
            for (std::size_t v = 0; v < r.views.size(); ++v)
                QVERIFY2(m.views[v].coords == r.views[v].coords &&
                             m.views[v].cells == r.views[v].cells &&
                             m.views[v].groups == r.views[v].groups,
                         what);
            QVERIFY2(m.actions.values.size() == r.actions.values.size(), what);
            for (std::size_t k = 0; k < r.actions.values.size(); ++k)
                QVERIFY2(std::abs(m.actions.values[k] - r.actions.values[k]) < 1e-5f, what);
            QVERIFY2(m.attention.size() == r.attention.size(), what);
            for (std::size_t k = 0; k < r.attention.size(); ++k)
                QVERIFY2(std::abs(m.attention[k] - r.attention[k]) < 1e-6f, what);
        }
    }

    void methodsACheckpointCannotRunAreNotApplicable()
    {
        const auto &ckpt = fixtures::contractCheckpoints();
        QVERIFY2(ckpt.ok, ckpt.error.constData());
        auto grids = Policy::load(ckpt.path("contract_grids.pt").toStdString());
        auto dense = Policy::load(ckpt.path("contract_dense.pt").toStdString());
        QVERIFY(QString::fromStdString(notApplicable(grids->info(), "sparsevlm"))
                    .contains("text_relevance"));
        QVERIFY(notApplicable(dense->info(), "sparsevlm").empty());
        QVERIFY(QString::fromStdString(notApplicable(dense->info(), "grids")).contains("GridS"));
        for (const auto &method : kBaselines)
            if (method != "sparsevlm")
                QVERIFY(notApplicable(grids->info(), method).empty());
        QVERIFY(fixtures::errorOf([&] {
                    grids->run(frameOf(1), kTwoViews, "sparsevlm", 4);
                }).contains("text_relevance"));
    }
};

QTEST_GUILESS_MAIN(TestPolicySelectors)
#include "tst_policy_selectors.moc"
