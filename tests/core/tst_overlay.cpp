// Overlay drawing: markers land on pixel (x·W, y·H), the heatmap peaks at the most attended
// token, kept cells are outlined, and attention is split per view.

#include "render/overlay.h"

#include <opencv2/core.hpp>

#include <QTest>

using namespace grids;

class TestOverlay : public QObject
{
    Q_OBJECT

private slots:
    void markersLandWhereTheCoordinatesSay()
    {
        cv::Mat image = cv::Mat::zeros(64, 80, CV_8UC3);
        ViewSelection selection;
        selection.coords = {{0.25f, 0.75f}, {0.9f, 0.1f}};
        render::OverlayStyle style;
        render::drawSelection(image, selection, {0.9f, 0.1f}, style);
        // Centres at (20, 48) and (72, 6); the far corner stays black.
        QVERIFY(cv::norm(image.at<cv::Vec3b>(48, 20)) > 100);
        QVERIFY(cv::norm(image.at<cv::Vec3b>(6, 72)) > 50);
        QCOMPARE(image.at<cv::Vec3b>(0, 0), cv::Vec3b(0, 0, 0));
        QCOMPARE(image.at<cv::Vec3b>(63, 79), cv::Vec3b(0, 0, 0));
        // The most attended marker has the bright end of the colour map.
        const cv::Vec3b top = image.at<cv::Vec3b>(48, 20), low = image.at<cv::Vec3b>(6, 72);
        QVERIFY(top[0] + top[1] > low[0] + low[1]);
    }

    void heatmapPeaksAtTheMostAttendedToken()
    {
        ViewSelection selection;
        selection.coords = {{0.2f, 0.2f}, {0.7f, 0.6f}};
        render::OverlayStyle style;
        const cv::Mat map =
            render::attentionMap(selection, {0.2f, 0.8f}, cv::Size(100, 100), style);
        cv::Point peak;
        double maximum = 0;
        cv::minMaxLoc(map, nullptr, &maximum, nullptr, &peak);
        QCOMPARE(maximum, 1.0);
        QVERIFY(std::abs(peak.x - 70) <= 1 && std::abs(peak.y - 60) <= 1);
        QVERIFY(map.at<float>(20, 20) > 0.2f && map.at<float>(20, 20) < 0.3f);
    }

    // The sampling-density layer: where an episode's tokens fell most often is brightest, and a
    // blank map leaves the picture untouched.
    void samplingDensityPeaksWhereTokensFellMostOften()
    {
        render::OverlayStyle style;
        const std::vector<std::array<float, 2>> coords = {
            {0.25f, 0.75f}, {0.25f, 0.75f}, {0.25f, 0.75f}, {0.8f, 0.1f}};
        const cv::Mat density = render::samplingDensity(coords, cv::Size(64, 64), style);
        cv::Point peak;
        double maximum = 0;
        cv::minMaxLoc(density, nullptr, &maximum, nullptr, &peak);
        QCOMPARE(maximum, 1.0);
        QVERIFY(std::abs(peak.x - 16) <= 1 && std::abs(peak.y - 48) <= 1);
        const float other = density.at<float>(6, 51); // one sample: a third of the peak
        QVERIFY2(other > 0.28f && other < 0.36f, qPrintable(QString::number(other)));
        QCOMPARE(cv::countNonZero(render::samplingDensity({}, cv::Size(8, 8), style)), 0);

        const cv::Mat grey(128, 128, CV_8UC3, cv::Scalar(90, 90, 90));
        cv::Mat drawn = grey.clone();
        render::drawDensity(drawn, density, 0.8); // resized from 64 to 128
        QVERIFY(drawn.at<cv::Vec3b>(96, 32) != grey.at<cv::Vec3b>(96, 32));
        QCOMPARE(drawn.at<cv::Vec3b>(5, 5), grey.at<cv::Vec3b>(5, 5)); // far from every sample
        cv::Mat untouched = grey.clone();
        render::drawDensity(untouched, cv::Mat::zeros(64, 64, CV_32F), 0.8);
        QCOMPARE(cv::norm(untouched, grey, cv::NORM_INF), 0.0);
    }

    void keptCellsAreOutlined()
    {
        cv::Mat image = cv::Mat::zeros(32, 32, CV_8UC3);
        ViewSelection selection;
        selection.cells = {5}; // column 1, row 1 of a 4×4 grid: pixels 8..15
        render::OverlayStyle style;
        style.markers = false;
        style.cells = true;
        style.gridWidth = style.gridHeight = 4;
        render::drawSelection(image, selection, {}, style);
        QVERIFY(cv::norm(image.at<cv::Vec3b>(8, 12)) > 0);         // top edge of the cell
        QCOMPARE(image.at<cv::Vec3b>(12, 12), cv::Vec3b(0, 0, 0)); // inside stays clear
        QCOMPARE(image.at<cv::Vec3b>(24, 24), cv::Vec3b(0, 0, 0));
    }

    // Token numbers never pile up: in a cluster only labels that cover no other are written;
    // tokens apart all keep theirs; none leaves the image.
    void markerLabelsDoNotPileUp()
    {
        const cv::Size size(384, 384);
        std::vector<std::array<float, 2>> cluster(12, {0.5f, 0.5f});
        for (std::size_t k = 0; k < cluster.size(); ++k)
            cluster[k][0] += 0.0004f * float(k); // within two pixels of each other
        const auto boxes = render::markerLabelBoxes(cluster, size);
        int written = 0;
        for (const auto &box : boxes)
            written += box.empty() ? 0 : 1;
        QCOMPARE(written, 1);
        std::vector<std::array<float, 2>> apart;
        for (int i = 0; i < 4; ++i)
            for (int j = 0; j < 4; ++j)
                apart.push_back({0.1f + 0.2f * float(i), 0.15f + 0.2f * float(j)});
        apart.push_back({0.99f, 0.5f}); // its number would leave the image
        const auto spread = render::markerLabelBoxes(apart, size);
        for (std::size_t k = 0; k < 16; ++k)
            QVERIFY2(!spread[k].empty(), qPrintable(QString("token %1 lost its number").arg(k)));
        QVERIFY(spread[16].empty());
        for (std::size_t a = 0; a < spread.size(); ++a)
            for (std::size_t b = a + 1; b < spread.size(); ++b)
                QVERIFY((spread[a] & spread[b]).empty());
    }

    // The legend's colours run from the heatmap's coolest to its hottest.
    void colourBarRunsFromLowToHigh()
    {
        const cv::Mat bar = render::attentionColourBar(cv::Size(100, 4));
        QCOMPARE(bar.type(), CV_8UC3);
        QCOMPARE(bar.cols, 100);
        const cv::Vec3b low = bar.at<cv::Vec3b>(0, 0), high = bar.at<cv::Vec3b>(0, 99);
        QVERIFY(low[0] + low[1] + low[2] < 60);    // inferno starts near black
        QVERIFY(high[0] + high[1] + high[2] > 500); // and ends near white-yellow
    }

    void attentionIsSplitPerView()
    {
        FrameResult result;
        result.views.resize(2);
        result.views[0].coords.resize(2);
        result.views[1].coords.resize(3);
        result.attention = {0.1f, 0.2f, 0.3f, 0.25f, 0.15f};
        QCOMPARE(render::viewAttention(result, 1), (std::vector<float>{0.3f, 0.25f, 0.15f}));
        QCOMPARE(render::viewAttention(result, 0), (std::vector<float>{0.1f, 0.2f}));
    }
};

QTEST_GUILESS_MAIN(TestOverlay)
#include "tst_overlay.moc"
