// Loading contract checkpoints written by Python (torch.jit.script of an nn.Module), running them
// frame by frame (dense and GridS), the per-frame encoder cache, nested budgets, and refusal of
// checkpoints that break the contract.

#include "common/error.h"
#include "fixtures.h"
#include "model/checkpoint_info.h"
#include "model/policy.h"
#include "model/probe.h"

#include <nlohmann/json.hpp>

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <numeric>
#include <optional>

#include <sched.h>

using namespace grids;

namespace {

Frame constantFrame()
{
    Frame frame;
    for (int v = 0; v < 2; ++v)
        frame.views.push_back(cv::Mat(20, 24, CV_8UC3, cv::Scalar(51, 102, 153)));
    for (int i = 0; i < 8; ++i)
        frame.state.push_back(0.1f * float(i));
    frame.instruction = "x";
    return frame;
}

const std::vector<ViewInfo> kTwoViews = {{"agentview_rgb", 24, 20}, {"eye_in_hand_rgb", 24, 20}};

} // namespace

class TestPolicy : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const auto python =
            fixtures::runPythonScript("make_contract_checkpoints.py", {m_dir.path()});
        QVERIFY2(python.ok, python.err.constData());
        QFile expected(m_dir.filePath("expected.json"));
        QVERIFY(expected.open(QIODevice::ReadOnly));
        m_expected = nlohmann::json::parse(expected.readAll().toStdString());
    }

    void loadsAPythonScriptedCheckpoint()
    {
        auto policy = Policy::load(path("contract_grids.pt"));
        const CheckpointInfo &info = policy->info();
        QCOMPARE(info.kind, std::string("grids"));
        QCOMPARE(info.views, (std::vector<std::string>{"agentview_rgb", "eye_in_hand_rgb"}));
        QCOMPARE(info.gridHeight, 4);
        QCOMPARE(info.tokenDim, 8);
        QCOMPARE(info.budgetMax, 6);
        QVERIFY(info.nested);
        QCOMPARE(info.methods, (std::vector<std::string>{"encode", "act", "sample"}));
        QCOMPARE(info.parameters, std::int64_t(3 * 8 + 8 + 8 * 12 + 12 + 10 + 1 + 18 * 7 + 7));
        QCOMPARE(info.sha256.size(), std::size_t(64));
    }

    void denseMatchesPython()
    {
        auto policy = Policy::load(path("contract_dense.pt"));
        const FrameResult r = policy->run(constantFrame(), kTwoViews, "dense", 0);
        QCOMPARE(r.budget, 16);
        QCOMPARE(int(r.views.size()), 2);
        QCOMPARE(int(r.views[1].coords.size()), 16);
        QCOMPARE(r.views[1].cells[5], 5);
        // Cell (1, 1) of a 4×4 grid has its centre at (0.375, 0.375).
        QCOMPARE(r.views[0].coords[5][0], 0.375f);
        QCOMPARE(r.views[0].coords[5][1], 0.375f);
        QCOMPARE(int(r.attention.size()), 32);
        QVERIFY(std::abs(std::accumulate(r.attention.begin(), r.attention.end(), 0.0f) - 1) < 1e-5);
        QCOMPARE(r.actions.rows, std::int64_t(3));
        QCOMPARE(r.actions.cols, 7);
        const auto expected = m_expected["dense_action"].get<std::vector<float>>();
        for (int d = 0; d < 7; ++d)
            QVERIFY(std::abs(r.actions.at(0, d) - expected[std::size_t(d)]) < 1e-5);
        QVERIFY(std::abs(r.attention[3] - m_expected["dense_attention"][3].get<float>()) < 1e-6);
        QVERIFY(!r.missingInputs);
    }

    void gridsMatchesPythonAndIsNested()
    {
        auto policy = Policy::load(path("contract_grids.pt"));
        const Frame frame = constantFrame();
        const FrameResult r4 = policy->run(frame, kTwoViews, "grids", 4, "frame-0");
        QCOMPARE(r4.budget, 4);
        QCOMPARE(int(r4.views[0].coords.size()), 4);
        QVERIFY(r4.views[0].cells.empty());
        QCOMPARE(int(r4.attention.size()), 8);
        const auto coords = m_expected["grids_coords"].get<std::vector<std::vector<float>>>();
        for (std::size_t k = 0; k < 4; ++k)
            QVERIFY(std::abs(r4.views[1].coords[k][1] - coords[4 + k][1]) < 1e-6);
        const auto action = m_expected["grids_action"].get<std::vector<float>>();
        QVERIFY(std::abs(r4.actions.at(0, 2) - action[2]) < 1e-5);

        // Nested budgets: the first K coordinates at budget K are those at budget max.
        const FrameResult r6 = policy->run(frame, kTwoViews, "grids", 6, "frame-0");
        for (std::size_t v = 0; v < 2; ++v)
            for (std::size_t k = 0; k < 4; ++k)
                QCOMPARE(r6.views[v].coords[k], r4.views[v].coords[k]);
    }

    // Inference uses one thread per processor the process may run on (taskset, a Slurm
    // allocation), not per processor of the machine: more threads than that and OpenMP's
    // spinning makes every call many times slower. OMP_NUM_THREADS is left to LibTorch.
    void inferenceThreadsFollowTheAllowedProcessors()
    {
        cpu_set_t allowed;
        QCOMPARE(sched_getaffinity(0, sizeof allowed, &allowed), 0);
        const bool hadOmp = qEnvironmentVariableIsSet("OMP_NUM_THREADS");
        const QByteArray omp = qgetenv("OMP_NUM_THREADS");
        qunsetenv("OMP_NUM_THREADS");
        int first = 0;
        while (!CPU_ISSET(first, &allowed))
            ++first;
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(first, &one);
        QCOMPARE(sched_setaffinity(0, sizeof one, &one), 0); // this thread only
        const std::optional<int> alone = inferenceThreads();
        QCOMPARE(sched_setaffinity(0, sizeof allowed, &allowed), 0);
        const std::optional<int> all = inferenceThreads();
        qputenv("OMP_NUM_THREADS", "3");
        const std::optional<int> chosen = inferenceThreads();
        if (hadOmp)
            qputenv("OMP_NUM_THREADS", omp);
        else
            qunsetenv("OMP_NUM_THREADS");
        QCOMPARE(alone, std::optional<int>(1));
        QCOMPARE(all, std::optional<int>(CPU_COUNT(&allowed)));
        QVERIFY(!chosen);
    }

    // A checkpoint whose records were deflated by another zip tool (torch stores them) loads and
    // gives what the stored one gives: the zip directory check leaves honest compression alone.
    void deflatedArchiveRunsLikeStored()
    {
        auto stored = Policy::load(path("contract_grids.pt"));
        auto deflated = Policy::load(path("contract_grids_deflated.pt"));
        const Frame frame = constantFrame();
        const FrameResult a = stored->run(frame, kTwoViews, "grids", 4, "frame-0");
        const FrameResult b = deflated->run(frame, kTwoViews, "grids", 4, "frame-0");
        QCOMPARE(b.views[1].coords, a.views[1].coords);
        for (int d = 0; d < 7; ++d)
            QCOMPARE(b.actions.at(0, d), a.actions.at(0, d));
        QCOMPARE(deflated->info().name, stored->info().name);
    }

    void encoderRunsOncePerFrame()
    {
        auto policy = Policy::load(path("contract_grids.pt"));
        const Frame frame = constantFrame();
        QVERIFY(!policy->run(frame, kTwoViews, "dense", 0, "f1").encodeCached);
        for (int budget : {1, 2, 6})
            QVERIFY(policy->run(frame, kTwoViews, "grids", budget, "f1").encodeCached);
        QCOMPARE(policy->encoderCalls(), std::size_t(1));
        policy->run(frame, kTwoViews, "grids", 3, "f2");
        QCOMPARE(policy->encoderCalls(), std::size_t(2));
        QCOMPARE(policy->cachedFrames(), std::size_t(2));
        policy->run(frame, kTwoViews, "grids", 3); // no key: not cached
        QCOMPARE(policy->encoderCalls(), std::size_t(3));
    }

    void aLoneVideoViewRunsWithMissingInputs()
    {
        auto policy = Policy::load(path("contract_grids.pt"));
        Frame frame = constantFrame();
        frame.views.resize(1);
        frame.state.clear();
        const FrameResult r = policy->run(frame, {{"video", 24, 20}}, "grids", 2);
        QCOMPARE(int(r.views.size()), 1);
        QCOMPARE(r.views[0].view, std::string("agentview_rgb"));
        QVERIFY(r.missingInputs);
        QCOMPARE(int(r.attention.size()), 2);
    }

    void badRequestsAreRefused()
    {
        auto policy = Policy::load(path("contract_grids.pt"));
        const Frame frame = constantFrame();
        for (int budget : {0, 7}) {
            Error::Kind kind = Error::Kind::Other;
            QVERIFY(
                fixtures::errorOf([&] { policy->run(frame, kTwoViews, "grids", budget); }, &kind)
                    .contains("budget"));
            QVERIFY(kind == Error::Kind::Usage);
        }
        QVERIFY(fixtures::errorOf([&] {
                    policy->run(frame, kTwoViews, "frobnicate", 4);
                }).contains("unknown"));
        QVERIFY(fixtures::errorOf([&] {
                    policy->run(frame, {{"top", 2, 2}, {"side", 2, 2}}, "dense", 0);
                }).contains("none of the episode's views"));
        auto dense = Policy::load(path("contract_dense.pt"));
        QVERIFY(fixtures::errorOf([&] {
                    dense->run(frame, kTwoViews, "grids", 4);
                }).contains("GridS checkpoint"));
    }

    void brokenCheckpointsAreRefusedByName_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("expected");
        QTest::newRow("no grids.json") << "broken_no_json.pt"
                                       << "no grids.json";
        QTest::newRow("wrong version") << "broken_version.pt"
                                       << "unknown version 2";
        QTest::newRow("missing method") << "broken_no_act.pt"
                                        << "missing method 'act'";
        QTest::newRow("wrong output shape") << "broken_shape.pt"
                                            << "encode's output has shape [1, 2, 4, 4, 9]";
        QTest::newRow("not TorchScript") << "broken_not_torchscript.pt"
                                         << "not a TorchScript checkpoint";
        // Records whose zip entry claims 2 GB (a 32-bit size on a deflated record; a zip64 size on a
        // stored one): refused before LibTorch's reader allocates the claim (found by fuzzing).
        QTest::newRow("record claims 2 GB") << "broken_claims_2gb.pt"
                                            << "'contract_grids/version' claims 2181038082 bytes";
        QTest::newRow("zip64 record claims 2 GB") << "broken_zip64_claims_2gb.pt"
                                                  << "'contract_grids/version' claims 2181038082 bytes";
        QTest::newRow("missing file") << "nothing_here.pt"
                                      << "no such checkpoint";
    }

    void brokenCheckpointsAreRefusedByName()
    {
        QFETCH(QString, file);
        QFETCH(QString, expected);
        Error::Kind kind = Error::Kind::Other;
        const QString message = fixtures::errorOf([&] { Policy::load(path(file)); }, &kind);
        QVERIFY2(message.contains(expected) && message.contains(file), qPrintable(message));
        QVERIFY(kind == Error::Kind::BadInput);
    }

    // grids.json values that do not fit the types they are read into are refused by name, never
    // wrapped into small valid ones (4294967297 read as an int is 1) nor multiplied past an int.
    void gridsJsonOutOfRangeIsRefused_data()
    {
        QTest::addColumn<QString>("from");
        QTest::addColumn<QString>("to");
        QTest::addColumn<QString>("expected");
        QTest::newRow("valid") << "" << "" << "";
        QTest::newRow("version wraps to 1") << "\"version\": 1" << "\"version\": 4294967297"
                                            << "unknown version 4294967297";
        QTest::newRow("image size wraps to 1")
            << "\"image_size\": [128, 128]" << "\"image_size\": [4294967297, 4294967297]" << "\"image_size\" must be";
        QTest::newRow("cells overflow an int") << "\"grid\": [16, 16]" << "\"grid\": [100000, 100000]"
                                               << "\"grid\" must be two positive integers up to 16384";
        QTest::newRow("token_dim past 2^63") << "\"token_dim\": 64" << "\"token_dim\": 18446744073709551615"
                                             << "\"token_dim\" must be a positive integer";
        QTest::newRow("name not a string") << "\"name\": \"tabletop-dense\"" << "\"name\": 1"
                                           << "\"name\" must be a string";
        QTest::newRow("attention not a string") << "\"attention\": \"cross\"" << "\"attention\": []"
                                                << "\"attention\" must be a string";
        QTest::newRow("context_extra not a number") << "\"context_extra\": 13" << "\"context_extra\": \"13\""
                                                    << "\"context_extra\" must be a non-negative integer";
    }

    void gridsJsonOutOfRangeIsRefused()
    {
        QFETCH(QString, from);
        QFETCH(QString, to);
        QFETCH(QString, expected);
        std::string text = R"({"format": "grids-checkpoint", "version": 1, "name": "tabletop-dense",
            "kind": "dense", "views": ["agentview_rgb"], "image_size": [128, 128], "grid": [16, 16],
            "token_dim": 64, "state_dim": 8, "action_dim": 7, "action_horizon": 8, "control_hz": 20.0,
            "head": {"attention": "cross", "context_extra": 13, "ff": 256, "heads": 4, "layers": 3,
                     "width": 64}})";
        if (!from.isEmpty()) {
            const auto at = text.find(from.toStdString());
            QVERIFY2(at != std::string::npos, qPrintable(from));
            text.replace(at, std::size_t(from.size()), to.toStdString());
        }
        Error::Kind kind = Error::Kind::Other;
        const QString message = fixtures::errorOf([&] { parseCheckpointJson("model.pt", text); }, &kind);
        if (expected.isEmpty()) {
            QVERIFY2(message.isEmpty(), qPrintable(message));
            QCOMPARE(parseCheckpointJson("model.pt", text).cellsPerView(), 256);
            return;
        }
        QVERIFY2(message.startsWith("model.pt: grids.json: ") && message.contains(expected), qPrintable(message));
        QVERIFY(kind == Error::Kind::BadInput);
    }

    // Probes: the box is painted mid grey in that view only, the original frame is untouched,
    // and the model sees the difference.
    void probeOccludesABoxAndReplacesTheInstruction()
    {
        const Frame frame = constantFrame(); // 24×20 views
        Probe probe;
        QVERIFY(!probe.active());
        probe.instruction = "pick the red cube";
        probe.occludedView = 1;
        probe.box = {0.5f, 0.5f, 0.25f, 0.0f}; // corners in either order: x 6..12, y 0..10
        QVERIFY(probe.active());
        const Frame probed = applyProbe(frame, probe);
        QCOMPARE(probed.instruction, std::string("pick the red cube"));
        QCOMPARE(frame.instruction, std::string("x"));
        int grey = 0;
        for (int y = 0; y < 20; ++y)
            for (int x = 0; x < 24; ++x) {
                const bool inside = x >= 6 && x < 12 && y < 10;
                const auto pixel = probed.views[1].at<cv::Vec3b>(y, x);
                QCOMPARE(pixel == cv::Vec3b(128, 128, 128), inside);
                grey += inside;
                QCOMPARE(probed.views[0].at<cv::Vec3b>(y, x), cv::Vec3b(51, 102, 153));
                QCOMPARE(frame.views[1].at<cv::Vec3b>(y, x), cv::Vec3b(51, 102, 153));
            }
        QCOMPARE(grey, 60);
        QVERIFY(probe.key() != Probe{}.key());

        auto policy = Policy::load(path("contract_dense.pt"));
        Probe whole;
        whole.occludedView = 0;
        whole.box = {0, 0, 1, 1};
        const FrameResult plain = policy->run(frame, kTwoViews, "dense", 0, "f");
        const FrameResult hidden =
            policy->run(applyProbe(frame, whole), kTwoViews, "dense", 0, "f|" + whole.key());
        QVERIFY(plain.actions.values != hidden.actions.values);

        whole.occludedView = 2;
        QVERIFY(fixtures::errorOf([&] { applyProbe(frame, whole); }).contains("no view 2"));
    }

    void cudaIsRefusedCleanlyWithoutAGpu()
    {
        if (cudaAvailable()) {
            // With a GPU: the same results as on the CPU, up to float tolerance.
            auto cpu = Policy::load(path("contract_grids.pt"), "cpu");
            auto gpu = Policy::load(path("contract_grids.pt"), "cuda");
            const auto a = cpu->run(constantFrame(), kTwoViews, "grids", 4);
            const auto b = gpu->run(constantFrame(), kTwoViews, "grids", 4);
            for (std::size_t i = 0; i < a.actions.values.size(); ++i)
                QVERIFY(std::abs(a.actions.values[i] - b.actions.values[i]) < 1e-4);
            return;
        }
        Error::Kind kind = Error::Kind::Other;
        const QString message =
            fixtures::errorOf([&] { Policy::load(path("contract_grids.pt"), "cuda"); }, &kind);
        QVERIFY2(message.contains("no CUDA device"), qPrintable(message));
        QVERIFY(kind == Error::Kind::Usage);
    }

private:
    std::string path(const QString &name) const { return m_dir.filePath(name).toStdString(); }
    QTemporaryDir m_dir;
    nlohmann::json m_expected;
};

QTEST_GUILESS_MAIN(TestPolicy)
#include "tst_policy.moc"
