// The training-free selectors (METHODS.md, "Baselines"): hand-checkable cases per rule, budgets
// refused outside 1 … h·w, and at full budget every selector hands the head the dense tokens (a
// checkpoint run through them: tst_policy_selectors).

#include "common/error.h"
#include "common/random.h"
#include "fixtures.h"
#include "selectors/selector.h"
#include "selectors/selector_util.h"

#include <QTest>

#include <cmath>
#include <limits>

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
        view.textRelevance = relevanceFromEmbeddings(view, {features.begin(), features.begin() + 2 * dim});
        view.words = 2;
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
        noWords.textRelevance.clear();
        QVERIFY(fixtures::errorOf([&] {
                    select("sparsevlm", noWords, 4);
                }).contains("text_relevance"));
        ViewTokens onlyPadding = t.view;
        std::fill(onlyPadding.textRelevance.begin(), onlyPadding.textRelevance.end(),
                  -std::numeric_limits<float>::infinity());
        QVERIFY(fixtures::errorOf([&] { select("sparsevlm", onlyPadding, 4); }).contains("no words"));
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

    // A sweep's budgets selected together (selectEach) are each what select() gives alone, in
    // any order of budgets, also where many cells tie (features from four values).
    void selectingManyBudgetsAtOnceEqualsOneByOne()
    {
        TestView random, ties;
        for (std::size_t i = 0; i < ties.features.size(); ++i)
            ties.features[i] = float(int(i * 7 % 13) % 4);
        const std::vector<int> budgets = {100, 1, 7, 64, 3, 16, 2, 4, 256, 16};
        for (const TestView *t : {&random, &ties})
            for (const auto &method : kBaselines) {
                const auto each = selectEach(method, t->view, budgets);
                QCOMPARE(each.size(), budgets.size());
                for (std::size_t b = 0; b < budgets.size(); ++b) {
                    const auto alone = select(method, t->view, budgets[b]);
                    const QByteArray what = QByteArray(method.c_str()) + " at " +
                                            QByteArray::number(budgets[b]);
                    QVERIFY2(each[b].size() == alone.size(), what);
                    for (std::size_t k = 0; k < alone.size(); ++k)
                        QVERIFY2(each[b][k].cells == alone[k].cells &&
                                     each[b][k].weights == alone[k].weights,
                                 what);
                }
            }
        QVERIFY(fixtures::errorOf([&] { selectEach("tome", random.view, {4, 300}); })
                    .contains("outside 1..256"));
        QVERIFY(selectEach("divprune", random.view, {}).empty());
    }

    // The cell cosines a sweep computes once per view and shares (ViewTokens::cosines) change
    // no selection: every method that reads them selects what it selects without them, and the
    // matrix is each pair's cosine one pair at a time, symmetric to the bit.
    void sharedCellCosinesSelectAsEachMethodAlone()
    {
        TestView random, ties, odd(7, 5, 37); // odd: sizes that fill no tile evenly
        for (std::size_t i = 0; i < ties.features.size(); ++i)
            ties.features[i] = float(int(i * 7 % 13) % 4);
        for (TestView *t : {&random, &ties, &odd}) {
            ViewTokens shared = t->view;
            shared.cosines = cellCosines(t->view);
            const int n = t->view.cells(), dim = t->view.dim;
            QCOMPARE(shared.cosines->size(), std::size_t(n * n));
            const std::vector<float> unit = detail::normalisedRows(t->features.data(), n, dim);
            for (int a = 0; a < n; ++a)
                for (int b = 0; b < n; ++b) {
                    double dot = 0;
                    for (int d = 0; d < dim; ++d)
                        dot +=
                            double(unit[std::size_t(a * dim + d)]) * unit[std::size_t(b * dim + d)];
                    QCOMPARE((*shared.cosines)[std::size_t(a * n + b)], float(dot));
                    QCOMPARE((*shared.cosines)[std::size_t(a * n + b)],
                             (*shared.cosines)[std::size_t(b * n + a)]);
                }
            std::vector<int> budgets;
            for (int budget : {1, 2, 4, 7, 16, 64, 100, 128, 255, 256})
                if (budget <= n)
                    budgets.push_back(budget);
            for (const std::string method : {"divprune", "tome", "visionzip"}) {
                QVERIFY(needsOf(method).cellCosines);
                const auto with = selectEach(method, shared, budgets);
                const auto without = selectEach(method, t->view, budgets);
                for (std::size_t b = 0; b < budgets.size(); ++b) {
                    const QByteArray what =
                        QByteArray(method.c_str()) + " at " + QByteArray::number(budgets[b]);
                    const auto alone = select(method, shared, budgets[b]);
                    QVERIFY2(with[b].size() == without[b].size() &&
                                 alone.size() == without[b].size(),
                             what);
                    for (std::size_t k = 0; k < with[b].size(); ++k)
                        QVERIFY2(with[b][k].cells == without[b][k].cells &&
                                     with[b][k].weights == without[b][k].weights &&
                                     alone[k].cells == without[b][k].cells,
                                 what);
                }
            }
        }
        QVERIFY(!needsOf("fastv").cellCosines && !needsOf("random").cellCosines);
    }

    // DivPrune's and ToMe's cosines a row at a time are the one-pair-at-a-time sums, bit for
    // bit, so the faster path keeps every selection as it was (in whichever instruction set's
    // copy this processor runs); odd sizes fill no vector evenly. A row from the diagonal on
    // (DivPrune's symmetric matrix) is the same row's tail.
    void cosineRowsEqualCosinesOneByOne()
    {
        grids::Random random(7);
        const int n = 29, dim = 37;
        std::vector<float> rows(std::size_t(n * dim));
        for (auto &x : rows)
            x = float(random.uniform(-1.0, 1.0));
        const std::vector<float> unit = selectors::detail::normalisedRows(rows.data(), n, dim);
        selectors::detail::CosineRows cosines(unit.data(), n, dim);
        for (int a = 0; a < n; ++a) {
            const std::vector<float> row = cosines.with(unit.data() + a * dim);
            QCOMPARE(row.size(), std::size_t(n));
            const std::vector<float> fromDiagonal = cosines.with(unit.data() + a * dim, a);
            for (int b = a; b < n; ++b)
                QCOMPARE(fromDiagonal[std::size_t(b)], row[std::size_t(b)]);
            for (int b = 0; b < n; ++b) {
                const auto oneByOne = [&](int x, int y) { // as the selectors did before
                    double dot = 0;
                    for (int d = 0; d < dim; ++d)
                        dot += double(unit[std::size_t(x * dim + d)]) * unit[std::size_t(y * dim + d)];
                    return float(dot);
                };
                QVERIFY2(row[std::size_t(b)] == oneByOne(a, b) && oneByOne(a, b) == oneByOne(b, a),
                         qPrintable(QString("%1 %2").arg(a).arg(b)));
            }
        }
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

    // DivPrune's order is the greedy max-min order cell by cell, as written plainly here (the
    // most isolated cell first, then each time the first of the cells farthest from all kept
    // ones), also where cells tie: a view with repeated cells, of sizes that fill no vector.
    void divpruneIsTheGreedyMaxMinOrder()
    {
        const auto plainOrder = [](const std::vector<float> &cosines, int n, int budget) {
            const auto distance = [&](int a, int b) {
                return 1.0f - cosines[std::size_t(a) * std::size_t(n) + std::size_t(b)];
            };
            int first = 0;
            float best = -1;
            for (int a = 0; a < n; ++a) {
                float nearest = std::numeric_limits<float>::infinity();
                for (int b = 0; b < n; ++b)
                    if (b != a)
                        nearest = std::min(nearest, distance(a, b));
                if (nearest > best)
                    best = nearest, first = a;
            }
            std::vector<int> order = {first};
            std::vector<float> toKept(static_cast<std::size_t>(n));
            std::vector<bool> taken(static_cast<std::size_t>(n), false);
            for (int c = 0; c < n; ++c)
                toKept[std::size_t(c)] = distance(first, c);
            taken[std::size_t(first)] = true;
            while (int(order.size()) < budget) {
                int next = -1;
                for (int c = 0; c < n; ++c)
                    if (!taken[std::size_t(c)] &&
                        (next < 0 || toKept[std::size_t(c)] > toKept[std::size_t(next)]))
                        next = c;
                order.push_back(next);
                taken[std::size_t(next)] = true;
                for (int c = 0; c < n; ++c)
                    toKept[std::size_t(c)] = std::min(toKept[std::size_t(c)], distance(next, c));
            }
            return order;
        };
        TestView random;
        TestView repeated(7, 5, 3);
        for (int c = 0; c < 35; ++c) // every cell one of five directions
            std::copy(random.features.begin() + (c % 5) * 3,
                      random.features.begin() + (c % 5 + 1) * 3,
                      repeated.features.begin() + c * 3);
        for (const ViewTokens *view : {&random.view, &repeated.view}) {
            const int n = view->cells();
            QCOMPARE(detail::divPruneOrder(*view, n), plainOrder(*cellCosines(*view), n, n));
        }
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
        // The fallback signal: cells 40 and 90 carry strong features along axes 0 and 1; a word
        // embedded along one axis makes its cell the most relevant.
        TestView t;
        for (int d = 0; d < 8; ++d)
            t.features[std::size_t(40 * 8 + d)] = t.features[std::size_t(90 * 8 + d)] = 0.0f;
        t.features[40 * 8 + 0] = 5.0f;
        t.features[90 * 8 + 1] = 5.0f;
        for (auto [axis, cell] : {std::pair{0, 40}, std::pair{1, 90}}) {
            std::vector<float> word(8, 0.0f);
            word[std::size_t(axis)] = 4.0f;
            t.view.textRelevance = relevanceFromEmbeddings(t.view, word);
            t.view.words = 1;
            QCOMPARE(cellsOf(selectSparseVlm(t.view, 1)), std::vector<int>{cell});
        }
    }

    // SparseVLM by hand on a learned signal (cells × words logits): 4 cells, 3 words and a
    // padding column (-inf). Scores are the words' softmaxes over the cells, summed:
    // softmax(0, 0, 4, 0) + softmax(0.5, 0.5, 0, 1) + softmax(0, 0, 0, 0)
    // = (0.017, 0.017, 0.948, 0.017) + (0.235, 0.235, 0.143, 0.388) + 0.25 each:
    // cell 2, then 3, then 0 and 1 tied (the lower index first). Kept cells come in dense order.
    void sparsevlmSumsEveryWordsAttentionAndIgnoresPadding()
    {
        const float inf = std::numeric_limits<float>::infinity();
        std::vector<float> features(4 * 2, 0.0f);
        ViewTokens view;
        view.gridWidth = 2;
        view.gridHeight = 2;
        view.dim = 2;
        view.features = features.data();
        view.words = 4;
        // rows: cells; columns: words 0, 1, 2 and padding
        view.textRelevance = {0, 0.5f, 0, -inf,  //
                              0, 0.5f, 0, -inf,  //
                              4, 0.0f, 0, -inf,  //
                              0, 1.0f, 0, -inf};
        QCOMPARE(cellsOf(selectSparseVlm(view, 3)), (std::vector<int>{0, 2, 3}));
        QCOMPARE(cellsOf(selectSparseVlm(view, 1)), (std::vector<int>{2}));
        // A word that relates to cell 1 far more than any other tips it past cell 3.
        view.textRelevance[1 * 4 + 2] = 9;
        QCOMPARE(cellsOf(selectSparseVlm(view, 2)), (std::vector<int>{1, 2}));
    }
};

QTEST_GUILESS_MAIN(TestSelectors)
#include "tst_selectors.moc"
