#include "train/trainer.h"

#include "common/error.h"
#include "common/hash.h"
#include "common/system_memory.h"
#include "episodes/episode.h"
#include "episodes/libero_layout.h"
#include "train/architecture.h"

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <torch/optim/adamw.h>
#include <torch/script.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <optional>
#include <random>
#include <utility>

namespace grids::train {
namespace {

using Clock = std::chrono::steady_clock;

// Memory a run needs besides its frames (libraries, model, batches, gradients): measured at
// about 3 GB for the tabletop architecture at batch 32; 1 GB is the least any run takes.
constexpr std::int64_t kWorkingMemoryBytes = std::int64_t(1) << 30;

std::string gigabytes(std::int64_t bytes)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.1f GB", double(bytes) / 1e9);
    return text;
}

struct Dataset
{
    at::Tensor images; // uint8 [N, V, H, W, 3]
    at::Tensor states; // float [N, S]
    at::Tensor chunks; // float [N, T, A]: the action of each frame and the T − 1 after it
    // float [N]: how much the action changes at each frame, mean |a_t − a_{t−1}| (a_{−1} = 0):
    // large where the expert starts, turns or grips, the frames a policy cannot predict by
    // continuing its own motion.
    at::Tensor actionChange;
    at::Tensor objects;        // float [N, 6]: target and reference positions (object readout only)
    at::Tensor imagePositions; // float [N, 2, V, 2]: their image positions per view (idem)
    std::vector<std::string> instructions; // per frame
    int episodes = 0;
};

// Reads every frame of every episode into memory (the tabletop data are small), resized to the
// architecture's square image size.
Dataset loadDataset(const TrainOptions &o,
                    ArchitectureConfig &config,
                    bool configFromData,
                    const Progress &progress)
{
    std::vector<std::unique_ptr<EpisodeFile>> files;
    std::int64_t total = 0;
    for (const auto &path : o.data) {
        files.push_back(openEpisodeFile(path));
        for (const auto &e : files.back()->episodes())
            total += e.length;
    }
    if (total == 0)
        throw usageError("no frames in the training data");
    const EpisodeInfo &first = files.front()->episodes().front();
    if (configFromData) {
        config.views.clear();
        for (const auto &v : first.views)
            config.views.push_back(v.name);
        config.stateKeys = first.stateKeys;
        config.stateDim = first.stateDim;
        config.actionDim = first.actionDim;
        const int side = first.views.front().width;
        config.imageSize =
            first.views.front().height == side && side % 8 == 0 && side >= 16 ? side : 128;
    }
    if (config.stateDim < 1 || config.actionDim < 1)
        throw badInput(files.front()->path() + ": training needs episodes with state and actions");
    const std::int64_t V = std::int64_t(config.views.size()), S = config.imageSize;
    // Refused up front rather than killed by the kernel an hour in: two runs on 84k frames each
    // (12.6 GB resident apiece) did not fit in 24 GB together.
    const std::int64_t perFrame =
        V * S * S * 3 + 4 * (config.stateDim + config.horizon * config.actionDim + 1 +
                             (o.objectWeight > 0 ? kObjectValues + 4 * V : 0));
    const std::int64_t needed = total * perFrame + kWorkingMemoryBytes;
    const auto limit = o.memoryLimit > 0 ? std::optional(o.memoryLimit) : availableMemoryBytes();
    if (limit && needed > *limit)
        throw Error(Error::Kind::Other,
                    "training on " + std::to_string(total) + " frames needs about " +
                        gigabytes(needed) + " of memory (every frame is held uncompressed), " +
                        "more than the " + gigabytes(*limit) +
                        " available: train on fewer demonstrations or free memory");
    Dataset d;
    d.images = torch::empty({total, V, S, S, 3}, at::kByte);
    d.states = torch::empty({total, config.stateDim});
    d.chunks = torch::empty({total, config.horizon, config.actionDim});
    d.actionChange = torch::empty({total});
    if (o.objectWeight > 0) {
        d.objects = torch::empty({total, kObjectValues});
        d.imagePositions = torch::empty({total, 2, V, 2});
    }
    std::int64_t n = 0;
    for (const auto &file : files) {
        for (std::size_t e = 0; e < file->episodes().size(); ++e) {
            const EpisodeInfo &info = file->episodes()[e];
            if (info.stateDim != config.stateDim || info.actionDim != config.actionDim)
                throw badInput(file->path() + ": " + info.key + " has state/action widths " +
                               std::to_string(info.stateDim) + "/" +
                               std::to_string(info.actionDim) + ", expected " +
                               std::to_string(config.stateDim) + "/" +
                               std::to_string(config.actionDim));
            std::vector<int> viewIndex;
            for (const auto &name : config.views) {
                const auto it = std::find_if(info.views.begin(), info.views.end(),
                                             [&](const ViewInfo &v) { return v.name == name; });
                if (it == info.views.end())
                    throw badInput(file->path() + ": " + info.key + " has no view " + name);
                viewIndex.push_back(int(it - info.views.begin()));
            }
            const Track actions = file->actions(e);
            std::vector<Track> objects, images;
            if (o.objectWeight > 0) {
                auto need = [&](const char *key, int cols) {
                    auto track = file->lowDim(e, key);
                    if (!track || track->cols != cols)
                        throw Error(Error::Kind::BadInput, "object_weight",
                                    file->path() + ": " + info.key + " has no obs/" + key +
                                        " (T, " + std::to_string(cols) +
                                        "), the object positions it trains on (grids "
                                        "make-dataset records them)");
                    return std::move(*track);
                };
                for (const char *key : {libero::kTargetPos, libero::kReferencePos})
                    objects.push_back(need(key, 3));
                // Image positions per camera, in the order the episode lists its cameras.
                for (const char *key : {libero::kTargetImagePos, libero::kReferenceImagePos})
                    images.push_back(need(key, 2 * int(info.views.size())));
            }
            for (std::int64_t t = 0; t < info.length; ++t, ++n) {
                const Frame frame = file->frame(e, t);
                for (std::int64_t v = 0; v < V; ++v) {
                    cv::Mat image = frame.views[std::size_t(viewIndex[std::size_t(v)])];
                    if (image.rows != S || image.cols != S)
                        cv::resize(image, image, cv::Size(int(S), int(S)), 0, 0, cv::INTER_AREA);
                    if (!image.isContinuous())
                        image = image.clone();
                    d.images[n][v].copy_(torch::from_blob(image.data, {S, S, 3}, at::kByte));
                }
                d.states[n].copy_(torch::from_blob(const_cast<float *>(frame.state.data()),
                                                   {config.stateDim}, at::kFloat));
                for (int k = 0; k < config.horizon; ++k) {
                    const std::int64_t row = std::min(t + k, info.length - 1);
                    d.chunks[n][k].copy_(torch::from_blob(
                        const_cast<float *>(actions.values.data() + row * actions.cols),
                        {config.actionDim}, at::kFloat));
                }
                double change = 0;
                for (int a = 0; a < config.actionDim; ++a) {
                    const double before = t > 0 ? actions.at(t - 1, a) : 0.0;
                    change += std::abs(actions.at(t, a) - before);
                }
                d.actionChange[n] = change / config.actionDim;
                for (std::size_t k = 0; k < objects.size(); ++k) {
                    d.objects[n]
                        .narrow(0, std::int64_t(3 * k), 3)
                        .copy_(torch::from_blob(objects[k].values.data() + t * 3, {3}, at::kFloat));
                    for (std::int64_t v = 0; v < V; ++v)
                        d.imagePositions[n][std::int64_t(k)][v].copy_(
                            torch::from_blob(images[k].values.data() + t * images[k].cols +
                                                 2 * viewIndex[std::size_t(v)],
                                             {2}, at::kFloat));
                }
                d.instructions.push_back(info.instruction);
            }
            ++d.episodes;
            progress(0, 1, "loading " + info.key);
        }
    }
    return d;
}

void setNormalisation(torch::jit::Module &module, const Dataset &d)
{
    const at::Tensor actions = d.chunks.reshape({-1, d.chunks.size(2)});
    module.attr("state_mean").toTensor().copy_(d.states.mean(0));
    module.attr("state_std").toTensor().copy_(d.states.std(0).clamp_min(1e-3));
    module.attr("action_mean").toTensor().copy_(actions.mean(0));
    module.attr("action_std").toTensor().copy_(actions.std(0).clamp_min(1e-3));
    if (d.objects.defined()) {
        module.attr("object_mean").toTensor().copy_(d.objects.mean(0));
        module.attr("object_std").toTensor().copy_(d.objects.std(0).clamp_min(1e-3));
    }
}

struct Batch
{
    at::Tensor images, states, targets;
    at::Tensor actionChange;   // [B]: Dataset::actionChange of each sample
    at::Tensor objects;        // [B, 6] normalised, when the data have them
    at::Tensor imagePositions; // [B, 2, V, 2]
    c10::List<std::string> instructions;
};

Batch makeBatch(const Dataset &d,
                const std::vector<std::int64_t> &indices,
                bool augment,
                std::mt19937_64 &rng,
                const torch::jit::Module &module)
{
    const at::Tensor index = torch::tensor(indices, at::kLong);
    at::Tensor images = d.images.index_select(0, index).to(at::kFloat).div_(255.0);
    const std::int64_t B = images.size(0), V = images.size(1), S = images.size(2);
    images = images.permute({0, 1, 4, 2, 3}).reshape({B * V, 3, S, S});
    if (augment) {
        // Random shifts of up to 4 px (edge pixels repeated), independently per image.
        const at::Tensor padded = at::replication_pad2d(images, {4, 4, 4, 4});
        std::uniform_int_distribution<int> shift(0, 8);
        at::Tensor shifted = torch::empty_like(images);
        for (std::int64_t i = 0; i < B * V; ++i)
            shifted[i].copy_(padded[i].narrow(1, shift(rng), S).narrow(2, shift(rng), S));
        images = shifted;
    }
    Batch batch;
    batch.images = images.reshape({B, V, 3, S, S}).contiguous();
    batch.states = d.states.index_select(0, index);
    const at::Tensor mean = module.attr("action_mean").toTensor();
    const at::Tensor std = module.attr("action_std").toTensor();
    batch.targets = (d.chunks.index_select(0, index) - mean) / std;
    batch.actionChange = d.actionChange.index_select(0, index);
    if (d.objects.defined()) {
        batch.objects = (d.objects.index_select(0, index) - module.attr("object_mean").toTensor()) /
                        module.attr("object_std").toTensor();
        batch.imagePositions = d.imagePositions.index_select(0, index);
    }
    for (auto i : indices)
        batch.instructions.push_back(d.instructions[std::size_t(i)]);
    return batch;
}

// Where object `o` (0 target, 1 reference) appears in view `v` ([B, 1, 2], image-normalised),
// and whether that is inside the image ([B]).
std::pair<at::Tensor, at::Tensor>
objectInView(const at::Tensor &imagePositions, std::int64_t o, std::int64_t v)
{
    const at::Tensor where = imagePositions.select(1, o).select(1, v).unsqueeze(1);
    return {where, (where.ge(0.0) & where.le(1.0)).all(-1).squeeze(1)};
}

// The marking loss: per view and object (target, reference), the divergence of the softmax
// of the tokens' mark logits over that view's tokens from a Gaussian (one grid cell wide) around
// where the object is in that image, normalised. Views where no token lies near the object (out of
// view, or no sampled GridS point near it) do not count. Image shifts move the objects by a few
// pixels; the labels keep where the simulator put them (within a cell).
at::Tensor markingLoss(const at::Tensor &marks,          // [B, N, 2]
                       const at::Tensor &coords,         // [B, N, 2], image-normalised
                       const at::Tensor &views,          // [B, N]
                       const at::Tensor &imagePositions, // [B, 2, V, 2]
                       int grid)
{
    const double sigma = 1.0 / grid;
    at::Tensor sum = torch::zeros({});
    std::int64_t count = 0;
    for (std::int64_t o = 0; o < 2; ++o) {
        const at::Tensor logits = marks.select(2, o);
        for (std::int64_t v = 0; v < imagePositions.size(2); ++v) {
            const at::Tensor inView = views.eq(v);
            const auto [where, visible] = objectInView(imagePositions, o, v);
            const at::Tensor d2 = (coords.detach() - where).pow(2).sum(-1);
            const at::Tensor labels =
                torch::exp(-d2 / (2 * sigma * sigma)) * inView * visible.unsqueeze(1);
            const at::Tensor mass = labels.sum(1);
            const at::Tensor valid = mass.gt(0.5);
            if (!valid.any().item<bool>())
                continue;
            const at::Tensor logProbabilities =
                torch::log_softmax(logits.masked_fill(inView.logical_not(), -1e9), 1);
            // KL divergence (cross-entropy less the labels' own entropy): 0 when learnt.
            const at::Tensor target = labels / mass.clamp_min(1e-6).unsqueeze(1);
            const at::Tensor divergence =
                (target * (torch::log(target.clamp_min(1e-12)) - logProbabilities)).sum(1);
            sum = sum + divergence.masked_select(valid).sum();
            count += valid.sum().item<std::int64_t>();
        }
    }
    return count > 0 ? sum / double(count) : sum;
}

// Where GridS looks (--look-weight): per view and object in that image, a soft minimum over the
// view's points of the squared distance to the object, in grid cells, so the nearest point is
// pulled towards it. The sampler's own gradient, through bilinear sampling, only reaches a
// point from the cells beside it.
at::Tensor lookingLoss(const at::Tensor &coords,         // [B, N, 2], image-normalised
                       const at::Tensor &views,          // [B, N]
                       const at::Tensor &imagePositions, // [B, 2, V, 2]
                       int grid)
{
    at::Tensor sum = torch::zeros({});
    std::int64_t count = 0;
    for (std::int64_t o = 0; o < 2; ++o)
        for (std::int64_t v = 0; v < imagePositions.size(2); ++v) {
            const auto [where, visible] = objectInView(imagePositions, o, v);
            if (!visible.any().item<bool>())
                continue;
            const at::Tensor cells2 = (coords - where).pow(2).sum(-1) * double(grid * grid);
            const at::Tensor far = cells2.masked_fill(views.ne(v), 1e6);
            const at::Tensor softMin = -torch::logsumexp(-far, 1); // [B]
            sum = sum + softMin.masked_select(visible).sum();
            count += visible.sum().item<std::int64_t>();
        }
    return count > 0 ? sum / double(count) : sum;
}

// Scales gradients so that their global L2 norm is at most `maxNorm` (stabilises early steps).
void clipGradientNorm(const std::vector<at::Tensor> &parameters, double maxNorm)
{
    double squared = 0;
    for (const auto &p : parameters)
        if (p.grad().defined())
            squared += p.grad().pow(2).sum().item<double>();
    const double norm = std::sqrt(squared);
    if (norm > maxNorm)
        for (const auto &p : parameters)
            if (p.grad().defined())
                p.grad().mul_(maxNorm / (norm + 1e-6));
}

// Nested budgets: K log-uniform in [1, K_max], so small budgets are trained as often as large.
int drawBudget(const ArchitectureConfig &c, std::mt19937_64 &rng)
{
    if (c.kind != "grids")
        return 0;
    if (!c.nested)
        return c.budgetDefault;
    std::uniform_real_distribution<double> u(0.0, std::log2(double(c.budgetMax)));
    return std::clamp(int(std::lround(std::exp2(u(rng)))), 1, c.budgetMax);
}

void save(torch::jit::Module &module,
          const ArchitectureConfig &config,
          const std::string &name,
          const nlohmann::json &trainFacts,
          const std::string &out)
{
    torch::jit::ExtraFilesMap extra{
        {"grids.json", checkpointJson(config, name, trainFacts.dump())}};
    const std::string partial = out + ".partial";
    module.save(partial, extra);
    std::error_code ec;
    std::filesystem::rename(partial, out, ec);
    if (ec)
        throw Error(Error::Kind::Other, out + ": cannot move the finished checkpoint into place");
}

} // namespace

TrainReport trainPolicy(const TrainOptions &o, const Progress &progress)
{
    // --steps 0 with --resume re-exports a checkpoint unchanged but for grids.json, which is
    // written as this version writes it (e.g. to add fields a newer version states).
    if (o.data.empty())
        throw settingError("data", "no training files given");
    if (o.out.empty())
        throw settingError("out", "no checkpoint to write given");
    if (o.steps < (o.resume.empty() ? 1 : 0))
        throw settingError("steps", "must be at least 1 (0 only when resuming)");
    if (o.batch < 1)
        throw settingError("batch", "must be at least 1");
    torch::manual_seed(o.seed);
    std::mt19937_64 rng(o.seed);

    ArchitectureConfig config;
    torch::jit::Module module;
    int previousSteps = 0;
    nlohmann::json previousTrain = nlohmann::json::object();
    const bool resuming = !o.resume.empty();
    if (resuming) {
        torch::jit::ExtraFilesMap extra{{"grids.json", ""}};
        try {
            module = torch::jit::load(o.resume, torch::kCPU, extra);
            if (!module.find_method("predict"))
                throw std::runtime_error("it was not written by grids train (no 'predict')");
            config = configFromJson(extra["grids.json"]);
            previousTrain =
                nlohmann::json::parse(extra["grids.json"]).value("train", previousTrain);
            previousSteps = previousTrain.value("steps", 0);
        } catch (const std::exception &e) {
            throw badInput(o.resume + ": cannot resume from it (" +
                           std::string(e.what()).substr(0, 200) + ")");
        }
    } else {
        config.kind = o.kind;
        config.tokenDim = o.tokenDim;
        config.layers = o.layers;
        config.heads = o.heads;
        config.horizon = o.horizon;
        config.instructionConditioned = o.instructionConditioned;
        config.instructionBinding = o.instructionBinding;
        config.encoderContext = o.encoderContext;
        config.maskedStateDims = o.maskedStateDims;
        config.objectReadout = o.objectWeight > 0;
        if (o.kind == "grids") {
            config.sampler = o.sampler;
            config.nested = o.nestedMax > 0;
            config.budgetMax = config.nested ? o.nestedMax : o.budget;
            config.budgetDefault = config.nested ? std::min(16, o.nestedMax) : o.budget;
        } else if (o.kind != "dense") {
            throw settingError("kind", "must be grids or dense (got " + o.kind + ")");
        }
    }
    if (!resuming && o.sampler != "learned" && o.kind != "grids")
        throw settingError("sampler", "is GridS's: it needs kind grids");
    if (o.lookWeight > 0 && (config.sampler == "pooled" || config.sampler == "marks"))
        throw settingError("look_weight", "moves coordinates, and " + config.sampler +
                                              " ones do not move");
    if (o.lookWeight > 0 && (o.objectWeight <= 0 || config.kind != "grids"))
        throw settingError("look_weight",
                           "needs GridS and an object weight (the object positions)");
    if (o.objectWeight > 0 && !config.objectReadout)
        throw settingError("object_weight", "needs a checkpoint trained with it, or a fresh one (" +
                                                o.resume + " has no object readout)");
    Dataset data = loadDataset(o, config, !resuming, progress);
    if (config.kind == "grids" && config.budgetMax > config.grid() * config.grid())
        throw usageError("budget " + std::to_string(config.budgetMax) + " exceeds the " +
                         std::to_string(config.grid() * config.grid()) + " cells of a view");
    if (!resuming) {
        module = buildPolicyModule(config, o.seed);
        setNormalisation(module, data);
    }

    std::vector<at::Tensor> parameters;
    for (const auto &p : module.parameters()) {
        p.set_requires_grad(true);
        parameters.push_back(p);
    }
    torch::optim::AdamW optimizer(
        parameters, torch::optim::AdamWOptions(o.learningRate).weight_decay(o.weightDecay));
    module.train();

    TrainReport report;
    report.episodes = data.episodes;
    report.frames = data.images.size(0);
    const int curveEvery = std::max(1, o.steps / 200);
    std::uniform_int_distribution<std::int64_t> pick(0, report.frames - 1);
    double curveSum = 0, headSum = 0, tailSum = 0, objectHeadSum = 0, objectTailSum = 0;
    int curveCount = 0, headCount = 0, tailCount = 0;
    const int edge = std::max(1, o.steps / 20);
    const auto start = Clock::now();
    bool cancelled = false;
    auto method = module.get_method("predict");
    std::optional<torch::jit::Method> withObjects;
    if (o.objectWeight > 0)
        withObjects = module.get_method("predict_with_objects");
    const std::string name = o.name.empty() ? std::filesystem::path(o.out).stem().string() : o.name;
    auto trainFacts = [&](int stepsDone) {
        return nlohmann::json{{"dataset", o.data},
                              {"episodes", report.episodes},
                              {"frames", report.frames},
                              {"steps", previousSteps + stepsDone},
                              {"batch", o.batch},
                              {"seed", o.seed},
                              {"learning_rate", o.learningRate},
                              {"augment", o.augment},
                              {"keyframe_weight", o.keyframeWeight},
                              {"object_weight", o.objectWeight},
                              {"look_weight", o.lookWeight}};
    };
    for (int step = 0; step < o.steps; ++step) {
        if (progress.cancelled()) {
            cancelled = true;
            break;
        }
        const double warm = std::min(1.0, double(step + 1) / double(std::max(1, o.warmup)));
        const double cosine = 0.1 + 0.9 * 0.5 * (1.0 + std::cos(M_PI * double(step) / o.steps));
        const double lr = o.learningRate * warm * cosine;
        for (auto &group : optimizer.param_groups())
            static_cast<torch::optim::AdamWOptions &>(group.options()).lr(lr);

        std::vector<std::int64_t> indices(static_cast<std::size_t>(o.batch));
        for (auto &i : indices)
            i = pick(rng);
        const Batch batch = makeBatch(data, indices, o.augment, rng, module);
        const int budget = drawBudget(config, rng);
        const std::vector<c10::IValue> inputs{batch.images, batch.states, batch.instructions,
                                              budget};
        at::Tensor predicted, objectLoss;
        if (o.objectWeight > 0) {
            const auto outputs = (*withObjects)(inputs).toTuple();
            const auto &out = outputs->elements();
            predicted = out[0].toTensor();
            objectLoss = (out[1].toTensor() - batch.objects).abs().mean() +
                         markingLoss(out[2].toTensor(), out[3].toTensor(), out[4].toTensor(),
                                     batch.imagePositions, config.grid());
            if (o.lookWeight > 0)
                objectLoss = objectLoss + o.lookWeight / o.objectWeight *
                                              lookingLoss(out[3].toTensor(), out[4].toTensor(),
                                                          batch.imagePositions, config.grid());
        } else {
            predicted = method(inputs).toTensor();
        }
        const at::Tensor error = (predicted - batch.targets).abs();
        at::Tensor loss;
        if (o.keyframeWeight > 0) {
            // A weighted mean: key frames weigh 1 + w · (action change), the others about 1.
            const at::Tensor weights = 1.0 + o.keyframeWeight * batch.actionChange;
            loss = (error.mean({1, 2}) * weights).sum() / weights.sum();
        } else {
            loss = error.mean();
        }
        // The curve and the reported losses stay the action's, comparable across runs.
        const double value = loss.item<double>();
        if (objectLoss.defined())
            loss = loss + o.objectWeight * objectLoss;
        optimizer.zero_grad();
        loss.backward();
        clipGradientNorm(parameters, 1.0);
        optimizer.step();

        curveSum += value;
        ++curveCount;
        const double objectValue = objectLoss.defined() ? objectLoss.item<double>() : 0.0;
        if (step < edge)
            headSum += value, objectHeadSum += objectValue, ++headCount;
        if (step >= o.steps - edge)
            tailSum += value, objectTailSum += objectValue, ++tailCount;
        if (curveCount == curveEvery || step == o.steps - 1) {
            report.curve.push_back({previousSteps + step + 1, curveSum / curveCount});
            report.learningRates.push_back(lr);
            curveSum = 0;
            curveCount = 0;
        }
        report.stepsDone = step + 1;
        if (o.saveEvery > 0 && report.stepsDone % o.saveEvery == 0 && report.stepsDone < o.steps)
            save(module, config, name, trainFacts(report.stepsDone), o.out);
        char what[80];
        if (objectLoss.defined())
            std::snprintf(what, sizeof what, "loss %.4f  objects %.3f", value, objectValue);
        else
            std::snprintf(what, sizeof what, "loss %.4f", value);
        progress(step + 1, o.steps, what);
    }
    report.secondsPerStep =
        std::chrono::duration<double>(Clock::now() - start).count() / std::max(1, report.stepsDone);
    report.initialLoss = headCount ? headSum / headCount : 0;
    report.initialObjectLoss = headCount ? objectHeadSum / headCount : 0;
    report.finalObjectLoss = tailCount ? objectTailSum / tailCount : 0;
    report.finalLoss = tailCount              ? tailSum / tailCount
                       : report.curve.empty() ? 0
                                              : report.curve.back().second;

    module.eval();
    for (auto &p : parameters)
        p.set_requires_grad(false);
    {
        // The trained module's answer on the first frame, to check the saved file against.
        torch::NoGradGuard noGrad;
        const Batch probe = makeBatch(data, {0}, false, rng, module);
        const at::Tensor normalised =
            method({probe.images, probe.states, probe.instructions, config.budgetDefault})
                .toTensor();
        const at::Tensor actions = (normalised * module.attr("action_std").toTensor() +
                                    module.attr("action_mean").toTensor())
                                       .contiguous();
        report.probeAction.assign(actions.data_ptr<float>(),
                                  actions.data_ptr<float>() + actions.numel());
    }
    nlohmann::json facts = trainFacts(report.stepsDone);
    facts["final_loss"] = report.finalLoss;
    if (o.objectWeight > 0)
        facts["final_object_loss"] = report.finalObjectLoss;
    if (resuming && report.stepsDone == 0) // a re-export: the weights were trained as before
        facts = previousTrain;
    save(module, config, name, facts, o.out);
    report.checkpointSha256 = sha256OfFile(o.out);
    if (cancelled)
        throw Error(Error::Kind::Cancelled, o.out + ": interrupted at step " +
                                                std::to_string(report.stepsDone) +
                                                "; the weights so far were saved");
    return report;
}

} // namespace grids::train
