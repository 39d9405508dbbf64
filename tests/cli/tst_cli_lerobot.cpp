// LeRobot datasets through the real `grids` binary: info --json as meta/ says; infer, sweep,
// export-video and annotate on a dataset folder (cameras mapped onto the checkpoint's views with
// --view-map); and every broken dataset gets exit status 3 and one `error:` line naming the file.

#include "fixtures.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QTest>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
namespace lr = fixtures::lerobot;

namespace {

fixtures::ProcessResult runGrids(const QStringList &args)
{
    return fixtures::runProcess(GRIDS_CLI, args);
}

const QString kViewMap = QString("%1=agentview_rgb,%2=eye_in_hand_rgb").arg(lr::kTop, lr::kWrist);

} // namespace

class TestCliLeRobot : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(lr::datasets().ok);
        QVERIFY2(fixtures::contractCheckpoints().ok, fixtures::contractCheckpoints().error.constData());
    }

    void infoJsonListsWhatMetaSays_data()
    {
        QTest::addColumn<QString>("version");
        QTest::newRow("v2.1") << "v2.1";
        QTest::newRow("v3.0") << "v3.0";
    }

    void infoJsonListsWhatMetaSays()
    {
        QFETCH(QString, version);
        const QString dir = version == "v2.1" ? v21() : v30();
        const auto r = runGrids({"info", dir, "--json"});
        QVERIFY2(r.code == 0 && !r.crashed, qPrintable(r.err));
        const auto doc = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(doc["episode_count"].get<int>(), 3);
        const auto &file = doc["files"][0];
        QCOMPARE(file["format"].get<std::string>(), "lerobot-" + version.toStdString());
        // Against meta/ itself: info.json's fps and features, the episode list's lengths and tasks.
        std::ifstream in((dir + "/meta/info.json").toStdString());
        const auto info = nlohmann::ordered_json::parse(in);
        for (int e = 0; e < 3; ++e) {
            const auto &episode = file["episodes"][std::size_t(e)];
            QCOMPARE(episode["key"].get<std::string>(), "episode_00000" + std::to_string(e));
            QCOMPARE(episode["length"].get<int>(), lr::kLengths[e]);
            QCOMPARE(episode["instruction"].get<std::string>(), std::string(lr::kTasks[e]));
            QCOMPARE(episode["fps"].get<double>(), info["fps"].get<double>());
            QCOMPARE(episode["action_dim"].get<int>(), info["features"]["action"]["shape"][0].get<int>());
            // Names as a list (v2.1) or as {"motors": […]} (v3.0): the same seven.
            const auto &names = info["features"]["action"]["names"];
            QVERIFY(episode["action_names"].dump() == (names.is_object() ? names.front() : names).dump());
            QCOMPARE(episode["action_names"].size(), std::size_t(7));
            QCOMPARE(episode["state_dim"].get<int>(), info["features"]["observation.state"]["shape"][0].get<int>());
            std::size_t v = 0;
            for (const auto &[key, feature] : info["features"].items()) {
                if (feature["dtype"] != "video" && feature["dtype"] != "image")
                    continue;
                const auto &view = episode["views"][v++];
                QCOMPARE(view["name"].get<std::string>(), key);
                QCOMPARE(view["height"].get<int>(), feature["shape"][0].get<int>());
                QCOMPARE(view["width"].get<int>(), feature["shape"][1].get<int>());
            }
            QCOMPARE(episode["views"].size(), v);
        }
        if (version == "v2.1") { // episodes.jsonl, line by line
            std::ifstream lines((dir + "/meta/episodes.jsonl").toStdString());
            std::string line;
            for (int e = 0; std::getline(lines, line); ++e) {
                const auto meta = nlohmann::json::parse(line);
                QVERIFY(file["episodes"][std::size_t(e)]["length"] == meta["length"]);
                QVERIFY(file["episodes"][std::size_t(e)]["instruction"] == meta["tasks"][0]);
            }
        }
    }

    void inferSweepExportAndAnnotateADataset()
    {
        const QString checkpoint = fixtures::contractCheckpoints().path("contract_grids.pt");
        const auto infer = runGrids({"infer", "--checkpoint", checkpoint, "--episodes", v30(), "--episode",
                                     "episode_000002", "--view-map", kViewMap, "--json", "--quiet"});
        QVERIFY2(infer.code == 0, qPrintable(infer.err));
        const auto frames = nlohmann::json::parse(infer.out.toStdString())["frames"];
        QCOMPARE(int(frames.size()), lr::kLengths[2]);
        // Without the map the checkpoint's views are not found, and the message says what to do.
        const auto unmapped = runGrids({"infer", "--checkpoint", checkpoint, "--episodes", v30(), "--episode",
                                        "episode_000002", "--quiet"});
        QCOMPARE(unmapped.code, 2);
        QVERIFY2(unmapped.err.contains("--view-map") && unmapped.err.contains("agentview_rgb"),
                 qPrintable(unmapped.err));

        const QString db = m_dir.filePath("ws.sqlite");
        const auto sweep = runGrids({"sweep", "--checkpoint", checkpoint, "--episodes", v21(), "--view-map", kViewMap,
                                     "--methods", "grids,uniform", "--budgets", "2,4", "--db", db, "--json", "--quiet"});
        QVERIFY2(sweep.code == 0, qPrintable(sweep.err));
        QCOMPARE(nlohmann::json::parse(sweep.out.toStdString())["frames_run"].get<int>(), 12 + 9 + 15);
        // The same sweep again finds its runs: the dataset has a stable content key.
        const auto again = runGrids({"sweep", "--checkpoint", checkpoint, "--episodes", v21(), "--view-map", kViewMap,
                                     "--methods", "grids", "--budgets", "2", "--db", db, "--json", "--quiet"});
        QVERIFY2(again.code == 0, qPrintable(again.err));
        QCOMPARE(nlohmann::json::parse(again.out.toStdString())["runs"][0]["status"].get<std::string>(),
                 std::string("found"));

        const QString video = m_dir.filePath("episode2.mp4");
        const auto exported = runGrids({"export-video", "--checkpoint", checkpoint, "--episodes", v30(), "--episode",
                                        "episode_000002", "--view-map", kViewMap, "--out", video, "--quiet"});
        QVERIFY2(exported.code == 0, qPrintable(exported.err));
        QVERIFY(fs::file_size(video.toStdString()) > 1000);

        const auto added = runGrids({"annotate", "--db", db, "add", "--episodes", v30(), "--episode",
                                     "episode_000001", "--tag", "slip", "--frames", "2:4"});
        QVERIFY2(added.code == 0, qPrintable(added.err));
        const auto listed = runGrids({"annotate", "--db", db, "list"});
        QVERIFY(listed.out.contains("episode_000001") && listed.out.contains("slip"));
    }

    void badViewMapsExitTwo()
    {
        const QString checkpoint = fixtures::contractCheckpoints().path("contract_grids.pt");
        for (const QString &map : {QString("observation.images.top"), QString("=agentview_rgb"),
                                   QString("a=b,a=c"), QString("observation.images.nope=agentview_rgb")}) {
            const auto r = runGrids({"infer", "--checkpoint", checkpoint, "--episodes", v30(), "--episode",
                                     "episode_000000", "--view-map", map, "--quiet"});
            QVERIFY2(r.code == 2 && !r.crashed, qPrintable(map + ": " + r.err));
            QVERIFY2(r.err.startsWith("error: ") && r.err.trimmed().count('\n') == 0, qPrintable(r.err));
        }
        const auto unknown = runGrids({"sweep", "--checkpoint", checkpoint, "--episodes", v30(), "--view-map",
                                       "observation.images.nope=agentview_rgb", "--methods", "grids", "--budgets",
                                       "2", "--db", m_dir.filePath("bad.sqlite"), "--quiet"});
        QCOMPARE(unknown.code, 2);
        QVERIFY2(unknown.err.contains("no view 'observation.images.nope'") && unknown.err.contains(lr::kWrist),
                 qPrintable(unknown.err));
    }

    void brokenDatasetsExitThreeWithOneLine_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("named"); // the file the error must name
        QTest::newRow("truncated parquet") << "truncate" << "episode_000000.parquet";
        QTest::newRow("corrupt footer") << "footer" << "episode_000000.parquet";
        QTest::newRow("info.json lies about a shape") << "shape" << "episode_000000.parquet";
        QTest::newRow("missing mp4") << "missing" << "episode_000000.mp4";
        QTest::newRow("timestamp past the video's end") << "short" << "episode_000000.mp4";
        QTest::newRow("no episodes.jsonl") << "no-episodes" << "episodes.jsonl";
    }

    void brokenDatasetsExitThreeWithOneLine()
    {
        QFETCH(QString, damage);
        QFETCH(QString, named);
        const QString dir = m_dir.filePath("broken-" + damage);
        fs::copy(v21().toStdString(), dir.toStdString(), fs::copy_options::recursive);
        const std::string data = (dir + "/data/chunk-000/episode_000000.parquet").toStdString();
        const QString top = dir + "/videos/chunk-000/" + lr::kTop + "/episode_000000.mp4";
        if (damage == "truncate") {
            fs::resize_file(data, fs::file_size(data) - 100);
        } else if (damage == "footer") {
            std::fstream out(data, std::ios::in | std::ios::out | std::ios::binary);
            out.seekp(std::streamoff(fs::file_size(data) - 60));
            const std::string noise = fixtures::randomBytes(50, 4);
            out.write(noise.data(), std::streamsize(noise.size()));
        } else if (damage == "shape") {
            const std::string path = (dir + "/meta/info.json").toStdString();
            std::ifstream in(path);
            auto info = nlohmann::ordered_json::parse(in);
            info["features"]["action"]["shape"] = {6};
            std::ofstream(path) << info.dump(4);
        } else if (damage == "missing") {
            fs::remove(top.toStdString());
        } else if (damage == "short") {
            QVERIFY(fixtures::makeVideo(top, 96, 64, 3, /*audio=*/false));
        } else if (damage == "no-episodes") {
            fs::remove((dir + "/meta/episodes.jsonl").toStdString());
        }
        // `info` opens the dataset (and its first frame); `infer` reads every frame of episode 0.
        const QString checkpoint = fixtures::contractCheckpoints().path("contract_grids.pt");
        for (const QStringList &args : {QStringList{"info", dir},
                                        QStringList{"infer", "--checkpoint", checkpoint, "--episodes", dir, "--episode",
                                                    "episode_000000", "--view-map", kViewMap, "--quiet"}}) {
            const auto r = runGrids(args);
            if (damage == "short" && args[0] == "info") {
                QCOMPARE(r.code, 0); // frame 0 is there; the later ones are not
                continue;
            }
            QVERIFY2(!r.crashed, qPrintable(args.join(' ')));
            QCOMPARE(r.code, 3);
            const QStringList lines = r.err.trimmed().split('\n');
            QCOMPARE(lines.size(), 1);
            QVERIFY2(lines[0].startsWith("error: ") && lines[0].contains(named), qPrintable(lines[0]));
        }
    }

private:
    static QString v21() { return lr::datasets().v21; }
    static QString v30() { return lr::datasets().v30; }

    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestCliLeRobot)
#include "tst_cli_lerobot.moc"
