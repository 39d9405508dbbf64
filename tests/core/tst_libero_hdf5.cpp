// The LIBERO HDF5 reader on files built here with the raw HDF5 C API in LIBERO's exact layout
// (frames rotated by 180°, float64 tables, vlen-string attributes as h5py writes them), and the
// writer's round trip, including a read of our files with h5py the way LIBERO users read theirs.

#include "common/error.h"
#include "episodes/episode.h"
#include "episodes/libero_hdf5_reader.h"
#include "episodes/libero_hdf5_writer.h"
#include "fixtures.h"

#include <hdf5.h>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <filesystem>

using namespace grids;

namespace {

// --- A minimal raw-HDF5 LIBERO builder, deliberately independent of LiberoHdf5Writer. ---

struct RawDemo
{
    RawDemo(std::string demoName, int frames)
        : name(std::move(demoName))
        , length(frames)
    {}
    std::string name; // "demo_10"
    int length = 4;
    std::vector<std::string> views = {"agentview_rgb", "eye_in_hand_rgb"};
    bool actions = true;
    bool state = true;
    std::string instruction; // per-demo attribute when non-empty
    int customFilter = 0;    // when non-zero, camera data go through this filter id
};

void vlenStringAttr(hid_t obj, const char *name, const std::string &value)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t attr = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    const char *data = value.c_str();
    H5Awrite(attr, type, &data);
    H5Aclose(attr);
    H5Sclose(space);
    H5Tclose(type);
}

void intAttr(hid_t obj, const char *name, long long value)
{
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t attr = H5Acreate2(obj, name, H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(attr, H5T_NATIVE_LLONG, &value);
    H5Aclose(attr);
    H5Sclose(space);
}

void doubles(hid_t group,
             const char *name,
             int rows,
             int cols,
             int demo,
             int offset,
             float (*value)(int, std::int64_t, int))
{
    std::vector<double> data;
    for (int t = 0; t < rows; ++t)
        for (int d = 0; d < cols; ++d)
            data.push_back(value(demo, t, offset + d));
    hsize_t dims[2] = {hsize_t(rows), hsize_t(cols)};
    hid_t space = H5Screate_simple(2, dims, nullptr);
    hid_t ds =
        H5Dcreate2(group, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data());
    H5Dclose(ds);
    H5Sclose(space);
}

size_t passThrough(unsigned, size_t, const unsigned[], size_t nbytes, size_t *, void **)
{
    return nbytes;
}

constexpr int kWidth = 10, kHeight = 6; // not square: a transposition would show

// Writes a LIBERO-style file; `demoIndex` numbers feed the fixtures' value functions.
void writeRawLibero(const std::string &path,
                    const std::vector<RawDemo> &demos,
                    bool liberoMarkers = true)
{
    hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t data = H5Gcreate2(file, "data", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (liberoMarkers) {
        vlenStringAttr(data, "problem_info",
                       nlohmann::json({{"problem_name", "libero_spatial"},
                                       {"language_instruction", fixtures::kInstruction}})
                           .dump());
        vlenStringAttr(data, "env_args", "{\"env_name\": \"Libero_Tabletop_Manipulation\"}");
        vlenStringAttr(data, "bddl_file_name", "libero_spatial/task.bddl");
    }
    long long total = 0;
    for (const RawDemo &demo : demos) {
        const int demoIndex = std::stoi(demo.name.substr(5));
        hid_t group = H5Gcreate2(data, demo.name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        intAttr(group, "num_samples", demo.length);
        if (!demo.instruction.empty())
            vlenStringAttr(group, "language_instruction", demo.instruction);
        hid_t obs = H5Gcreate2(group, "obs", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        for (std::size_t v = 0; v < demo.views.size(); ++v) {
            // LIBERO stores images rotated by 180°: stored (x, y) = upright (W-1-x, H-1-y).
            std::vector<std::uint8_t> pixels;
            for (int t = 0; t < demo.length; ++t)
                for (int y = 0; y < kHeight; ++y)
                    for (int x = 0; x < kWidth; ++x)
                        for (int c = 0; c < 3; ++c)
                            pixels.push_back(
                                fixtures::pixel(int(v), t, kWidth - 1 - x, kHeight - 1 - y, c));
            hsize_t dims[4] = {hsize_t(demo.length), kHeight, kWidth, 3};
            hid_t space = H5Screate_simple(4, dims, nullptr);
            hid_t props = H5Pcreate(H5P_DATASET_CREATE);
            hsize_t chunk[4] = {1, kHeight, kWidth, 3};
            H5Pset_chunk(props, 4, chunk);
            if (demo.customFilter)
                H5Pset_filter(props, H5Z_filter_t(demo.customFilter), H5Z_FLAG_MANDATORY, 0,
                              nullptr);
            else
                H5Pset_deflate(props, 4);
            hid_t ds = H5Dcreate2(obs, demo.views[v].c_str(), H5T_STD_U8LE, space, H5P_DEFAULT,
                                  props, H5P_DEFAULT);
            H5Dwrite(ds, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, pixels.data());
            H5Dclose(ds);
            H5Pclose(props);
            H5Sclose(space);
        }
        if (demo.state) {
            doubles(obs, "ee_pos", demo.length, 3, demoIndex, 0, fixtures::stateValue);
            doubles(obs, "ee_ori", demo.length, 3, demoIndex, 3, fixtures::stateValue);
            doubles(obs, "gripper_states", demo.length, 2, demoIndex, 6, fixtures::stateValue);
            doubles(obs, "joint_states", demo.length, 7, demoIndex, 20, fixtures::stateValue);
        }
        if (demo.actions)
            doubles(group, "actions", demo.length, 7, demoIndex, 0, fixtures::actionValue);
        H5Gclose(obs);
        H5Gclose(group);
        total += demo.length;
    }
    intAttr(data, "total", total);
    H5Gclose(data);
    H5Fclose(file);
}

bool sameImage(const cv::Mat &a, const cv::Mat &b)
{
    return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

} // namespace

class TestLiberoHdf5 : public QObject
{
    Q_OBJECT

private slots:
    void init() { QVERIFY(m_dir.isValid()); }

    void readsLiberoLayoutUpright()
    {
        const std::string path = file("libero.hdf5");
        writeRawLibero(path, {{"demo_10", 3}, {"demo_2", 5}, {"demo_0", 4}});
        auto episodes = openLiberoHdf5(path);
        const auto &list = episodes->episodes();
        QCOMPARE(int(list.size()), 3);
        // Numeric, not lexical, order.
        QCOMPARE(list[0].key, std::string("demo_0"));
        QCOMPARE(list[1].key, std::string("demo_2"));
        QCOMPARE(list[2].key, std::string("demo_10"));
        QCOMPARE(list[1].length, 5);
        QCOMPARE(int(list[1].views.size()), 2);
        QCOMPARE(list[1].views[0].name, std::string("agentview_rgb"));
        QCOMPARE(list[1].views[1].name, std::string("eye_in_hand_rgb"));
        QCOMPARE(list[1].views[0].width, kWidth);
        QCOMPARE(list[1].views[0].height, kHeight);
        QCOMPARE(list[1].instruction, std::string(fixtures::kInstruction));
        QCOMPARE(list[1].actionDim, 7);
        QCOMPARE(list[1].stateDim, 8);
        QCOMPARE(list[1].stateKeys,
                 (std::vector<std::string>{"ee_pos", "ee_ori", "gripper_states"}));
        QVERIFY(!list[1].success.has_value());

        const Frame frame = episodes->frame(1, 3); // demo_2, t = 3
        QCOMPARE(frame.index, 3);
        QCOMPARE(int(frame.views.size()), 2);
        for (int v = 0; v < 2; ++v)
            QVERIFY(sameImage(frame.views[std::size_t(v)],
                              fixtures::uprightFrame(v, 3, kWidth, kHeight)));
        QCOMPARE(int(frame.action.size()), 7);
        for (int d = 0; d < 7; ++d)
            QCOMPARE(frame.action[std::size_t(d)], fixtures::actionValue(2, 3, d));
        QCOMPARE(int(frame.state.size()), 8);
        for (int d = 0; d < 8; ++d)
            QCOMPARE(frame.state[std::size_t(d)], fixtures::stateValue(2, 3, d));
        QCOMPARE(frame.instruction, std::string(fixtures::kInstruction));

        const Track actions = episodes->actions(2); // demo_10
        QCOMPARE(actions.rows, 3);
        QCOMPARE(actions.cols, 7);
        QCOMPARE(actions.at(2, 6), fixtures::actionValue(10, 2, 6));
    }

    void robomimicFilesAreNotRotated()
    {
        // Without LIBERO's markers the frames are taken as stored.
        const std::string path = file("robomimic.hdf5");
        writeRawLibero(path, {{"demo_0", 2}}, /*liberoMarkers=*/false);
        auto episodes = openLiberoHdf5(path);
        cv::Mat stored;
        cv::rotate(fixtures::uprightFrame(0, 1, kWidth, kHeight), stored, cv::ROTATE_180);
        QVERIFY(sameImage(episodes->frame(0, 1).views[0], stored));
        QCOMPARE(episodes->episodes()[0].instruction, std::string());
    }

    void demoInstructionOverridesFileInstruction()
    {
        const std::string path = file("mixed.hdf5");
        RawDemo other{"demo_1", 2};
        other.instruction = "push the green cylinder to the yellow zone";
        writeRawLibero(path, {{"demo_0", 2}, other});
        auto episodes = openLiberoHdf5(path);
        QCOMPARE(episodes->episodes()[0].instruction, std::string(fixtures::kInstruction));
        QCOMPARE(episodes->episodes()[1].instruction, other.instruction);
    }

    void optionalDatasetsMayBeMissing()
    {
        const std::string path = file("nostate.hdf5");
        RawDemo demo{"demo_0", 3};
        demo.state = false;
        demo.views = {"agentview_rgb"};
        writeRawLibero(path, {demo});
        auto episodes = openLiberoHdf5(path);
        QCOMPARE(episodes->episodes()[0].stateDim, 0);
        QVERIFY(episodes->frame(0, 2).state.empty());
        QCOMPARE(int(episodes->frame(0, 2).views.size()), 1);
    }

    void missingDatasetsNameFileAndKey_data()
    {
        QTest::addColumn<int>("which");
        QTest::addColumn<QString>("expected");
        QTest::newRow("camera in a later demo")
            << 0 << "eye_in_hand_rgb missing in data/demo_1/obs";
        QTest::newRow("no camera at all") << 1 << "no camera dataset";
        QTest::newRow("no actions") << 2 << "actions missing in data/demo_1";
    }

    void missingDatasetsNameFileAndKey()
    {
        QFETCH(int, which);
        QFETCH(QString, expected);
        const std::string path = file("broken.hdf5");
        RawDemo bad{"demo_1", 3};
        std::vector<RawDemo> demos;
        if (which == 0) {
            bad.views = {"agentview_rgb"};
            demos = {{"demo_0", 3}, bad};
        } else if (which == 1) {
            bad.views = {};
            demos = {bad};
        } else {
            bad.actions = false;
            demos = {{"demo_0", 3}, bad};
        }
        writeRawLibero(path, demos);
        Error::Kind kind = Error::Kind::Other;
        const QString message = fixtures::errorOf([&] { openLiberoHdf5(path); }, &kind);
        QVERIFY2(message.contains(expected), qPrintable(message));
        QVERIFY2(message.contains("broken.hdf5"), qPrintable(message));
        QVERIFY(kind == Error::Kind::BadInput);
    }

    void openingReadsOnlyMetadata()
    {
        // Camera data written through a filter that is unregistered before reading: opening
        // must succeed (it reads no frame), and reading a frame must fail cleanly.
        const int filterId = 32001;
        H5Z_class2_t filter = {
            H5Z_CLASS_T_VERS, H5Z_filter_t(filterId), 1, 1, "test pass-through", nullptr, nullptr,
            passThrough};
        QVERIFY(H5Zregister(&filter) >= 0);
        const std::string path = file("lazy.hdf5");
        RawDemo demo{"demo_0", 3};
        demo.customFilter = filterId;
        writeRawLibero(path, {demo});
        QVERIFY(H5Zunregister(H5Z_filter_t(filterId)) >= 0);

        auto episodes = openLiberoHdf5(path);
        QCOMPARE(episodes->episodes()[0].length, 3);
        QCOMPARE(episodes->actions(0).rows, 3);
        Error::Kind kind = Error::Kind::Other;
        const QString message = fixtures::errorOf([&] { episodes->frame(0, 1); }, &kind);
        QVERIFY2(message.contains("lazy.hdf5") && message.contains("agentview_rgb"),
                 qPrintable(message));
        QVERIFY(kind == Error::Kind::BadInput);
    }

    void outOfRangeFrameIsAUsageError()
    {
        const std::string path = file("range.hdf5");
        writeRawLibero(path, {{"demo_0", 3}});
        auto episodes = openLiberoHdf5(path);
        Error::Kind kind = Error::Kind::Other;
        QVERIFY(fixtures::errorOf([&] { episodes->frame(0, 3); }, &kind).contains("frame 3"));
        QVERIFY(kind == Error::Kind::Usage);
        QVERIFY(fixtures::errorOf([&] { episodes->indexOf("demo_7"); }).contains("demo_7"));
    }

    void corruptFilesAreRefused_data()
    {
        QTest::addColumn<int>("which");
        QTest::newRow("truncated") << 0;
        QTest::newRow("random bytes") << 1;
        QTest::newRow("empty") << 2;
        QTest::newRow("no data group") << 3;
    }

    void corruptFilesAreRefused()
    {
        QFETCH(int, which);
        const std::string path = file("corrupt.hdf5");
        if (which == 0) {
            writeRawLibero(path, {{"demo_0", 20}});
            std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
        } else if (which == 1) {
            fixtures::writeBytes(path, fixtures::randomBytes(4096, 7));
        } else if (which == 2) {
            fixtures::writeBytes(path, "");
        } else {
            hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
            H5Fclose(f);
        }
        Error::Kind kind = Error::Kind::Other;
        const QString message = fixtures::errorOf(
            [&] {
                auto episodes = openEpisodeFile(path);
                for (std::size_t e = 0; e < episodes->episodes().size(); ++e)
                    for (std::int64_t t = 0; t < episodes->episodes()[e].length; ++t)
                        episodes->frame(e, t);
            },
            &kind);
        QVERIFY2(message.contains("corrupt.hdf5"), qPrintable(message));
        QVERIFY(kind == Error::Kind::BadInput);
    }

    // A file can declare sizes it does not hold (unwritten chunks cost nothing on disk): a
    // billion frames, a hundred million action columns, images 100000 pixels high. Each is
    // refused by name before anything is allocated for it.
    void absurdSizesAreRefusedBeforeAllocating_data()
    {
        QTest::addColumn<qulonglong>("frames");
        QTest::addColumn<qulonglong>("columns");
        QTest::addColumn<qulonglong>("imageHeight");
        QTest::addColumn<QString>("expected");
        QTest::newRow("a billion frames") << 1000000000ull << 7ull << 8ull
                                          << "declares 1000000000 × 7 values";
        QTest::newRow("1e8 action columns") << 5ull << 100000000ull << 8ull
                                            << "declares 5 × 100000000 values";
        QTest::newRow("100000-pixel images") << 5ull << 7ull << 100000ull
                                             << "implausible image size 3x100000";
    }

    void absurdSizesAreRefusedBeforeAllocating()
    {
        QFETCH(qulonglong, frames);
        QFETCH(qulonglong, columns);
        QFETCH(qulonglong, imageHeight);
        QFETCH(QString, expected);
        const std::string path = file("absurd.hdf5");
        hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        H5Gclose(H5Gcreate2(f, "data", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
        H5Gclose(H5Gcreate2(f, "data/demo_0", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
        hid_t obs = H5Gcreate2(f, "data/demo_0/obs", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        // Chunked and never written: the file stays a few kilobytes whatever it declares.
        const auto declare = [](hid_t where, const char *name, hid_t type,
                                std::vector<hsize_t> dims) {
            hid_t space = H5Screate_simple(int(dims.size()), dims.data(), nullptr);
            hid_t props = H5Pcreate(H5P_DATASET_CREATE);
            std::vector<hsize_t> chunk(dims.size(), 1);
            H5Pset_chunk(props, int(chunk.size()), chunk.data());
            H5Dclose(H5Dcreate2(where, name, type, space, H5P_DEFAULT, props, H5P_DEFAULT));
            H5Pclose(props);
            H5Sclose(space);
        };
        hid_t demo = H5Gopen2(f, "data/demo_0", H5P_DEFAULT);
        declare(demo, "actions", H5T_IEEE_F32LE, {frames, columns});
        declare(obs, "agentview_rgb", H5T_STD_U8LE, {frames, imageHeight, 3, 3});
        H5Gclose(demo);
        H5Gclose(obs);
        H5Fclose(f);
        QVERIFY(std::filesystem::file_size(path) < 1000000);
        const QString message = fixtures::errorOf([&] { openEpisodeFile(path); });
        QVERIFY2(message.contains("absurd.hdf5") && message.contains(expected), qPrintable(message));
    }

    void writerRoundTrip()
    {
        const std::string path = file("written.hdf5");
        LiberoFileAttributes attributes;
        attributes.instruction = fixtures::kInstruction;
        attributes.bddlFileName = "tabletop.bddl";
        {
            LiberoHdf5Writer writer(path, attributes);
            writer.addDemo(fixtures::makeDemo(0, 4, 20, 14));
            DemoRecord second = fixtures::makeDemo(1, 6, 20, 14);
            second.instruction = "pick up the cube left of the plate";
            second.success = false;
            writer.addDemo(second);
            QVERIFY(!std::filesystem::exists(path)); // nothing under the final name yet
            writer.finish();
        }
        QVERIFY(std::filesystem::exists(path));
        QVERIFY(!std::filesystem::exists(path + ".partial"));

        auto episodes = openEpisodeFile(path);
        QCOMPARE(episodes->format(), std::string("libero-hdf5"));
        const auto &list = episodes->episodes();
        QCOMPARE(int(list.size()), 2);
        QCOMPARE(list[0].instruction, std::string(fixtures::kInstruction));
        QCOMPARE(list[1].instruction, std::string("pick up the cube left of the plate"));
        QVERIFY(!list[0].success.has_value());
        QCOMPARE(list[1].success, std::optional<bool>(false));
        for (std::size_t e = 0; e < 2; ++e) {
            const DemoRecord expected = fixtures::makeDemo(int(e), int(list[e].length), 20, 14);
            for (std::int64_t t = 0; t < list[e].length; ++t) {
                const Frame frame = episodes->frame(e, t);
                for (std::size_t v = 0; v < 2; ++v)
                    QVERIFY(sameImage(frame.views[v], expected.frames[v][std::size_t(t)]));
                QCOMPARE(frame.action, expected.actions.row(t));
            }
        }

        // Stored layout as LIBERO's: rotated frames, num_samples, total.
        hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
        hid_t ds = H5Dopen2(f, "data/demo_0/obs/agentview_rgb", H5P_DEFAULT);
        std::vector<std::uint8_t> raw(4 * 14 * 20 * 3);
        H5Dread(ds, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data());
        const cv::Mat storedFirst(14, 20, CV_8UC3, raw.data());
        cv::Mat rotated;
        cv::rotate(fixtures::uprightFrame(0, 0, 20, 14), rotated, cv::ROTATE_180);
        QVERIFY(sameImage(storedFirst, rotated));
        H5Dclose(ds);
        long long total = 0;
        hid_t attr = H5Aopen_by_name(f, "data", "total", H5P_DEFAULT, H5P_DEFAULT);
        H5Aread(attr, H5T_NATIVE_LLONG, &total);
        H5Aclose(attr);
        QCOMPARE(total, 10LL);
        H5Fclose(f);
    }

    void abandonedWriterLeavesNothing()
    {
        const std::string path = file("abandoned.hdf5");
        {
            LiberoHdf5Writer writer(path, {});
            writer.addDemo(fixtures::makeDemo(0, 2));
        }
        QVERIFY(!std::filesystem::exists(path));
        QVERIFY(!std::filesystem::exists(path + ".partial"));
    }

    void writerRefusesInconsistentDemos()
    {
        LiberoHdf5Writer writer(file("bad-demo.hdf5"), {});
        DemoRecord demo = fixtures::makeDemo(0, 3);
        demo.frames[1].pop_back();
        QVERIFY(fixtures::errorOf([&] { writer.addDemo(demo); }).contains("eye_in_hand_rgb"));
    }

    void h5pyReadsOurFilesLikeLiberoUsers()
    {
        const std::string path = file("for-python.hdf5");
        fixtures::writeLiberoFile(path, {3, 5});
        const auto python =
            fixtures::runPythonScript("read_like_libero.py", {QString::fromStdString(path)});
        QVERIFY2(python.ok, python.err.constData());
        const auto report = nlohmann::json::parse(python.out.toStdString());
        QCOMPARE(report["demos"].get<std::vector<std::string>>(),
                 (std::vector<std::string>{"demo_0", "demo_1"}));
        QCOMPARE(report["instruction"].get<std::string>(), std::string(fixtures::kInstruction));
        QCOMPARE(report["total"].get<int>(), 8);
        QCOMPARE(report["num_samples"].get<std::vector<int>>(), (std::vector<int>{3, 5}));
        QCOMPARE(report["agentview_shape"].get<std::vector<int>>(),
                 (std::vector<int>{5, 12, 16, 3}));
        QCOMPARE(report["actions_dtype"].get<std::string>(), std::string("float64"));
        // h5py, after LIBERO's [::-1, ::-1] flip, sees our upright frame pixel for pixel.
        const cv::Mat expected = fixtures::uprightFrame(1, 4, 16, 12);
        const auto flat = report["eye_in_hand_demo_1_frame_4_upright"].get<std::vector<int>>();
        QCOMPARE(int(flat.size()), 16 * 12 * 3);
        QVERIFY(std::equal(flat.begin(), flat.end(), expected.data));
        QCOMPARE(report["actions_demo_1_row_2"].get<std::vector<double>>().at(3),
                 double(fixtures::actionValue(1, 2, 3)));
    }

private:
    std::string file(const char *name) const { return m_dir.filePath(name).toStdString(); }
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestLiberoHdf5)
#include "tst_libero_hdf5.moc"
