// Annotated video export: H.264 MP4 read back with OpenCV (frame count and size), a comparison
// row doubling the height, a cancelled export leaving no file, bad requests refused by name.

#include "common/error.h"
#include "fixtures.h"
#include "model/policy.h"
#include "render/video_export.h"

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>

using namespace grids;

class TestVideoExport : public QObject
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
        fixtures::writeLiberoFile(m_episodes, {6, 9});
    }

    void exportsAnH264VideoOpenCvReadsBack()
    {
        auto policy = Policy::load(m_dir.filePath("contract_grids.pt").toStdString());
        render::VideoExportOptions options;
        options.episodesPath = m_episodes;
        options.episodeKey = "demo_1";
        options.viewSize = 96;
        options.style.heatmap = true;
        options.out = m_dir.filePath("one.mp4").toStdString();
        int reports = 0;
        Progress progress;
        progress.report = [&](std::int64_t, std::int64_t total, const std::string &) {
            ++reports;
            QCOMPARE(total, std::int64_t(9));
        };
        const auto result = render::exportVideo(*policy, nullptr, options, progress);
        QCOMPARE(result.frames, 9);
        QCOMPARE(reports, 9);
        cv::VideoCapture video(options.out);
        QVERIFY(video.isOpened());
        QCOMPARE(int(video.get(cv::CAP_PROP_FRAME_WIDTH)), 2 * 96);
        QCOMPARE(int(video.get(cv::CAP_PROP_FRAME_HEIGHT)), 96 + render::kHudHeight);
        int frames = 0;
        for (cv::Mat frame; video.read(frame);)
            ++frames;
        QCOMPARE(frames, 9);
        // A LIBERO file does not store its rate: 20 Hz, as it was recorded.
        QCOMPARE(result.fps, 20.0);
        QCOMPARE(QString::fromStdString(cv::format("%.0f", video.get(cv::CAP_PROP_FPS))), "20");
        QVERIFY(!QFile::exists(m_dir.filePath("one.partial.mp4")));

        // Side by side with a second checkpoint: a second row.
        auto dense = Policy::load(m_dir.filePath("contract_dense.pt").toStdString());
        options.out = m_dir.filePath("two.mp4").toStdString();
        options.hud = false;
        const auto both = render::exportVideo(*policy, dense.get(), options);
        QCOMPARE(both.height, 2 * 96);
        cv::VideoCapture again(options.out);
        QCOMPARE(int(again.get(cv::CAP_PROP_FRAME_HEIGHT)), 2 * 96);
    }

    // The heads-up lines fit the frame: an export one small view wide shrinks its text rather
    // than cutting it off at the right edge (it ran 4× past the edge of a 64-pixel export).
    void theHudFitsANarrowExport()
    {
        const QString narrow = m_dir.filePath("narrow.mp4");
        QVERIFY(fixtures::makeVideo(narrow, 64, 64, 3, /*audio=*/false));
        auto policy = Policy::load(m_dir.filePath("contract_grids.pt").toStdString());
        render::VideoExportOptions options;
        options.episodesPath = narrow.toStdString();
        options.viewSize = 64;
        options.out = m_dir.filePath("narrow-hud.mp4").toStdString();
        render::exportVideo(*policy, nullptr, options);
        cv::VideoCapture video(options.out);
        QVERIFY(video.isOpened());
        cv::Mat frame;
        QVERIFY(video.read(frame));
        QCOMPARE(frame.cols, 64);
        QCOMPARE(frame.rows, 64 + render::kHudHeight);
        const cv::Mat band = frame(cv::Rect(0, 64, 64, render::kHudHeight));
        double brightest = 0;
        cv::Mat grey;
        cv::cvtColor(band, grey, cv::COLOR_BGR2GRAY);
        cv::minMaxLoc(grey(cv::Rect(0, 0, 64, render::kHudHeight)), nullptr, &brightest);
        QVERIFY2(brightest > 150, "the HUD text is drawn");
        double rightEdge = 0;
        cv::minMaxLoc(grey(cv::Rect(60, 0, 4, render::kHudHeight)), nullptr, &rightEdge);
        QVERIFY2(rightEdge < 90, qPrintable(QString("text reaches the right edge: %1").arg(rightEdge)));
    }

    // Real video: an arbitrary MP4 (1280×720, H.264, with audio) opens as a one-view episode,
    // runs through the checkpoint (its first view) and exports at its own 30 fps (it played at
    // 20 before: two thirds of real speed), unless a rate is asked for.
    void anArbitraryVideoRunsAndExports()
    {
        const QString video = m_dir.filePath("camera.mp4");
        QVERIFY(fixtures::makeVideo(video, 1280, 720, 12, /*audio=*/true));
        auto policy = Policy::load(m_dir.filePath("contract_grids.pt").toStdString());
        render::VideoExportOptions options;
        options.episodesPath = video.toStdString();
        options.viewSize = 128;
        options.out = m_dir.filePath("camera-annotated.mp4").toStdString();
        const auto result = render::exportVideo(*policy, nullptr, options);
        QCOMPARE(result.frames, 12);
        QCOMPARE(result.width, 128);
        cv::VideoCapture back(options.out);
        int frames = 0;
        for (cv::Mat frame; back.read(frame);)
            ++frames;
        QCOMPARE(frames, 12);
        QCOMPARE(result.fps, 30.0);
        QCOMPARE(QString::fromStdString(cv::format("%.0f", back.get(cv::CAP_PROP_FPS))), "30");
        options.fps = 10;
        options.out = m_dir.filePath("camera-10fps.mp4").toStdString();
        QCOMPARE(render::exportVideo(*policy, nullptr, options).fps, 10.0);
        QCOMPARE(QString::fromStdString(cv::format("%.0f", cv::VideoCapture(options.out).get(cv::CAP_PROP_FPS))), "10");
    }

    void cancelledOrRefusedExportsLeaveNothing()
    {
        auto policy = Policy::load(m_dir.filePath("contract_grids.pt").toStdString());
        render::VideoExportOptions options;
        options.episodesPath = m_episodes;
        options.viewSize = 64;
        options.out = m_dir.filePath("cancelled.mp4").toStdString();
        // Cancelled after three frames, as the GUI's Cancel button or SIGINT would.
        std::atomic<bool> cancel{false};
        Progress progress;
        progress.cancel = &cancel;
        progress.report = [&](std::int64_t done, std::int64_t, const std::string &) {
            if (done == 3)
                cancel = true;
        };
        Error::Kind kind = Error::Kind::Other;
        QVERIFY(fixtures::errorOf([&] { render::exportVideo(*policy, nullptr, options, progress); },
                                  &kind)
                    .contains("cancelled"));
        QVERIFY(kind == Error::Kind::Cancelled);
        QDir dir(m_dir.path());
        QCOMPARE(dir.entryList({"cancelled*"}).size(), 0);

        options.out = m_dir.filePath("video.avi").toStdString();
        QVERIFY(fixtures::errorOf([&] {
                    render::exportVideo(*policy, nullptr, options);
                }).contains(".mp4"));
        options.out = m_dir.filePath("missing.mp4").toStdString();
        options.episodeKey = "demo_9";
        QVERIFY(fixtures::errorOf([&] {
                    render::exportVideo(*policy, nullptr, options);
                }).contains("no episode demo_9"));
    }

private:
    QTemporaryDir m_dir;
    std::string m_episodes;
};

QTEST_GUILESS_MAIN(TestVideoExport)
#include "tst_video_export.moc"
