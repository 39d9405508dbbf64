// Metrics (METHODS.md): keypoint coverage, per view and per frame across views, and where two
// action tracks part ways. Hand-computed cases.

#include "eval/metrics.h"

#include <QTest>

using namespace grids;

namespace {

// Two cameras of different sizes; with a 4-wide token grid half a cell is 12.5 px of the first
// (100 px wide) and 8 px of the second (64 px wide).
const std::vector<ViewInfo> kViews = {{"agentview_rgb", 100, 80}, {"eye_in_hand_rgb", 64, 64}};
constexpr int kGridWidth = 4;

ViewSelection selection(const std::string &view, std::vector<std::array<float, 2>> coords)
{
    ViewSelection s;
    s.view = view;
    s.coords = std::move(coords);
    return s;
}

} // namespace

class TestMetrics : public QObject
{
    Q_OBJECT

private slots:
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

    // Half a cell of a 100×80 view is 12.5 px: on the token, 12 px to its right and 12 px below
    // it (0.15 of the 80 px height) are covered; 13 px to its right is not.
    void aFrameCountsKeypointsWithinHalfACellOfAToken()
    {
        const std::vector<ViewSelection> selections = {selection("agentview_rgb", {{0.5f, 0.5f}})};
        const auto count = [&](float x, float y) {
            return frameKeypointCoverage(kViews, selections, {{"agentview_rgb", x, y}}, kGridWidth);
        };
        QCOMPARE(count(0.5f, 0.5f).covered, 1);
        QCOMPARE(count(0.62f, 0.5f).covered, 1);
        QCOMPARE(count(0.5f, 0.65f).covered, 1);
        QCOMPARE(count(0.63f, 0.5f).covered, 0);
        QCOMPARE(count(0.63f, 0.5f).total, 1);
    }

    // Keypoints on a view that has no selection, or that the episode does not have, count in
    // the total and are never covered.
    void keypointsWithoutASelectionCountButAreNotCovered()
    {
        const std::vector<ViewSelection> selections = {selection("agentview_rgb", {{0.5f, 0.5f}})};
        const std::vector<ViewKeypoint> keypoints = {{"agentview_rgb", 0.5f, 0.5f},
                                                     {"eye_in_hand_rgb", 0.5f, 0.5f},
                                                     {"side_camera", 0.5f, 0.5f}};
        const KeypointCount count =
            frameKeypointCoverage(kViews, selections, keypoints, kGridWidth);
        QCOMPARE(count.covered, 1);
        QCOMPARE(count.total, 3);
        QCOMPARE(frameKeypointCoverage(kViews, {}, keypoints, kGridWidth).covered, 0);
        QCOMPARE(frameKeypointCoverage(kViews, selections, {}, kGridWidth).total, 0);
    }

    // Each view is measured in its own pixels against its own selection: 10 px is within half a
    // cell of the first view (12.5 px) but not of the second (8 px), 6.4 px is within both.
    void keypointsOnTwoViewsAreMeasuredPerView()
    {
        const std::vector<ViewSelection> selections = {
            selection("eye_in_hand_rgb", {{0.25f, 0.25f}}),
            selection("agentview_rgb", {{0.5f, 0.5f}})};
        const std::vector<ViewKeypoint> keypoints = {
            {"agentview_rgb", 0.6f, 0.5f},                     // 10 px of 100
            {"eye_in_hand_rgb", 0.25f + 0.1f, 0.25f},          // 6.4 px of 64
            {"eye_in_hand_rgb", 0.25f, 0.25f + 10.0f / 64.0f}, // 10 px of 64
            {"agentview_rgb", 0.25f, 0.25f}}; // the other view's token, not this one's
        const KeypointCount count =
            frameKeypointCoverage(kViews, selections, keypoints, kGridWidth);
        QCOMPARE(count.covered, 2);
        QCOMPARE(count.total, 4);
    }

    // A lone selection shows on the episode's first view whatever its name (a video whose view
    // the checkpoint does not know feeds its first view), and on no other.
    void aLoneSelectionCoversTheFirstView()
    {
        const std::vector<ViewInfo> views = {{"video", 100, 80}, {"second", 100, 80}};
        const std::vector<ViewSelection> selections = {selection("agentview_rgb", {{0.5f, 0.5f}})};
        const KeypointCount count = frameKeypointCoverage(
            views, selections, {{"video", 0.5f, 0.5f}, {"second", 0.5f, 0.5f}}, kGridWidth);
        QCOMPARE(count.covered, 1);
        QCOMPARE(count.total, 2);
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
