// The training-free selectors (METHODS.md, "Baselines"): hand-checkable cases per rule, budgets
// refused outside 1 … h·w, and at full budget every selector hands the head the dense tokens, so
// that a checkpoint run through any of them reproduces the dense action.

#include "common/error.h"
#include "common/random.h"
#include "eval/metrics.h"
#include "fixtures.h"
#include "model/policy.h"
#include "selectors/selector.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <numeric>
#include <set>

using namespace grids;
using namespace grids::selectors;

namespace {

const std::vector<std::string> kBaselines = {"random", "uniform",  "fastv",    "sparsevlm",
                                             "tome",   "divprune", "visionzip"};

// A 16×16 view of 8-wide pseudo-random features, a peaked attention, and an instruction.
struct TestView
{
    std::vector<float> features;
    ViewTokens view;

    explicit TestView(int w = 16, int h = 16, int dim = 8)
    {
        grids::Random random(7);
        features.resize(std::size_t(w * h * dim));
        for (auto &f : features)
            f = float(random.normal());
        view.gridWidth = w;
        view.gridHeight = h;
        view.dim = dim;
        view.features = features.data();
        view.attention.resize(std::size_t(w * h));
        for (int c = 0; c < w * h; ++c)
            view.attention[std::size_t(c)] = float(random.uniform(0, 1));
        view.instruction.assign(features.begin(), features.begin() + 2 * dim);
        view.seed = 11;
    }
};

std::vector<int> cellsOf(const std::vector<Token> &tokens)
{
    std::vector<int> cells;
    for (const auto &t : tokens)
        cells.insert(cells.end(), t.cells.begin(), t.cells.end());
    return cells;
}

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

class TestSelectors : public QObject
{
    Q_OBJECT

private slots:
    void everyBaselineAtFullBudgetKeepsTheDenseTokensInOrder()
    {
        const TestView t;
        const std::vector<float> dense = tokenFeatures(t.view, select("dense", t.view, 0));
        for (const auto &method : kBaselines) {
            const auto tokens = select(method, t.view, 256);
            QCOMPARE(int(tokens.size()), 256);
            for (int c = 0; c < 256; ++c) {
                QCOMPARE(tokens[std::size_t(c)].cells, std::vector<int>{c});
                QCOMPARE(tokens[std::size_t(c)].weights, std::vector<float>{1.0f});
            }
            QCOMPARE(tokenFeatures(t.view, tokens), dense);
        }
    }

    void everyBaselineKeepsExactlyTheBudget()
    {
        const TestView t;
        for (const auto &method : kBaselines)
            for (int budget : {1, 2, 3, 4, 7, 16, 64, 100}) {
                const auto tokens = select(method, t.view, budget);
                QVERIFY2(int(tokens.size()) == budget, method.c_str());
                std::set<int> seen;
                for (const auto &token : tokens) {
                    QVERIFY(!token.cells.empty());
                    QCOMPARE(token.cells.size(), token.weights.size());
                    const float sum =
                        std::accumulate(token.weights.begin(), token.weights.end(), 0.0f);
                    QVERIFY(std::abs(sum - 1.0f) < 1e-5f);
                    for (int c : token.cells)
                        QVERIFY2(seen.insert(c).second, "a cell in two tokens");
                }
                const auto coords = tokenCoordinates(t.view, tokens);
                for (float xy : coords)
                    QVERIFY(xy > 0.0f && xy < 1.0f);
            }
    }

    void budgetsOutsideTheGridAndUnknownMethodsAreRefused()
    {
        const TestView t;
        for (const auto &method : kBaselines)
            for (int budget : {0, -3, 257}) {
                Error::Kind kind = Error::Kind::Other;
                QVERIFY(fixtures::errorOf([&] { select(method, t.view, budget); }, &kind)
                            .contains("outside 1..256"));
                QVERIFY(kind == Error::Kind::Usage);
            }
        QVERIFY(fixtures::errorOf([&] { select("magic", t.view, 4); }).contains("unknown method"));
        ViewTokens noAttention = t.view;
        noAttention.attention.clear();
        QVERIFY(fixtures::errorOf([&] { select("fastv", noAttention, 4); }).contains("attention"));
        ViewTokens noWords = t.view;
        noWords.instruction.clear();
        QVERIFY(fixtures::errorOf([&] {
                    select("sparsevlm", noWords, 4);
                }).contains("embed_instruction"));
    }

    void fastvKeepsTheTopCellsByAttention()
    {
        TestView t;
        std::fill(t.view.attention.begin(), t.view.attention.end(), 0.001f);
        t.view.attention[200] = 0.5f;
        t.view.attention[3] = 0.3f;
        t.view.attention[77] = 0.2f;
        QCOMPARE(cellsOf(selectTopAttention(t.view, 2)), (std::vector<int>{3, 200}));
        QCOMPARE(cellsOf(selectTopAttention(t.view, 3)), (std::vector<int>{3, 77, 200}));
    }

    void randomIsReproduciblePerFrameSeed()
    {
        TestView t;
        const auto a = cellsOf(selectRandom(t.view, 16));
        QCOMPARE(cellsOf(selectRandom(t.view, 16)), a);
        t.view.seed = 12;
        QVERIFY(cellsOf(selectRandom(t.view, 16)) != a);
    }

    void uniformPoolsBlocksForSquareBudgetsAndSpreadsOthers()
    {
        const TestView t;
        const auto pooled = selectUniform(t.view, 4);
        QCOMPARE(int(pooled.size()), 4);
        for (const auto &token : pooled)
            QCOMPARE(int(token.cells.size()), 64);
        const auto coords = tokenCoordinates(t.view, pooled);
        const std::vector<float> centres = {0.25f, 0.25f, 0.75f, 0.25f, 0.25f, 0.75f, 0.75f, 0.75f};
        for (std::size_t i = 0; i < centres.size(); ++i)
            QVERIFY(std::abs(coords[i] - centres[i]) < 1e-6f);
        // 8 = 3 columns × 3 rows, the first 8 lattice points: cells (2, 2), (8, 2), (13, 2), …
        const auto spread = cellsOf(selectUniform(t.view, 8));
        QCOMPARE(spread, (std::vector<int>{2 * 16 + 2, 2 * 16 + 8, 2 * 16 + 13, 8 * 16 + 2,
                                           8 * 16 + 8, 8 * 16 + 13, 13 * 16 + 2, 13 * 16 + 8}));
    }

    void divpruneOnAnArcPicksTheExtremesFirst()
    {
        // Nine unit vectors on an arc from 0° to 90° (a 3×3 grid of 2-wide features), the one
        // at 0° the most isolated: it is picked first, then the farthest from it (90°), then the
        // one farthest from both (45°).
        std::vector<float> features;
        for (double degrees : {0, 35, 40, 45, 50, 55, 60, 65, 90}) {
            features.push_back(float(std::cos(degrees * M_PI / 180)));
            features.push_back(float(std::sin(degrees * M_PI / 180)));
        }
        ViewTokens view;
        view.gridWidth = view.gridHeight = 3;
        view.dim = 2;
        view.features = features.data();
        QCOMPARE(cellsOf(selectDivPrune(view, 1)), (std::vector<int>{0}));
        QCOMPARE(cellsOf(selectDivPrune(view, 2)), (std::vector<int>{0, 8}));
        QCOMPARE(cellsOf(selectDivPrune(view, 3)), (std::vector<int>{0, 3, 8}));
    }

    void tomeMergesDuplicatesIntoSizeWeightedMeans()
    {
        // 4×4 cells in identical pairs (2k, 2k + 1) of 8 distinct directions: halving the tokens
        // merges exactly the pairs.
        std::vector<float> features;
        for (int c = 0; c < 16; ++c) {
            const double angle = 2 * M_PI * (c / 2) / 8;
            features.insert(features.end(), {float(std::cos(angle)), float(std::sin(angle)), 1.0f});
        }
        ViewTokens view;
        view.gridWidth = view.gridHeight = 4;
        view.dim = 3;
        view.features = features.data();
        const auto pairs = selectToMe(view, 8);
        QCOMPARE(int(pairs.size()), 8);
        for (int k = 0; k < 8; ++k)
            QCOMPARE(pairs[std::size_t(k)].cells, (std::vector<int>{2 * k, 2 * k + 1}));
        // Merging on: a token of several cells carries their mean (the size-weighted average of
        // the pairwise merges), and its coordinate the mean of their centres.
        const auto four = selectToMe(view, 4);
        QCOMPARE(int(four.size()), 4);
        const auto merged = tokenFeatures(view, four);
        for (std::size_t k = 0; k < four.size(); ++k) {
            std::vector<double> mean(3, 0.0);
            for (int c : four[k].cells)
                for (int d = 0; d < 3; ++d)
                    mean[std::size_t(d)] += features[std::size_t(c * 3 + d)] / four[k].cells.size();
            for (int d = 0; d < 3; ++d)
                QVERIFY(std::abs(merged[k * 3 + std::size_t(d)] - mean[std::size_t(d)]) < 1e-6);
        }
    }

    void visionzipKeepsDominantCellsAndMergesTheRestIntoContext()
    {
        TestView t;
        std::fill(t.view.attention.begin(), t.view.attention.end(), 0.001f);
        for (int c : {5, 50, 100, 150, 250})
            t.view.attention[std::size_t(c)] = 1.0f;
        // Budget 16: 14 dominant cells (the five peaked ones among them) and 2 contextual tokens
        // that take every other cell.
        const auto tokens = selectVisionZip(t.view, 16);
        QCOMPARE(int(tokens.size()), 16);
        int singles = 0, covered = 0;
        std::set<int> dominant;
        for (const auto &token : tokens) {
            covered += int(token.cells.size());
            if (token.cells.size() == 1)
                ++singles, dominant.insert(token.cells.front());
        }
        QCOMPARE(singles, 14);
        QCOMPARE(covered, 256);
        for (int c : {5, 50, 100, 150, 250})
            QVERIFY(dominant.count(c));
    }

    void sparsevlmRanksTheCellsTheInstructionTalksAbout()
    {
        // Cells 40 and 90 carry strong features along axes 0 and 1; an instruction word along
        // one axis makes its cell the most relevant.
        TestView t;
        for (int d = 0; d < 8; ++d)
            t.features[std::size_t(40 * 8 + d)] = t.features[std::size_t(90 * 8 + d)] = 0.0f;
        t.features[40 * 8 + 0] = 5.0f;
        t.features[90 * 8 + 1] = 5.0f;
        for (auto [axis, cell] : {std::pair{0, 40}, std::pair{1, 90}}) {
            t.view.instruction.assign(8, 0.0f);
            t.view.instruction[std::size_t(axis)] = 4.0f;
            QCOMPARE(cellsOf(selectSparseVlm(t.view, 1)), std::vector<int>{cell});
        }
    }

    // METHODS.md's keypoint coverage: the share of keypoints within r pixels of a kept token.
    void keypointCoverageCountsKeypointsNearKeptTokens()
    {
        const std::vector<std::array<float, 2>> tokens = {{0.5f, 0.5f}, {0.1f, 0.1f}};
        // In a 100×100 image: 3 px, 5 px and 30 px from the nearest token.
        const std::vector<std::array<float, 2>> keypoints = {
            {0.53f, 0.5f}, {0.1f, 0.15f}, {0.8f, 0.5f}};
        QCOMPARE(keypointCoverage(keypoints, tokens, 4.0, 100, 100), 1.0 / 3.0);
        QCOMPARE(keypointCoverage(keypoints, tokens, 5.5, 100, 100), 2.0 / 3.0);
        QCOMPARE(keypointCoverage(keypoints, tokens, 50.0, 100, 100), 1.0);
        QCOMPARE(keypointCoverage({}, tokens, 4.0, 100, 100), -1.0);
        QCOMPARE(keypointCoverage(keypoints, {}, 4.0, 100, 100), 0.0);
    }

    // Comparison view: the frames where two action tracks first part ways (each onset once).
    void divergenceOnsetsMarkWhereTracksPartWays()
    {
        const std::vector<std::vector<float>> a = {{0, 0}, {0, 0}, {0, 0}, {0, 0}, {0, 0}, {0, 0}};
        const std::vector<std::vector<float>> b = {{0, 0}, {1, 1}, {1, 1}, {0, 0.1f}, {}, {2, 0}};
        // L1 per frame: 0, 1, 1, 0.05, (none), 1.
        QCOMPARE(divergenceOnsets(a, b, 0.5), (std::vector<std::int64_t>{1, 5}));
        QCOMPARE(divergenceOnsets(a, b, 0.01), (std::vector<std::int64_t>{1}));
        QCOMPARE(divergenceOnsets(a, b, 2.0), std::vector<std::int64_t>{});
        QCOMPARE(divergenceOnsets(b, b, 0.0), std::vector<std::int64_t>{});
        // Diverged from the first frame on.
        QCOMPARE(divergenceOnsets({{3}}, {{0}}, 1.0), std::vector<std::int64_t>{0});
    }

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

    void methodsACheckpointCannotRunAreNotApplicable()
    {
        const auto &ckpt = fixtures::contractCheckpoints();
        QVERIFY2(ckpt.ok, ckpt.error.constData());
        auto grids = Policy::load(ckpt.path("contract_grids.pt").toStdString());
        auto dense = Policy::load(ckpt.path("contract_dense.pt").toStdString());
        QVERIFY(QString::fromStdString(notApplicable(grids->info(), "sparsevlm"))
                    .contains("embed_instruction"));
        QVERIFY(notApplicable(dense->info(), "sparsevlm").empty());
        QVERIFY(QString::fromStdString(notApplicable(dense->info(), "grids")).contains("GridS"));
        for (const auto &method : kBaselines)
            if (method != "sparsevlm")
                QVERIFY(notApplicable(grids->info(), method).empty());
        QVERIFY(fixtures::errorOf([&] {
                    grids->run(frameOf(1), kTwoViews, "sparsevlm", 4);
                }).contains("embed_instruction"));
    }
};

QTEST_GUILESS_MAIN(TestSelectors)
#include "tst_selectors.moc"
