// LeRobot datasets (v2.1 with H.264 videos and PNG images in the parquet, v3.0 with AV1 videos
// shared by several episodes) open as they are: episodes, lengths, views, fps and instructions as
// meta/ says; every frame's state, action and pixels as written, in any order; and every broken
// dataset refused with one line naming the file that is wrong.

#include "common/error.h"
#include "episodes/episode.h"
#include "episodes/lerobot_meta.h"
#include "fixtures.h"

#include <QTemporaryDir>
#include <QTest>

#include <filesystem>
#include <fstream>
#include <random>

using namespace grids;
namespace fs = std::filesystem;
namespace lr = fixtures::lerobot;

namespace {

// The action names the fixture datasets give (make_lerobot_dataset.mjs).
const std::vector<std::string> kActionNames = {"x", "y", "z", "roll", "pitch", "yaw", "gripper"};

// Largest channel difference between a decoded video half and the colour written there.
int colourError(const cv::Mat &rgb, bool leftHalf, const cv::Vec3b &want)
{
    const int x = leftHalf ? rgb.cols / 4 : 3 * rgb.cols / 4;
    const cv::Vec3b got = rgb.at<cv::Vec3b>(rgb.rows / 2, x);
    int worst = 0;
    for (int c = 0; c < 3; ++c)
        worst = std::max(worst, std::abs(int(got[c]) - int(want[c])));
    return worst;
}

// Every frame of every episode in a shuffled order (seeks backwards and forwards), checked by
// content: state and action exactly, video colours within coding error, PNG images exactly.
void checkAllFrames(EpisodeFile &file, bool hasImageCamera)
{
    std::vector<std::pair<int, int>> order;
    for (int e = 0; e < 3; ++e)
        for (int t = 0; t < lr::kLengths[e]; ++t)
            order.push_back({e, t});
    std::shuffle(order.begin(), order.end(), std::mt19937(5));
    // And then in order, as playback reads them.
    for (int t = 0; t < lr::kLengths[1]; ++t)
        order.push_back({1, t});
    for (const auto &[e, t] : order) {
        const Frame frame = file.frame(std::size_t(e), t);
        const QString where = QString("episode %1 frame %2").arg(e).arg(t);
        QCOMPARE(int(frame.state.size()), 8);
        QCOMPARE(int(frame.action.size()), 7);
        for (int d = 0; d < 8; ++d)
            QCOMPARE(frame.state[std::size_t(d)], lr::state(e, t, d));
        for (int d = 0; d < 7; ++d)
            QCOMPARE(frame.action[std::size_t(d)], lr::action(e, t, d));
        QCOMPARE(frame.instruction, std::string(lr::kTasks[e]));
        QCOMPARE(int(frame.views.size()), hasImageCamera ? 3 : 2);
        for (int camera = 0; camera < 2; ++camera)
            for (const bool left : {true, false}) {
                const int error = colourError(frame.views[std::size_t(camera)], left,
                                              lr::videoColour(camera, e, t, left));
                // Neighbouring frames differ by 15 per channel: 7 tells them apart.
                QVERIFY2(error <= 7, qPrintable(where + QString(": camera %1 off by %2").arg(camera).arg(error)));
            }
        if (hasImageCamera) {
            const cv::Mat &side = frame.views[2];
            QCOMPARE(side.cols, 32);
            QCOMPARE(side.rows, 24);
            for (int y = 0; y < 24; y += 5)
                for (int x = 0; x < 32; x += 3)
                    QVERIFY2(side.at<cv::Vec3b>(y, x) == lr::imagePixel(2, e, t, x, y), qPrintable(where));
        }
    }
}

} // namespace

class TestLeRobot : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(lr::datasets().ok);
    }

    void v21OpensAsMetaSays()
    {
        OpenedEpisodes opened = openEpisodes(v21().toStdString());
        QCOMPARE(int(opened.files.size()), 1);
        EpisodeFile &file = *opened.files[0];
        QCOMPARE(file.format(), std::string("lerobot-v2.1"));
        QCOMPARE(int(file.episodes().size()), 3);
        for (int e = 0; e < 3; ++e) {
            const EpisodeInfo &info = file.episodes()[std::size_t(e)];
            QCOMPARE(info.key, "episode_00000" + std::to_string(e));
            QCOMPARE(info.length, std::int64_t(lr::kLengths[e]));
            QCOMPARE(info.instruction, std::string(lr::kTasks[e]));
            QCOMPARE(info.fps, 10.0);
            QCOMPARE(info.actionDim, 7);
            QVERIFY(info.actionNames == kActionNames); // "names" as a list
            QCOMPARE(info.stateDim, 8);
            QCOMPARE(int(info.views.size()), 3);
            QCOMPARE(info.views[0].name, std::string(lr::kTop));
            QCOMPARE(info.views[0].width, 96);
            QCOMPARE(info.views[0].height, 64);
            QCOMPARE(info.views[1].name, std::string(lr::kWrist));
            QCOMPARE(info.views[2].name, std::string(lr::kSide));
            QCOMPARE(info.views[2].width, 32);
        }
        QCOMPARE(file.indexOf("episode_000002"), std::size_t(2));
    }

    void v21FramesAreWhatWasWritten()
    {
        auto file = openEpisodeFile(v21().toStdString());
        checkAllFrames(*file, /*hasImageCamera=*/true);
    }

    // v3.0: the top camera's mp4 holds all three episodes back to back, the wrist camera's two
    // files hold episodes 0-1 and 2; each episode must start at its own frame of the shared file.
    void v30EpisodesStartAtTheirFrameOfASharedVideo()
    {
        auto file = openEpisodeFile(v30().toStdString());
        QCOMPARE(file->format(), std::string("lerobot-v3.0"));
        QCOMPARE(int(file->episodes().size()), 3);
        QCOMPARE(file->episodes()[2].length, std::int64_t(15));
        QCOMPARE(file->episodes()[1].instruction, std::string(lr::kTasks[1]));
        QVERIFY(file->episodes()[1].actionNames == kActionNames); // {"motors": […]}
        const Frame first = file->frame(1, 0);
        // Episode 1 frame 0 is frame 12 of the shared file; episode 0's frames have another green.
        QVERIFY(colourError(first.views[0], true, lr::videoColour(0, 1, 0, true)) <= 7);
        QVERIFY(colourError(first.views[0], true, lr::videoColour(0, 0, 0, true)) > 30);
        checkAllFrames(*file, /*hasImageCamera=*/false);
    }

    // openpi's LIBERO conversion (v2.0): no videos, `image` and `wrist_image` as PNG structs in
    // the parquet, `state` and `actions`, meta/stats.json.
    void openpiStyleV20Opens()
    {
        const QString dir = m_dir.filePath("openpi");
        QVERIFY(lr::makeDataset(dir, "v2.0", {"--openpi"}));
        auto file = openEpisodeFile(dir.toStdString());
        QCOMPARE(file->format(), std::string("lerobot-v2.0"));
        const EpisodeInfo &info = file->episodes()[1];
        QCOMPARE(int(info.views.size()), 2);
        QCOMPARE(info.views[0].name, std::string("image"));
        QCOMPARE(info.views[1].name, std::string("wrist_image"));
        QCOMPARE(info.stateKeys, std::vector<std::string>{"state"});
        QCOMPARE(info.actionDim, 7);
        QVERIFY(info.actionNames.empty()); // "names": null
        for (const int t : {8, 0, 4}) {
            const Frame frame = file->frame(1, t);
            QCOMPARE(frame.state[5], lr::state(1, t, 5));
            QCOMPARE(frame.action[6], lr::action(1, t, 6));
            for (int camera = 0; camera < 2; ++camera)
                for (int y = 0; y < 24; y += 7)
                    for (int x = 0; x < 32; x += 5)
                        QVERIFY(frame.views[std::size_t(camera)].at<cv::Vec3b>(y, x) ==
                                lr::imagePixel(3 + camera, 1, t, x, y));
        }
    }

    void tracksMatchFrames()
    {
        for (const QString &dir : {v21(), v30()}) {
            auto file = openEpisodeFile(dir.toStdString());
            const Track actions = file->actions(2);
            QCOMPARE(actions.rows, std::int64_t(15));
            QCOMPARE(actions.cols, 7);
            QCOMPARE(actions.at(14, 6), lr::action(2, 14, 6));
            const auto state = file->lowDim(2, "observation.state");
            QVERIFY(state.has_value());
            QCOMPARE(state->at(3, 1), lr::state(2, 3, 1));
            QVERIFY(!file->lowDim(0, "no_such_feature").has_value());
        }
    }

    // Broken datasets: each refused with one line naming the file that is wrong.
    void infoJsonThatLiesAboutAShapeIsRefused()
    {
        const QString dir = copyOf(v21(), "lie_state");
        editInfo(dir, "\"shape\": [\n                8\n            ]", "\"shape\": [\n                9\n            ]");
        const QString message = fixtures::errorOf([&] { openEpisodes(dir.toStdString()); });
        QVERIFY2(message.contains("episode_000000.parquet") && message.contains("observation.state") &&
                     message.contains("[9]"),
                 qPrintable(message));

        const QString camera = copyOf(v30(), "lie_camera");
        editInfo(camera, "\"shape\": [\n                64,\n                96,", "\"shape\": [\n                48,\n                96,");
        const QString cameraMessage = fixtures::errorOf([&] { openEpisodes(camera.toStdString()); });
        QVERIFY2(cameraMessage.contains("file-000.mp4") && cameraMessage.contains("96x64"), qPrintable(cameraMessage));
    }

    void missingVideoIsRefusedByName()
    {
        const QString dir = copyOf(v21(), "missing_mp4");
        const std::string video = (dir + "/videos/chunk-000/observation.images.wrist/episode_000002.mp4").toStdString();
        fs::remove(video);
        auto file = openEpisodeFile(dir.toStdString()); // episode 0 is whole
        Error::Kind kind{};
        const QString message = fixtures::errorOf([&] { file->frame(2, 0); }, &kind);
        QCOMPARE(kind, Error::Kind::BadInput);
        QVERIFY2(message.startsWith(QString::fromStdString(video)) && message.contains("missing"), qPrintable(message));
        // The rest of the dataset still reads.
        QCOMPARE(file->frame(1, 3).state[0], lr::state(1, 3, 0));
    }

    void timestampPastTheVideoIsRefused()
    {
        const QString dir = copyOf(v21(), "short_mp4");
        const QString video = dir + "/videos/chunk-000/observation.images.top/episode_000001.mp4";
        QVERIFY(fixtures::makeVideo(video, 96, 64, 4, /*audio=*/false)); // 4 of its 9 frames, at 30 fps
        auto file = openEpisodeFile(dir.toStdString());
        const QString message = fixtures::errorOf([&] { file->frame(1, 8); });
        QVERIFY2(message.startsWith(video) && message.contains("past the end"), qPrintable(message));
    }

    void brokenParquetIsRefusedByName()
    {
        const QString dir = copyOf(v30(), "broken_parquet");
        const std::string data = (dir + "/data/chunk-000/file-001.parquet").toStdString();
        const auto size = fs::file_size(data);
        fs::resize_file(data, size / 2);
        auto file = openEpisodeFile(dir.toStdString()); // episodes 0-1 live in file-000
        QVERIFY(fixtures::errorOf([&] { file->frame(2, 0); }).startsWith(QString::fromStdString(data)));

        const QString meta = copyOf(v30(), "broken_meta");
        const std::string episodes = (meta + "/meta/episodes/chunk-000/file-000.parquet").toStdString();
        std::string bytes = fixtures::randomBytes(64, 9);
        {
            std::fstream out(episodes, std::ios::in | std::ios::out | std::ios::binary);
            out.seekp(std::streamoff(fs::file_size(episodes) - 8 - 64));
            out.write(bytes.data(), std::streamsize(bytes.size()));
        }
        const QString message = fixtures::errorOf([&] { openEpisodes(meta.toStdString()); });
        QVERIFY2(message.startsWith(QString::fromStdString(episodes)) && message.contains("corrupt"), qPrintable(message));
    }

    // A column that should hold numbers but holds text is refused by name, not read as numbers.
    void textWhereNumbersBelongIsRefused()
    {
        for (const char *columnName : {"timestamp", "episode_index"}) {
            const QString dir = copyOf(v21(), QString("text_") + columnName);
            const QString data = dir + "/data/chunk-000/episode_000000.parquet";
            const auto run = fixtures::runNodeScript("retype_column.mjs", {v21() + "/data/chunk-000/episode_000000.parquet",
                                                                           data, columnName});
            QVERIFY2(run.ok, run.err.constData());
            Error::Kind kind{};
            const QString message = fixtures::errorOf([&] { openEpisodes(dir.toStdString()); }, &kind);
            QCOMPARE(kind, Error::Kind::BadInput);
            QVERIFY2(message.startsWith(data) && message.contains(QString("'%1' is not numeric").arg(columnName)),
                     qPrintable(message));
        }
    }

    // LeRobot's path templates use Python's format specs; a width no file name could have is
    // refused, not turned into an exception from the conversion (found by fuzzing) or a
    // gigabyte of zeros.
    void pathTemplateWidthsAreBounded()
    {
        const std::vector<TemplateField> fields{{"episode_index", 42, ""}};
        QCOMPARE(fillPathTemplate("data/episode_{episode_index:06d}.parquet", fields, "info.json"),
                 std::string("data/episode_000042.parquet"));
        QCOMPARE(fillPathTemplate("e{episode_index:d}", fields, "info.json"), std::string("e42"));
        QCOMPARE(fillPathTemplate("e{episode_index:255d}", fields, "info.json").size(),
                 std::size_t(256));
        for (const std::string width : {"256", "999999999", "99999999999999999999", "0000256"}) {
            Error::Kind kind = Error::Kind::Other;
            const QString message = fixtures::errorOf(
                [&] { fillPathTemplate("e{episode_index:" + width + "d}", fields, "info.json"); },
                &kind);
            QVERIFY2(kind == Error::Kind::BadInput && message.contains("info.json") &&
                         message.contains("wider than a file name"),
                     qPrintable(message));
        }
    }

    void unsupportedVersionIsRefused()
    {
        const QString dir = copyOf(v21(), "old_version");
        editInfo(dir, "\"v2.1\"", "\"v1.6\"");
        const QString message = fixtures::errorOf([&] { openEpisodes(dir.toStdString()); });
        QVERIFY2(message.contains("info.json") && message.contains("v1.6") && message.contains("not supported"),
                 qPrintable(message));
    }

private:
    static QString v21() { return lr::datasets().v21; }
    static QString v30() { return lr::datasets().v30; }

    QString copyOf(const QString &source, const QString &name)
    {
        const QString target = m_dir.filePath(name);
        fs::copy(source.toStdString(), target.toStdString(), fs::copy_options::recursive);
        return target;
    }

    static void editInfo(const QString &dir, const std::string &from, const std::string &to)
    {
        const std::string path = (dir + "/meta/info.json").toStdString();
        std::ifstream in(path);
        std::string text{std::istreambuf_iterator<char>(in), {}};
        const auto at = text.find(from);
        QVERIFY2(at != std::string::npos, from.c_str());
        text.replace(at, from.size(), to);
        std::ofstream(path) << text;
    }

    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestLeRobot)
#include "tst_lerobot.moc"
