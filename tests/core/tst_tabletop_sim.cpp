// The tabletop suite: determinism, an expert that solves every family, predicates that a random
// policy rarely satisfies, cameras that show the objects where the scene puts them, and dataset
// files that our reader and h5py (as LIBERO users read) both open.

#include "common/hash.h"
#include "episodes/episode.h"
#include "episodes/libero_layout.h"
#include "fixtures.h"
#include "sim/dataset_generation.h"
#include "sim/rollout.h"
#include "sim/scripted_expert.h"

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <future>

using namespace grids;
using namespace grids::sim;

namespace {

// Seeds the expert was not tuned on (tuning used 0–19).
constexpr std::uint64_t kHeldOutSeed = 1000;

// Successes of `policyFor` over `seeds` seeds of one family, in its own environment.
int successes(TaskFamily task, int seeds, bool expert)
{
    TabletopEnv env;
    int count = 0;
    for (int i = 0; i < seeds; ++i) {
        const TaskLayout layout = sampleLayout(task, kHeldOutSeed + std::uint64_t(i));
        RolloutOptions options;
        options.renderViews = false; // neither policy looks at the pictures
        const Policy policy = expert ? expertPolicy(env, layout, 7 + std::uint64_t(i))
                                     : randomPolicy(31 + std::uint64_t(i));
        count += runRollout(env, layout, policy, options).success ? 1 : 0;
    }
    return count;
}

// Which palette colour (or the table) a pixel looks like, by chromaticity, so lighting and
// shading do not matter.
std::string nearestColour(const cv::Vec3b &pixel)
{
    auto chroma = [](double r, double g, double b) {
        const double sum = std::max(r + g + b, 1e-6);
        return std::array<double, 3>{r / sum, g / sum, b / sum};
    };
    const auto p = chroma(pixel[0], pixel[1], pixel[2]);
    std::string best;
    double bestDistance = 1e9;
    std::vector<Colour> candidates = palette();
    candidates.push_back({"table", {0.62f, 0.5f, 0.38f}});
    for (const auto &c : candidates) {
        const auto q = chroma(c.rgb[0], c.rgb[1], c.rgb[2]);
        const double d = std::hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
        if (d < bestDistance) {
            bestDistance = d;
            best = c.name;
        }
    }
    return best;
}

std::string framesDigest(const DemoRecord &demo)
{
    std::string bytes;
    for (const auto &view : demo.frames)
        for (const auto &frame : view)
            bytes.append(reinterpret_cast<const char *>(frame.data), frame.total() * 3);
    bytes.append(reinterpret_cast<const char *>(demo.actions.values.data()),
                 demo.actions.values.size() * sizeof(float));
    return sha256OfBytes(bytes);
}

} // namespace

class TestTabletopSim : public QObject
{
    Q_OBJECT

private slots:
    void layoutsAreDeterministicAndNeedTheInstruction()
    {
        for (TaskFamily task : allTaskFamilies()) {
            const TaskLayout a = sampleLayout(task, 42), b = sampleLayout(task, 42);
            QCOMPARE(a.instruction, b.instruction);
            QCOMPARE(a.objects.size(), b.objects.size());
            for (std::size_t i = 0; i < a.objects.size(); ++i)
                QCOMPARE(a.objects[i].xy, b.objects[i].xy);
            // A distractor shares a colour or a shape with the target: the image alone, or the
            // instruction alone, does not say which object to move.
            const auto &target = a.objects[std::size_t(a.target)];
            const auto &distractor = a.objects[std::size_t(a.distractor)];
            QVERIFY(target.shape == distractor.shape ||
                    target.colour.name == distractor.colour.name);
            QVERIFY(sampleLayout(task, 43).objects[0].xy != a.objects[0].xy);
        }
    }

    void sameSeedGivesIdenticalFramesAndActions()
    {
        const TaskLayout layout = sampleLayout(TaskFamily::PickPlace, 5);
        RolloutOptions options;
        options.record = true;
        options.maxSteps = 25;
        std::string digests[2];
        for (auto &digest : digests) {
            TabletopEnv env; // a fresh simulator and GL context each time
            const RolloutResult result =
                runRollout(env, layout, expertPolicy(env, layout, 9), options);
            QCOMPARE(result.episode->actions.rows, 25);
            digest = framesDigest(*result.episode);
        }
        QCOMPARE(digests[0], digests[1]);
    }

    void expertSolvesEveryFamily()
    {
        // Two families per core, on held-out seeds.
        constexpr int kSeeds = 20;
        std::vector<std::future<int>> runs;
        for (TaskFamily task : allTaskFamilies())
            runs.push_back(std::async(std::launch::async, successes, task, kSeeds, true));
        for (std::size_t i = 0; i < runs.size(); ++i) {
            const int solved = runs[i].get();
            qInfo("%s: expert %d/%d", taskName(allTaskFamilies()[i]).c_str(), solved, kSeeds);
            QVERIFY2(solved >= 19,
                     qPrintable(QString::fromStdString(taskName(allTaskFamilies()[i]))));
        }
    }

    // The expert slows down over the last 5 cm: its command is proportional to the distance
    // left, so a demonstration's action says how far the object is, not only on which side.
    void expertSlowsDownNearItsWaypoint()
    {
        const TaskLayout layout = sampleLayout(TaskFamily::PickPlace, 11);
        const auto target = std::size_t(layout.target);
        SimState state;
        for (std::size_t i = 0; i < layout.objects.size(); ++i)
            state.objectPos.push_back({layout.objects[i].xy[0], layout.objects[i].xy[1], 0.02});
        state.objectSpeed.assign(layout.objects.size(), 0.0);
        const auto approachFrom = [&](double dx) {
            ScriptedExpert expert(layout, 1, /*noise=*/0.0);
            state.eePos = {state.objectPos[target][0] - dx, state.objectPos[target][1], 0.12};
            return expert.act(state);
        };
        QCOMPARE(approachFrom(0.20)[0], 1.0f); // far: full speed
        QCOMPARE(approachFrom(0.06)[0], 1.0f);
        QCOMPARE(approachFrom(0.03)[0], 0.6f);  // 3 cm left: 60 % of full speed
        QCOMPARE(approachFrom(0.015)[0], 0.3f); // what once was still full speed
        QCOMPARE(approachFrom(-0.02)[0], -0.4f);
        QCOMPARE(approachFrom(0.03)[1], 0.0f);  // no offset along y, no motion along y
        QCOMPARE(approachFrom(0.03)[6], -1.0f); // open while approaching

        // The first, dead-beat expert (make-dataset --expert-slow-down 0.015).
        ScriptedExpert deadBeat(layout, 1, 0.0, TabletopEnv::kMaxStep);
        state.eePos = {state.objectPos[target][0] - 0.03, state.objectPos[target][1], 0.12};
        QCOMPARE(deadBeat.act(state)[0], 1.0f);
    }

    void randomPolicyRarelySucceeds()
    {
        constexpr int kSeeds = 10;
        int total = 0;
        for (TaskFamily task : allTaskFamilies()) {
            const int solved = successes(task, kSeeds, false);
            qInfo("%s: random %d/%d", taskName(task).c_str(), solved, kSeeds);
            QVERIFY(solved <= 1);
            total += solved;
        }
        QVERIFY(total <= 2);

        // A failed rollout can be recorded too, as an episode marked unsuccessful.
        TabletopEnv env;
        RolloutOptions record;
        record.record = true;
        record.maxSteps = 20;
        const RolloutResult failed =
            runRollout(env, sampleLayout(TaskFamily::PickPlace, 77), randomPolicy(5), record);
        QVERIFY(!failed.success);
        QCOMPARE(failed.episode->success, std::optional<bool>(false));
        QCOMPARE(failed.episode->actions.rows, std::int64_t(20));
        QCOMPARE(failed.episode->frames[0].size(), std::size_t(20));
    }

    void camerasShowTheObjectsWhereTheSceneHasThem()
    {
        TabletopEnv env;
        for (TaskFamily task : allTaskFamilies()) {
            for (std::uint64_t seed : {3, 4}) {
                const TaskLayout layout = sampleLayout(task, seed);
                env.reset(layout);
                const Observation obs = env.observe();
                QCOMPARE(int(obs.views.size()), 2);
                const SimState state = env.simState();
                int movable = 0, seenAgent = 0, seenHand = 0;
                for (std::size_t i = 0; i < layout.objects.size(); ++i) {
                    if (!layout.objects[i].movable())
                        continue;
                    ++movable;
                    for (int view = 0; view < 2; ++view) {
                        const auto where = env.project(view, state.objectPos[i]);
                        if (!where || (*where)[0] < 0.02 || (*where)[0] > 0.98 ||
                            (*where)[1] < 0.02 || (*where)[1] > 0.98)
                            continue;
                        const cv::Vec3b pixel = obs.views[std::size_t(view)].at<cv::Vec3b>(
                            int((*where)[1] * 128), int((*where)[0] * 128));
                        if (nearestColour(pixel) == layout.objects[i].colour.name)
                            ++(view == 0 ? seenAgent : seenHand);
                    }
                }
                // The gripper may hide one object from the front camera at the start.
                QVERIFY2(seenAgent >= movable - 1,
                         qPrintable(QString("%1 seed %2: %3 of %4 objects seen")
                                        .arg(QString::fromStdString(taskName(task)))
                                        .arg(seed)
                                        .arg(seenAgent)
                                        .arg(movable)));
                QVERIFY(seenHand >= 0);
                cv::Scalar mean, stddev;
                cv::meanStdDev(obs.views[1], mean, stddev);
                QVERIFY(stddev[0] + stddev[1] + stddev[2] > 20); // not a blank wrist image
            }
        }
    }

    void bundledDemoRegeneratesFromItsCommand()
    {
        // datasets/tabletop/README.md: make-dataset --suite tabletop --episodes 16 --seed 2026
        auto bundled = openEpisodeFile(GRIDS_DATASETS_DIR "/tabletop/tabletop_demo.hdf5");
        QCOMPARE(int(bundled->episodes().size()), 16);
        const auto &first = bundled->episodes()[0];
        const TaskLayout layout =
            sampleLayout(TaskFamily::PickPlace, episodeSeed(2026, TaskFamily::PickPlace, 0));
        QCOMPARE(first.instruction, layout.instruction);

        TabletopEnv env;
        RolloutOptions record;
        record.record = true;
        const RolloutResult again =
            runRollout(env, layout, expertPolicy(env, layout, layout.seed ^ 0x5EEDull), record);
        QVERIFY(again.success);
        QCOMPARE(std::int64_t(again.steps), first.length);
        const Track actions = bundled->actions(0);
        QCOMPARE(actions.values, again.episode->actions.values);
        // Physics is bit-exact; the software rasteriser may round a shade differently on another
        // CPU, so frames may differ by a level or two, never in content.
        for (std::int64_t t = 0; t < first.length; t += 7) {
            const Frame frame = bundled->frame(0, t);
            for (std::size_t v = 0; v < 2; ++v)
                QVERIFY(cv::norm(frame.views[v], again.episode->frames[v][std::size_t(t)],
                                 cv::NORM_INF) <= 3.0);
        }
    }

    // DART data collection: the environment runs the perturbed action, the recording keeps
    // the policy's. Here the perturbation cancels all motion: the gripper stays where it
    // started while every recorded action is the policy's push to +x.
    void perturbedRolloutsRecordThePolicysActions()
    {
        TabletopEnv env;
        RolloutOptions options;
        options.record = true;
        options.maxSteps = 12;
        options.perturbExecuted = [](const Action &) { return Action{}; };
        Action push{};
        push[0] = 1.0f;
        const Policy pushing = [push](const Observation &, const std::string &) {
            return std::vector<Action>{push};
        };
        const RolloutResult result =
            runRollout(env, sampleLayout(TaskFamily::LiftRelative, 5), pushing, options);
        const Track &actions = result.episode->actions;
        QCOMPARE(actions.rows, std::int64_t(12));
        for (std::int64_t t = 0; t < actions.rows; ++t)
            QCOMPARE(actions.row(t).front(), 1.0f);
        const Track &ee = result.episode->lowDim[0].second; // ee_pos
        QVERIFY(std::abs(ee.row(11)[0] - ee.row(0)[0]) < 1e-3);
        // Without the perturbation the same policy moves the gripper along +x.
        options.perturbExecuted = nullptr;
        const RolloutResult moved =
            runRollout(env, sampleLayout(TaskFamily::LiftRelative, 5), pushing, options);
        QVERIFY(moved.episode->lowDim[0].second.row(11)[0] - ee.row(0)[0] > 0.05);
    }

    // make-dataset --perturb: still only successful, reproducible demonstrations, on other
    // paths than without it.
    void perturbedDatasetsAreReproducibleAndDiffer()
    {
        QTemporaryDir dir;
        bool allSucceeded = true;
        auto make = [&](const QString &name, double perturbation, int threads) {
            DatasetOptions options;
            options.tasks = {TaskFamily::LiftRelative};
            options.episodes = 2;
            options.seed = 4;
            options.threads = threads;
            options.perturbation = perturbation;
            options.out = dir.filePath(name).toStdString();
            makeDataset(options);
            auto file = openEpisodeFile(options.out);
            std::vector<float> states;
            for (std::size_t e = 0; e < file->episodes().size(); ++e) {
                allSucceeded = allSucceeded && file->episodes()[e].success == true;
                for (std::int64_t t = 0; t < file->episodes()[e].length; ++t) {
                    const auto frame = file->frame(e, t);
                    states.insert(states.end(), frame.state.begin(), frame.state.end());
                }
            }
            return states;
        };
        const auto plain = make("plain.hdf5", 0.0, 1);
        const auto dart = make("dart.hdf5", 0.5, 1);
        QCOMPARE(make("dart2.hdf5", 0.5, 2), dart);
        QVERIFY(plain != dart);
        QVERIFY(allSucceeded);
    }

    void datasetFilesOpenInOurReaderAndInH5py()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("tabletop.hdf5").toStdString();
        DatasetOptions options;
        options.tasks = {TaskFamily::PushToZone, TaskFamily::LiftRelative};
        options.episodes = 3;
        options.seed = 11;
        options.out = path;
        int reports = 0;
        Progress progress;
        progress.report = [&](std::int64_t, std::int64_t total, const std::string &) {
            ++reports;
            QCOMPARE(total, std::int64_t(3));
        };
        const DatasetReport report = makeDataset(options, progress);
        QCOMPARE(report.written, 3);
        QCOMPARE(reports, 3);

        auto file = openEpisodeFile(path);
        const auto &episodes = file->episodes();
        QCOMPARE(int(episodes.size()), 3);
        for (const auto &e : episodes) {
            QCOMPARE(e.views.size(), std::size_t(2));
            QCOMPARE(e.views[0].name, std::string("agentview_rgb"));
            QCOMPARE(e.views[1].width, 128);
            QCOMPARE(e.stateDim, 8);
            QCOMPARE(e.actionDim, 7);
            QCOMPARE(e.success, std::optional<bool>(true));
        }
        QVERIFY(episodes[0].instruction.rfind("push the ", 0) == 0);
        QVERIFY(episodes[2].instruction.rfind("pick up the cube ", 0) == 0);

        // The episode written is the episode the expert recorded for that seed.
        TabletopEnv env;
        const TaskLayout layout =
            sampleLayout(TaskFamily::LiftRelative, episodeSeed(11, TaskFamily::LiftRelative, 0));
        RolloutOptions record;
        record.record = true;
        const RolloutResult again =
            runRollout(env, layout, expertPolicy(env, layout, layout.seed ^ 0x5EEDull), record);
        QCOMPARE(again.steps, int(episodes[2].length));
        const Frame last = file->frame(2, episodes[2].length - 1);
        QCOMPARE(cv::norm(last.views[1], again.episode->frames[1].back(), cv::NORM_INF), 0.0);
        QCOMPARE(last.action, again.episode->actions.row(again.episode->actions.rows - 1));

        // Where the instruction's objects are, per frame, beside (not in) the state: the target
        // cube starts where the layout put it and ends lifted; the reference is the plate.
        QCOMPARE(episodes[2].stateKeys,
                 (std::vector<std::string>{"ee_pos", "ee_ori", "gripper_states"}));
        const auto target = file->lowDim(2, libero::kTargetPos);
        const auto reference = file->lowDim(2, libero::kReferencePos);
        QVERIFY(target && reference);
        QCOMPARE(target->rows, episodes[2].length);
        QCOMPARE(target->cols, 3);
        const auto &cube = layout.objects[std::size_t(layout.target)];
        QVERIFY(std::abs(target->at(0, 0) - cube.xy[0]) < 1e-3);
        QVERIFY(std::abs(target->at(0, 1) - cube.xy[1]) < 1e-3);
        QVERIFY(target->at(target->rows - 1, 2) > target->at(0, 2) + 0.05);
        const auto &plate = layout.objects[std::size_t(referenceObject(layout))];
        QVERIFY(plate.shape == Shape::Plate);
        QVERIFY(std::abs(reference->at(reference->rows - 1, 0) - plate.xy[0]) < 1e-3);
        QVERIFY(std::abs(reference->at(reference->rows - 1, 1) - plate.xy[1]) < 1e-3);
        QVERIFY(!file->lowDim(2, "no_such_key"));
        // Their image positions: where the cameras project the recorded world positions (at the
        // first frame the wrist camera is where a reset puts it), and the front camera shows the
        // target's colour there (both cubes of "left of the plate" share it).
        const auto targetImage = file->lowDim(2, libero::kTargetImagePos);
        const auto referenceImage = file->lowDim(2, libero::kReferenceImagePos);
        QVERIFY(targetImage && referenceImage);
        QCOMPARE(targetImage->cols, 4); // (x, y) in each of the two cameras
        env.reset(layout);
        for (const auto &[image, world] :
             {std::pair{&*targetImage, &*target}, std::pair{&*referenceImage, &*reference}})
            for (int view = 0; view < 2; ++view) {
                const auto where =
                    env.project(view, {world->at(0, 0), world->at(0, 1), world->at(0, 2)});
                QVERIFY(where);
                QVERIFY(std::abs(image->at(0, 2 * view) - (*where)[0]) < 1e-3);
                QVERIFY(std::abs(image->at(0, 2 * view + 1) - (*where)[1]) < 1e-3);
            }
        const float x = targetImage->at(0, 0), y = targetImage->at(0, 1);
        QVERIFY(x > 0 && x < 1 && y > 0 && y < 1);
        const cv::Vec3b pixel =
            file->frame(2, 0).views[0].at<cv::Vec3b>(int(y * 128), int(x * 128));
        QCOMPARE(nearestColour(pixel), cube.colour.name);

        const auto python =
            fixtures::runPythonScript("read_sim_dataset.py", {QString::fromStdString(path)});
        QVERIFY2(python.ok, python.err.constData());
        const auto seen = nlohmann::json::parse(python.out.toStdString());
        QCOMPARE(seen["demos"].size(), std::size_t(3));
        QCOMPARE(seen["instructions"][2].get<std::string>(), episodes[2].instruction);
        QCOMPARE(seen["lengths"][1].get<int>(), int(episodes[1].length));
    }
};

QTEST_GUILESS_MAIN(TestTabletopSim)
#include "tst_tabletop_sim.moc"
