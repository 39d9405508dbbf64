// The project's architecture and trainer: a tiny model overfits, the saved checkpoint gives the
// trained module's actions, nested budgets nest, Python loads what we write, training resumes,
// visual tokens bind to the instruction's words by position, masked state stays out of the head,
// the object readout learns where the named objects are without changing the actions.

// Torch before Qt: Qt's `slots` macro breaks torch's headers.
#include <torch/script.h>

#include "common/error.h"
#include "episodes/episode.h"
#include "episodes/libero_hdf5_writer.h"
#include "episodes/libero_layout.h"
#include "fixtures.h"
#include "model/policy.h"
#include "train/architecture.h"
#include "train/trainer.h"

#include <nlohmann/json.hpp>

#include <set>

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace grids;

namespace {

train::TrainOptions tinyOptions(const std::string &data, const std::string &out)
{
    train::TrainOptions o;
    o.data = {data};
    o.out = out;
    o.tokenDim = 16;
    o.layers = 1;
    o.heads = 2;
    o.horizon = 2;
    o.batch = 8;
    o.warmup = 5;
    o.learningRate = 3e-3;
    o.augment = false;
    o.seed = 3;
    return o;
}

// A dense module small enough to build and run in milliseconds (4×4 grid per view).
train::ArchitectureConfig tinyDenseArchitecture()
{
    train::ArchitectureConfig config;
    config.kind = "dense";
    config.imageSize = 32;
    config.tokenDim = 16;
    config.heads = 2;
    config.layers = 1;
    return config;
}

} // namespace

class TestTrain : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // 32×32 frames: the encoder's grid is 4×4 cells per view.
        LiberoFileAttributes attributes;
        attributes.instruction = fixtures::kInstruction;
        LiberoHdf5Writer writer(path("tiny.hdf5"), attributes);
        writer.addDemo(fixtures::makeDemo(0, 8, 32, 32));
        writer.addDemo(fixtures::makeDemo(1, 8, 32, 32));
        writer.finish();

        // The same demonstrations with the simulator's object positions (obs/target_pos,
        // obs/reference_pos), different per demo and per frame.
        LiberoHdf5Writer withObjects(path("objects.hdf5"), attributes);
        for (int demo = 0; demo < 2; ++demo) {
            DemoRecord record = fixtures::makeDemo(demo, 8, 32, 32);
            Track target, reference, targetImage, referenceImage;
            for (int t = 0; t < 8; ++t) {
                target.values.insert(target.values.end(),
                                     {0.1f * float(demo) - 0.05f, 0.01f * float(t), 0.02f});
                reference.values.insert(reference.values.end(), {-0.1f, 0.05f * float(demo), 0.0f});
                // In the front view only (the wrist view's -1 is outside its image), and both.
                targetImage.values.insert(targetImage.values.end(),
                                          {0.1f + 0.1f * float(t), 0.3f, -1.0f, -1.0f});
                referenceImage.values.insert(referenceImage.values.end(),
                                             {0.7f, 0.2f + 0.5f * float(demo), 0.5f, 0.5f});
            }
            target.rows = reference.rows = targetImage.rows = referenceImage.rows = 8;
            target.cols = reference.cols = 3;
            targetImage.cols = referenceImage.cols = 4;
            record.lowDim.push_back({libero::kTargetPos, target});
            record.lowDim.push_back({libero::kReferencePos, reference});
            record.lowDim.push_back({libero::kTargetImagePos, targetImage});
            record.lowDim.push_back({libero::kReferenceImagePos, referenceImage});
            withObjects.addDemo(record);
        }
        withObjects.finish();
    }

    void tinyModelOverfits()
    {
        train::TrainOptions o = tinyOptions(path("tiny.hdf5"), path("dense.pt"));
        o.kind = "dense";
        o.steps = 80;
        const train::TrainReport report = train::trainPolicy(o);
        QCOMPARE(report.frames, std::int64_t(16));
        QCOMPARE(report.stepsDone, 80);
        qInfo("L1 %.4f -> %.4f", report.initialLoss, report.finalLoss);
        QVERIFY(report.finalLoss < report.initialLoss / 5);
        QVERIFY(!report.curve.empty() && report.curve.back().first == 80);
    }

    void savedCheckpointGivesTheTrainedActions()
    {
        train::TrainOptions o = tinyOptions(path("tiny.hdf5"), path("nested.pt"));
        o.kind = "grids";
        o.nestedMax = 8;
        o.steps = 10;
        const train::TrainReport report = train::trainPolicy(o);

        auto policy = Policy::load(path("nested.pt"));
        const CheckpointInfo &info = policy->info();
        QCOMPARE(info.kind, std::string("grids"));
        QCOMPARE(info.budgetMax, 8);
        QVERIFY(info.nested);
        // The head is a decoder: FLOPs are counted with the cross-attention formula.
        QCOMPARE(info.headAttention, std::string("cross"));
        QCOMPARE(info.headContextExtra, 12 + 1);
        QCOMPARE(info.gridHeight, 4);
        QCOMPARE(info.sha256, report.checkpointSha256);

        auto file = openEpisodeFile(path("tiny.hdf5"));
        const Frame frame = file->frame(0, 0);
        const FrameResult r =
            policy->run(frame, file->episodes()[0].views, "grids", info.budgetDefault);
        QCOMPARE(r.actions.values.size(), report.probeAction.size());
        for (std::size_t i = 0; i < r.actions.values.size(); ++i)
            QVERIFY2(std::abs(r.actions.values[i] - report.probeAction[i]) < 1e-4,
                     qPrintable(
                         QString("%1 vs %2").arg(r.actions.values[i]).arg(report.probeAction[i])));

        // Nested: budget K gives the first K of the coordinates at K_max.
        const FrameResult small = policy->run(frame, file->episodes()[0].views, "grids", 3, "f");
        const FrameResult large = policy->run(frame, file->episodes()[0].views, "grids", 8, "f");
        for (std::size_t v = 0; v < 2; ++v)
            for (std::size_t k = 0; k < 3; ++k)
                QCOMPARE(small.views[v].coords[k], large.views[v].coords[k]);
        QCOMPARE(policy->encoderCalls(), std::size_t(2)); // one uncached run, one cached frame
    }

    void pythonLoadsWhatWeWrite()
    {
        for (const char *file : {"nested.pt", "dense.pt"}) {
            const auto python =
                fixtures::runPythonScript("check_our_checkpoint.py", {m_dir.filePath(file)});
            QVERIFY2(python.ok, python.err.constData());
        }
    }

    void resumingContinuesTheStepCount()
    {
        train::TrainOptions o = tinyOptions(path("tiny.hdf5"), path("resumed.pt"));
        o.resume = path("nested.pt");
        o.steps = 4;
        train::trainPolicy(o);
        auto policy = Policy::load(path("resumed.pt"));
        const auto json = nlohmann::json::parse(policy->info().json);
        QCOMPARE(json["train"]["steps"].get<int>(), 14);
        QVERIFY(policy->info().nested);
    }

    // The controls of issue 17's comparison. Fixed: GridS's sampling at coordinates that are
    // learned but the same for every image. Pooled: k×k block means at the blocks' centres.
    void controlSamplersKeepTheirCoordinatesAndPool()
    {
        train::ArchitectureConfig config = tinyDenseArchitecture(); // 4×4 cells per view
        config.kind = "grids";
        config.nested = false;
        config.budgetMax = config.budgetDefault = 4;
        torch::manual_seed(4);
        const torch::Tensor a = torch::randn({1, 2, 4, 4, 16}), b = torch::randn({1, 2, 4, 4, 16});
        const c10::List<std::string> words({"pick up the cube"});
        const auto sample = [&](torch::jit::Module &m, const torch::Tensor &features) {
            return m.run_method("sample", features, std::int64_t(4), words).toTuple()->elements();
        };

        config.sampler = "fixed";
        torch::jit::Module fixed = train::buildPolicyModule(config, 5);
        const torch::Tensor coordsA = sample(fixed, a)[0].toTensor();
        QVERIFY(torch::equal(coordsA, sample(fixed, b)[0].toTensor())); // whatever the image
        QVERIFY(!torch::equal(sample(fixed, a)[1].toTensor(), sample(fixed, b)[1].toTensor()));
        QVERIFY(fixed.hasattr("fixed_logits") && !fixed.hasattr("s_w1"));
        QVERIFY(coordsA.min().item<float>() > 0.05f && coordsA.max().item<float>() < 0.95f);

        config.sampler = "pooled";
        torch::jit::Module pooled = train::buildPolicyModule(config, 5);
        const torch::Tensor centres = torch::tensor({0.25f, 0.25f, 0.75f, 0.25f, 0.25f, 0.75f, 0.75f, 0.75f});
        QVERIFY(torch::allclose(sample(pooled, a)[0].toTensor()[0][1].reshape({8}), centres));
        // Block (row 0, column 1) is cells (0..1, 2..3): raising them by 1 raises token 1 by 1.
        torch::Tensor raised = a.clone();
        raised.slice(1, 0, 1).slice(2, 0, 2).slice(3, 2, 4).add_(1.0); // view 0 only
        const torch::Tensor change =
            sample(pooled, raised)[1].toTensor() - sample(pooled, a)[1].toTensor(); // [1, V, K, C]
        QVERIFY(torch::allclose(change[0][0][1], torch::ones({16}), 1e-5, 1e-5));
        QVERIFY(change[0][0][0].abs().max().item<float>() < 1e-5);
        QVERIFY(change[0][1].abs().max().item<float>() < 1e-5); // the other view
        // Only one square budget: nested or non-square pooling is refused, naming the setting.
        config.budgetMax = 3;
        QVERIFY(fixtures::errorOf([&] { train::buildPolicyModule(config, 5); }).contains("sampler"));
        config.budgetMax = 4;
        config.nested = true;
        QVERIFY(fixtures::errorOf([&] { train::buildPolicyModule(config, 5); }).contains("sampler"));

        // Trained and loaded as any GridS checkpoint; grids.json says which sampler it has.
        train::TrainOptions o = tinyOptions(path("tiny.hdf5"), path("pooled.pt"));
        o.budget = 4;
        o.sampler = "pooled";
        o.steps = 3;
        train::trainPolicy(o);
        auto policy = Policy::load(path("pooled.pt"));
        QCOMPARE(train::configFromJson(policy->info().json).sampler, std::string("pooled"));
        auto file = openEpisodeFile(path("tiny.hdf5"));
        const auto &info = file->episodes()[0];
        const FrameResult r = policy->run(file->frame(0, 0), info.views, "grids", 4, "p");
        QCOMPARE(r.views[0].coords.size(), std::size_t(4));
        QCOMPARE(r.views[0].coords[3][0], 0.75f);
        o.lookWeight = 0.2;
        o.objectWeight = 1;
        QVERIFY(fixtures::errorOf([&] { train::trainPolicy(o); }).contains("look"));
    }

    void visualTokensBindToWordsByPosition()
    {
        train::ArchitectureConfig config = tinyDenseArchitecture();
        torch::jit::Module module = train::buildPolicyModule(config, 5);
        const auto words = [&](const std::string &sentence) {
            return module.run_method("instruction_tokens", c10::List<std::string>({sentence}))
                .toTensor();
        };
        const torch::Tensor redOnBlue = words("put the red cube on the blue plate");
        const torch::Tensor blueOnRed = words("put the blue cube on the red plate");
        // A sum over words cannot tell which colour names the object: the summary is the same.
        QVERIFY(torch::allclose(redOnBlue.mean(1), blueOnRed.mean(1), 1e-5, 1e-6));

        torch::manual_seed(2);
        const torch::Tensor visual = torch::randn({1, 6, 16});
        const auto bind = [&](const torch::Tensor &tokens, const torch::Tensor &text) {
            return module.run_method("bind_instruction", tokens, text).toTensor();
        };
        const torch::Tensor bound = bind(visual, redOnBlue);
        // The binding sees the word order...
        QVERIFY((bound - bind(visual, blueOnRed)).abs().max().item<float>() > 1e-3);
        // ...and works token by token: a subset is bound as it is inside the full set.
        QVERIFY(torch::allclose(bind(visual.slice(1, 2, 4), redOnBlue), bound.slice(1, 2, 4), 1e-5,
                                1e-6));

        // SparseVLM's signal (text_relevance): per token, the log of its attention to each word,
        // which sums to one over the words the layer attends to; padding words are -inf.
        const torch::Tensor coords = torch::rand({1, visual.size(1), 2});
        const torch::Tensor views = torch::zeros({1, visual.size(1)}, torch::kLong);
        const torch::Tensor relevance =
            module
                .run_method("text_relevance", visual, coords, views,
                            c10::List<std::string>({"put the red cube on the blue plate"}))
                .toTensor();
        QCOMPARE(relevance.size(1), visual.size(1));
        const std::int64_t said = std::min<std::int64_t>(8, relevance.size(2)); // words in it
        QVERIFY(relevance.slice(2, 0, said).isfinite().all().item<bool>());
        if (relevance.size(2) > said)
            QVERIFY(relevance.slice(2, said).isinf().all().item<bool>());
        QVERIFY(relevance.slice(2, 0, said).exp().sum(2).le(1.0001).all().item<bool>());

        // Without it the tokens pass unchanged, and grids.json says which module this is.
        config.instructionBinding = false;
        torch::jit::Module plain = train::buildPolicyModule(config, 5);
        QVERIFY(!plain.find_method("text_relevance")); // no binding layer: no text signal
        QVERIFY(torch::equal(plain.run_method("bind_instruction", visual, redOnBlue).toTensor(),
                             visual));
        QVERIFY(
            !train::configFromJson(train::checkpointJson(config, "plain", "")).instructionBinding);
        config.instructionBinding = true;
        QVERIFY(
            train::configFromJson(train::checkpointJson(config, "bound", "")).instructionBinding);
        // Checkpoints made before the option existed have no binding.
        auto old = nlohmann::json::parse(train::checkpointJson(config, "old", ""));
        old["architecture"].erase("instruction_binding");
        QVERIFY(!train::configFromJson(old.dump()).instructionBinding);
    }

    // Masked state dimensions (here the gripper's x and y) never reach the head; the others do.
    void maskedStateDimensionsDoNotReachTheHead()
    {
        train::ArchitectureConfig config = tinyDenseArchitecture();
        QVERIFY(config.maskedStateDims.empty()); // the head sees all of the state by default
        config.maskedStateDims = {0, 1};
        torch::jit::Module module = train::buildPolicyModule(config, 7);
        torch::manual_seed(1);
        const torch::Tensor images = torch::rand({1, 2, 3, 32, 32});
        const torch::Tensor state = torch::randn({1, 8});
        const auto predict = [&](const torch::Tensor &s) {
            return module
                .run_method("predict", images, s, c10::List<std::string>({"pick up the cube"}),
                            std::int64_t(0))
                .toTensor();
        };
        const auto withChange = [&](int d) {
            torch::Tensor moved = state.clone();
            moved[0][d] += 3.0;
            return predict(moved);
        };
        const torch::Tensor base = predict(state);
        QVERIFY(torch::equal(withChange(0), base));
        QVERIFY(torch::equal(withChange(1), base));
        QVERIFY((withChange(2) - base).abs().max().item<float>() > 1e-4);
        QVERIFY((withChange(7) - base).abs().max().item<float>() > 1e-4);
        QCOMPARE(train::configFromJson(train::checkpointJson(config, "m", "")).maskedStateDims,
                 (std::vector<int>{0, 1}));

        config.maskedStateDims = {};
        torch::jit::Module seeing = train::buildPolicyModule(config, 7);
        module = seeing;
        QVERIFY((withChange(0) - predict(state)).abs().max().item<float>() > 1e-4);
        config.maskedStateDims = {8};
        QVERIFY(fixtures::errorOf([&] {
                    train::buildPolicyModule(config, 7);
                }).contains("outside the state"));
    }

    // Key-frame weighting re-weights the loss (same seed, same batches, other weights) and is
    // recorded with the checkpoint's training facts.
    void keyframeWeightingReweightsTheLoss()
    {
        train::TrainOptions o = tinyOptions(path("tiny.hdf5"), path("plain.pt"));
        o.kind = "dense";
        o.steps = 3;
        const train::TrainReport plain = train::trainPolicy(o);
        o.out = path("keyframes.pt");
        o.keyframeWeight = 50;
        const train::TrainReport weighted = train::trainPolicy(o);
        QVERIFY(std::abs(plain.curve.front().second - weighted.curve.front().second) > 1e-6);
        QVERIFY(plain.probeAction != weighted.probeAction);
        const auto json = nlohmann::json::parse(Policy::load(path("keyframes.pt"))->info().json);
        QCOMPARE(json["train"]["keyframe_weight"].get<double>(), 50.0);
    }

    // Object marking and readout: the loss falls as the module learns where the objects are,
    // marks are per token (a subset is marked as inside the full set), predict and
    // predict_with_objects agree on the actions, the readout is saved and described in
    // grids.json, and data without object positions are refused by name.
    void objectReadoutLearnsWhereTheObjectsAre()
    {
        train::ArchitectureConfig config = tinyDenseArchitecture();
        config.objectReadout = true;
        torch::jit::Module reading = train::buildPolicyModule(config, 7);
        torch::manual_seed(1);
        const std::vector<c10::IValue> inputs{torch::rand({1, 2, 3, 32, 32}), torch::randn({1, 8}),
                                              c10::List<std::string>({"pick up the cube"}),
                                              std::int64_t(0)};
        const auto both = reading.get_method("predict_with_objects")(inputs).toTuple();
        const auto &out = both->elements();
        QVERIFY(torch::equal(
            reading.run_method("predict", inputs[0], inputs[1], inputs[2], inputs[3]).toTensor(),
            out[0].toTensor()));
        QCOMPARE(out[1].toTensor().sizes().vec(),
                 (std::vector<std::int64_t>{1, train::kObjectValues}));
        const at::Tensor marks = out[2].toTensor(), coords = out[3].toTensor(),
                         views = out[4].toTensor();
        QCOMPARE(marks.sizes().vec(), (std::vector<std::int64_t>{1, 32, 2}));
        const at::Tensor tokens =
            reading.run_method("encode", inputs[0]).toTensor().reshape({1, 32, 16});
        const at::Tensor some = torch::tensor({3, 17, 30});
        const auto subset =
            reading
                .run_method("head", tokens.index_select(1, some), coords.index_select(1, some),
                            views.index_select(1, some), inputs[2], inputs[1])
                .toTuple();
        QVERIFY(torch::allclose(subset->elements()[2].toTensor(), marks.index_select(1, some), 1e-5,
                                1e-6));
        QVERIFY(!train::buildPolicyModule(tinyDenseArchitecture(), 7)
                     .find_method("predict_with_objects"));

        train::TrainOptions o = tinyOptions(path("objects.hdf5"), path("objects.pt"));
        o.kind = "dense";
        o.steps = 80;
        o.objectWeight = 1.0;
        const train::TrainReport report = train::trainPolicy(o);
        qInfo("object loss %.3f -> %.3f", report.initialObjectLoss, report.finalObjectLoss);
        QVERIFY(report.initialObjectLoss > 1.0);
        QVERIFY(report.finalObjectLoss < 0.4 * report.initialObjectLoss);
        const auto json = nlohmann::json::parse(Policy::load(path("objects.pt"))->info().json);
        QCOMPARE(json["architecture"]["object_readout"].get<bool>(), true);
        QCOMPARE(json["train"]["object_weight"].get<double>(), 1.0);
        QVERIFY(train::configFromJson(json.dump()).objectReadout);
        // Statistics from the data: the reference's x is -0.1 in every frame.
        const torch::jit::Module saved = torch::jit::load(path("objects.pt"));
        QVERIFY(std::abs(saved.attr("object_mean").toTensor()[3].item<float>() + 0.1f) < 1e-6);

        // Data without object positions, and a checkpoint without the readout, are refused.
        o = tinyOptions(path("tiny.hdf5"), path("bad.pt"));
        o.objectWeight = 1.0;
        const QString missing = fixtures::errorOf([&] { train::trainPolicy(o); });
        QVERIFY2(missing.contains("tiny.hdf5") && missing.contains("obs/target_pos (T, 3)"),
                 qPrintable(missing));
        o = tinyOptions(path("objects.hdf5"), path("plain-readout.pt"));
        o.kind = "dense";
        o.steps = 1;
        train::trainPolicy(o);
        o.resume = path("plain-readout.pt");
        o.out = path("bad.pt");
        o.objectWeight = 1.0;
        QVERIFY(fixtures::errorOf([&] { train::trainPolicy(o); }).contains("no object readout"));
        QVERIFY(!QFile::exists(m_dir.filePath("bad.pt")));
    }

    // --look-weight pulls GridS' points towards the objects: after the same training with it,
    // the nearest front-camera point lies closer to the target, over the frames trained on.
    void lookWeightPullsGridsPointsTowardsTheObjects()
    {
        const auto nearest = [&](double lookWeight, const char *out) {
            train::TrainOptions o = tinyOptions(path("objects.hdf5"), path(out));
            o.kind = "grids";
            o.budget = 2;
            o.steps = 40;
            o.objectWeight = 1.0;
            o.lookWeight = lookWeight;
            train::trainPolicy(o);
            return frontNearestToTarget(out, [](torch::jit::Module &module, const at::Tensor &images,
                                               const c10::List<std::string> &words) {
                return module.run_method("sample_coords", module.run_method("encode", images), words)
                    .toTensor()[0][0];
            });
        };
        const double free = nearest(0.0, "look-free.pt"), pulled = nearest(5.0, "look-pulled.pt");
        qInfo("nearest point to the target: %.3f without, %.3f with --look-weight", free, pulled);
        QVERIFY(pulled < 0.7 * free);
        train::TrainOptions o = tinyOptions(path("objects.hdf5"), path("bad.pt"));
        o.kind = "dense";
        o.objectWeight = 1.0;
        o.lookWeight = 1.0;
        std::string setting;
        const QString message =
            fixtures::errorOf([&] { train::trainPolicy(o); }, nullptr, &setting);
        QVERIFY2(message.startsWith("look weight: needs GridS"), qPrintable(message));
        QCOMPARE(setting, std::string("look_weight"));
    }

    // The target-marks control keeps each view's K cells with the largest object mark, as they
    // are, at their centres. Its marks are trained on every cell, so training moves the kept
    // cells onto the target. It needs the object readout, and refuses --look-weight.
    void marksControlKeepsTheMostMarkedCells()
    {
        train::ArchitectureConfig config = tinyDenseArchitecture(); // 4×4 cells per view
        config.kind = "grids";
        config.nested = false;
        config.budgetMax = config.budgetDefault = 3;
        config.sampler = "marks";
        QVERIFY(fixtures::errorOf([&] { train::buildPolicyModule(config, 5); })
                    .contains("object readout"));
        config.objectReadout = true;
        torch::jit::Module module = train::buildPolicyModule(config, 5);
        torch::manual_seed(6);
        const at::Tensor features = torch::randn({1, 2, 4, 4, 16});
        const c10::List<std::string> words({"pick up the cube"});
        const auto kept =
            module.run_method("sample", features, std::int64_t(3), words).toTuple()->elements();
        const at::Tensor coords = kept[0].toTensor(), tokens = kept[1].toTensor();
        QCOMPARE(coords.sizes().vec(), (std::vector<std::int64_t>{1, 2, 3, 2}));
        // Every cell's marks, as the head computes them when it sees all 32 cells.
        const auto every = module.run_method("every_cell", features).toTuple()->elements();
        const at::Tensor marks =
            module
                .run_method("visual_context", every[0], every[1], every[2],
                            module.run_method("instruction_tokens", words))
                .toTuple()
                ->elements()[1]
                .toTensor()
                .amax(2)[0]; // [32]: the larger of target and reference
        for (int v = 0; v < 2; ++v) {
            std::set<int> keptCells;
            float lowestKept = 1e30f;
            for (int k = 0; k < 3; ++k) {
                const float x = coords[0][v][k][0].item<float>(), y = coords[0][v][k][1].item<float>();
                const int i = int(x * 4), j = int(y * 4);
                QCOMPARE(x, (float(i) + 0.5f) / 4); // a cell's centre
                QCOMPARE(y, (float(j) + 0.5f) / 4);
                QVERIFY(torch::equal(tokens[0][v][k], features[0][v][j][i])); // as it is
                keptCells.insert(j * 4 + i);
                lowestKept = std::min(lowestKept, marks[v * 16 + j * 4 + i].item<float>());
            }
            QCOMPARE(keptCells.size(), std::size_t(3));
            for (int cell = 0; cell < 16; ++cell)
                if (keptCells.count(cell) == 0)
                    QVERIFY(marks[v * 16 + cell].item<float>() <= lowestKept);
        }
        // Training's marking loss sees every cell's marks; the actions are predict's.
        const std::vector<c10::IValue> inputs{torch::rand({1, 2, 3, 32, 32}), torch::randn({1, 8}),
                                              words, std::int64_t(3)};
        const auto out = module.get_method("predict_with_objects")(inputs).toTuple()->elements();
        QCOMPARE(out[2].toTensor().size(1), std::int64_t(32));
        QCOMPARE(out[3].toTensor().size(1), std::int64_t(32));
        QVERIFY(torch::allclose(
            module.run_method("predict", inputs[0], inputs[1], inputs[2], inputs[3]).toTensor(),
            out[0].toTensor(), 1e-5, 1e-6));

        const auto nearest = [&](int steps, const char *checkpoint) {
            train::TrainOptions o = tinyOptions(path("objects.hdf5"), path(checkpoint));
            o.kind = "grids";
            o.sampler = "marks";
            o.budget = 2;
            o.steps = steps;
            o.objectWeight = 1.0;
            train::trainPolicy(o);
            return frontNearestToTarget(checkpoint, [](torch::jit::Module &m, const at::Tensor &images,
                                                       const c10::List<std::string> &instruction) {
                return m.run_method("sample", m.run_method("encode", images), std::int64_t(2),
                                    instruction)
                    .toTuple()
                    ->elements()[0]
                    .toTensor()[0][0];
            });
        };
        const double untrained = nearest(1, "marks-1.pt"), trained = nearest(80, "marks-80.pt");
        qInfo("nearest kept cell to the target: %.3f after 1 step, %.3f after 80", untrained,
              trained);
        QVERIFY(trained < 0.7 * untrained);
        // Loaded as any GridS checkpoint: the policy keeps cells at their centres.
        auto policy = Policy::load(path("marks-80.pt"));
        QCOMPARE(policy->info().sampler, std::string("marks"));
        auto file = openEpisodeFile(path("objects.hdf5"));
        const FrameResult r =
            policy->run(file->frame(0, 0), file->episodes()[0].views, "grids", 2, "m");
        for (const auto &xy : r.views[0].coords)
            QCOMPARE(std::fmod(xy[0] * 4, 1.0f), 0.5f);

        train::TrainOptions o = tinyOptions(path("objects.hdf5"), path("bad.pt"));
        o.kind = "grids";
        o.sampler = "marks";
        o.budget = 2;
        QVERIFY(fixtures::errorOf([&] { train::trainPolicy(o); }).contains("object readout"));
        o.objectWeight = 1.0;
        o.lookWeight = 1.0;
        QVERIFY(fixtures::errorOf([&] { train::trainPolicy(o); }).contains("marks ones do not move"));
    }

    // The encoder's context block: a far corner of the image reaches a cell's feature only
    // with it; grids.json records it and counts its FLOPs.
    void encoderContextSeesTheWholeImage()
    {
        train::ArchitectureConfig config = tinyDenseArchitecture();
        const auto cornerEffect = [&](const train::ArchitectureConfig &c) {
            torch::jit::Module module = train::buildPolicyModule(c, 7);
            torch::manual_seed(1);
            const at::Tensor images = torch::rand({1, 2, 3, 32, 32});
            at::Tensor changed = images.clone();
            changed.narrow(3, 28, 4).narrow(4, 28, 4).fill_(1.0); // bottom-right 4×4 pixels
            const auto topLeft = [&](const at::Tensor &x) {
                return module.run_method("encode", x).toTensor().select(2, 0).select(2, 0);
            };
            return (topLeft(changed) - topLeft(images)).abs().max().item<float>();
        };
        QCOMPARE(cornerEffect(config), 0.0f); // beyond the convolutions' reach
        config.encoderContext = true;
        QVERIFY(cornerEffect(config) > 1e-4);
        const auto json = nlohmann::json::parse(train::checkpointJson(config, "m", ""));
        QVERIFY(train::configFromJson(json.dump()).encoderContext);
        config.encoderContext = false;
        const auto plain = nlohmann::json::parse(train::checkpointJson(config, "m", ""));
        QVERIFY(json["encoder"]["flops_per_view"].get<double>() >
                plain["encoder"]["flops_per_view"].get<double>());
        QVERIFY(!train::configFromJson(plain.dump()).encoderContext);
    }

    void badRequestsAreRefused()
    {
        train::TrainOptions o = tinyOptions(path("tiny.hdf5"), path("bad.pt"));
        o.nestedMax = 32; // more than the 16 cells of a 4×4 grid
        QVERIFY(fixtures::errorOf([&] { train::trainPolicy(o); }).contains("exceeds"));
        o = tinyOptions(path("missing.hdf5"), path("bad.pt"));
        QVERIFY(fixtures::errorOf([&] { train::trainPolicy(o); }).contains("missing.hdf5"));
        QVERIFY(!QFile::exists(m_dir.filePath("bad.pt")));
        // Resuming needs a checkpoint of this architecture, not any contract checkpoint.
        fixtures::writeBytes(path("not-ours.pt"), "not a checkpoint");
        o = tinyOptions(path("tiny.hdf5"), path("bad.pt"));
        o.resume = path("not-ours.pt");
        QVERIFY(fixtures::errorOf([&] { train::trainPolicy(o); }).contains("cannot resume"));
        // More frames than memory: refused before loading, with what it needs.
        o = tinyOptions(path("tiny.hdf5"), path("bad.pt"));
        o.memoryLimit = std::int64_t(1) << 29;
        const QString tooBig = fixtures::errorOf([&] { train::trainPolicy(o); });
        QVERIFY2(tooBig.contains("16 frames needs about 1.1 GB") && tooBig.contains("0.5 GB"),
                 qPrintable(tooBig));
        o.memoryLimit = std::int64_t(2) << 30;
        o.steps = 1;
        train::trainPolicy(o);
        QVERIFY(QFile::exists(m_dir.filePath("bad.pt")));
    }

private:
    std::string path(const char *name) const { return m_dir.filePath(name).toStdString(); }

    // Over the first 8 frames of objects.hdf5's first episode, the mean distance (image-
    // normalised) from the target to the nearest of the front camera's points that `coordsOf`
    // gives ([K, 2]) for the checkpoint `checkpoint`.
    template<typename CoordsOf>
    double frontNearestToTarget(const char *checkpoint, CoordsOf coordsOf)
    {
        torch::jit::Module module = torch::jit::load(path(checkpoint));
        auto file = openEpisodeFile(path("objects.hdf5"));
        const Track where = *file->lowDim(0, libero::kTargetImagePos);
        double sum = 0;
        for (std::int64_t t = 0; t < 8; ++t) {
            const Frame frame = file->frame(0, t);
            at::Tensor images = torch::empty({1, 2, 3, 32, 32});
            for (int v = 0; v < 2; ++v)
                images[0][v].copy_(
                    torch::from_blob(frame.views[std::size_t(v)].data, {32, 32, 3}, at::kByte)
                        .permute({2, 0, 1})
                        .to(at::kFloat)
                        .div(255.0));
            const at::Tensor coords =
                coordsOf(module, images, c10::List<std::string>({frame.instruction}));
            const at::Tensor target = torch::tensor({where.at(t, 0), where.at(t, 1)});
            sum += (coords - target).pow(2).sum(-1).sqrt().min().item<double>();
        }
        return sum / 8;
    }
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestTrain)
#include "tst_train.moc"
