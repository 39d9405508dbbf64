// Video episodes: any resolution, with or without audio, open as one-view episodes; the JSON
// sidecar adds instruction, view name, actions and state; broken inputs are refused by name.

#include "common/error.h"
#include "episodes/episode.h"
#include "episodes/video_reader.h"
#include "fixtures.h"

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <QTemporaryDir>
#include <QTest>

#include <fstream>

using namespace grids;

namespace {

// Writes `frames` frames whose colour encodes the frame index, with OpenCV (MJPG in AVI, which
// every FFmpeg build writes), so a test can tell which frame it decoded.
void writeIndexedVideo(const std::string &path, int frames, int width, int height)
{
    cv::VideoWriter writer(path, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 20.0,
                           cv::Size(width, height));
    QVERIFY(writer.isOpened());
    for (int t = 0; t < frames; ++t)
        writer.write(cv::Mat(height, width, CV_8UC3, cv::Scalar(10 * t, 255 - 10 * t, 128)));
}

} // namespace

class TestVideoEpisode : public QObject
{
    Q_OBJECT

private slots:
    void h264WithAudioAt720pOpensAsOneView()
    {
        const QString path = m_dir.filePath("clip720.mp4");
        QVERIFY(fixtures::makeVideo(path, 1280, 720, 24, /*audio=*/true));
        auto episodes = openEpisodeFile(path.toStdString());
        QCOMPARE(episodes->format(), std::string("video"));
        QCOMPARE(int(episodes->episodes().size()), 1);
        const EpisodeInfo &info = episodes->episodes()[0];
        QCOMPARE(info.key, std::string("clip720.mp4"));
        QCOMPARE(info.length, 24);
        QCOMPARE(int(info.views.size()), 1);
        QCOMPARE(info.views[0].name, std::string(kUnnamedView));
        QCOMPARE(info.views[0].width, 1280);
        QCOMPARE(info.views[0].height, 720);
        QCOMPARE(info.actionDim, 0);

        const Frame last = episodes->frame(0, 23);
        QCOMPARE(last.views[0].cols, 1280);
        QCOMPARE(last.views[0].rows, 720);
        QCOMPARE(last.views[0].type(), CV_8UC3);
        QVERIFY(last.action.empty());
        QVERIFY(cv::norm(last.views[0]) > 0); // not a blank frame
    }

    void videoWithoutAudioAndOddSize()
    {
        const QString path = m_dir.filePath("odd.mp4");
        QVERIFY(fixtures::makeVideo(path, 322, 180, 10, /*audio=*/false));
        auto episodes = openEpisodeFile(path.toStdString());
        QCOMPARE(episodes->episodes()[0].length, 10);
        QCOMPARE(episodes->episodes()[0].views[0].width, 322);
    }

    void randomAccessMatchesSequentialDecoding()
    {
        const std::string path = m_dir.filePath("indexed.avi").toStdString();
        writeIndexedVideo(path, 12, 64, 48);
        auto episodes = openEpisodeFile(path);
        QCOMPARE(episodes->episodes()[0].length, 12);
        // Colour channel 0 (RGB order) holds 128, channel 2 holds 10·t, up to JPEG error.
        for (std::int64_t t : {7, 2, 3, 11, 0, 5}) {
            const cv::Scalar mean = cv::mean(episodes->frame(0, t).views[0]);
            QVERIFY2(std::abs(mean[2] - 10.0 * double(t)) < 4.0,
                     qPrintable(QStringLiteral("frame %1 decoded as %2").arg(t).arg(mean[2])));
            QVERIFY(std::abs(mean[0] - 128.0) < 4.0);
        }
    }

    void sidecarAddsInstructionActionsAndView()
    {
        const std::string path = m_dir.filePath("withsidecar.avi").toStdString();
        writeIndexedVideo(path, 4, 32, 32);
        std::ofstream(m_dir.filePath("withsidecar.json").toStdString())
            << R"({"instruction": "open the drawer", "view": "agentview_rgb",
                  "actions": [[0,0,0,0,0,0,1],[1,0,0,0,0,0,1],[2,0,0,0,0,0,-1],[3,0,0,0,0,0,-1]],
                  "state": [[1,2],[3,4],[5,6],[7,8]], "state_keys": ["gripper_states"],
                  "success": true})";
        auto episodes = openEpisodeFile(path);
        const EpisodeInfo &info = episodes->episodes()[0];
        QCOMPARE(info.instruction, std::string("open the drawer"));
        QCOMPARE(info.views[0].name, std::string("agentview_rgb"));
        QCOMPARE(info.actionDim, 7);
        QCOMPARE(info.stateDim, 2);
        QCOMPARE(info.success, std::optional<bool>(true));
        const Frame frame = episodes->frame(0, 2);
        QCOMPARE(frame.action[0], 2.0f);
        QCOMPARE(frame.action[6], -1.0f);
        QCOMPARE(frame.state, (std::vector<float>{5, 6}));
        QCOMPARE(episodes->actions(0).rows, 4);
    }

    void badSidecarIsNamed()
    {
        const std::string path = m_dir.filePath("badsidecar.avi").toStdString();
        writeIndexedVideo(path, 4, 32, 32);
        std::ofstream(path + ".json") << R"({"actions": [[0], [1]]})";
        const QString message = fixtures::errorOf([&] { openEpisodeFile(path); });
        QVERIFY2(message.contains("badsidecar.avi.json") && message.contains("2 rows"),
                 qPrintable(message));
    }

    void randomBytesNamedMp4AreRefused()
    {
        const std::string path = m_dir.filePath("noise.mp4").toStdString();
        fixtures::writeBytes(path, fixtures::randomBytes(20000, 3));
        Error::Kind kind = Error::Kind::Other;
        const QString message = fixtures::errorOf([&] { openEpisodeFile(path); }, &kind);
        QVERIFY2(message.contains("noise.mp4"), qPrintable(message));
        QVERIFY(kind == Error::Kind::BadInput);
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestVideoEpisode)
#include "tst_video_episode.moc"
