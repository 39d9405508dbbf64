#include "model/policy.h"

#include "common/error.h"
#include "common/hash.h"

#include <ATen/Parallel.h>
#include <opencv2/imgproc.hpp>
#include <torch/cuda.h>
#include <torch/script.h>

#include <chrono>
#include <filesystem>
#include <list>
#include <mutex>
#include <sstream>
#include <thread>
#include <unordered_map>

namespace grids {
namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string firstLine(const std::string &text)
{
    const auto end = text.find('\n');
    return end == std::string::npos ? text : text.substr(0, end);
}

std::string shapeText(const at::IntArrayRef &sizes)
{
    std::ostringstream out;
    out << "[";
    for (std::size_t i = 0; i < sizes.size(); ++i)
        out << (i ? ", " : "") << sizes[i];
    return out.str() + "]";
}

std::string shapeText(const std::vector<std::int64_t> &sizes)
{
    return shapeText(at::IntArrayRef(sizes));
}

// Unpacks a method's (Tensor, Tensor) result, naming the method when it returns something else.
std::pair<at::Tensor, at::Tensor>
tensorPair(const c10::IValue &value, const std::string &method, const std::string &path)
{
    if (!value.isTuple() || value.toTuple()->elements().size() != 2 ||
        !value.toTuple()->elements()[0].isTensor() || !value.toTuple()->elements()[1].isTensor())
        throw badInput(path + ": method '" + method + "' must return a tuple of two tensors");
    const auto &elements = value.toTuple()->elements();
    return {elements[0].toTensor(), elements[1].toTensor()};
}

void expectShape(const at::Tensor &tensor,
                 const std::vector<std::int64_t> &shape,
                 const std::string &what,
                 const std::string &path)
{
    if (tensor.sizes() != at::IntArrayRef(shape))
        throw badInput(path + ": " + what + " has shape " + shapeText(tensor.sizes()) +
                       ", the contract and grids.json want " + shapeText(shape));
}

// Encoder outputs by frame, least recently used evicted first, bounded in bytes.
class FeatureCache
{
public:
    explicit FeatureCache(std::size_t capacityBytes)
        : m_capacity(capacityBytes)
    {}

    const at::Tensor *find(const std::string &key)
    {
        const auto it = m_index.find(key);
        if (it == m_index.end())
            return nullptr;
        m_order.splice(m_order.begin(), m_order, it->second);
        return &it->second->second;
    }

    void insert(const std::string &key, const at::Tensor &features)
    {
        const std::size_t bytes = std::size_t(features.numel()) * features.element_size();
        if (bytes > m_capacity)
            return;
        m_order.emplace_front(key, features);
        m_index[key] = m_order.begin();
        m_bytes += bytes;
        while (m_bytes > m_capacity) {
            const auto &last = m_order.back();
            m_bytes -= std::size_t(last.second.numel()) * last.second.element_size();
            m_index.erase(last.first);
            m_order.pop_back();
        }
    }

    std::size_t size() const { return m_order.size(); }

private:
    std::size_t m_capacity, m_bytes = 0;
    std::list<std::pair<std::string, at::Tensor>> m_order;
    std::unordered_map<std::string, std::list<std::pair<std::string, at::Tensor>>::iterator>
        m_index;
};

class TorchPolicy final : public Policy
{
public:
    TorchPolicy(const std::string &path, const std::string &device, std::size_t cacheBytes)
        : m_device(device == "cuda" ? torch::kCUDA : torch::kCPU)
        , m_cache(cacheBytes)
    {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec))
            throw badInput(path + ": no such checkpoint file");
        torch::jit::ExtraFilesMap extra{{"grids.json", ""}};
        try {
            m_module = torch::jit::load(path, m_device, extra);
        } catch (const std::exception &e) {
            throw badInput(path + ": not a TorchScript checkpoint (" + firstLine(e.what()) + ")");
        }
        if (extra["grids.json"].empty())
            throw badInput(path + ": no grids.json inside (not a grids-checkpoint)");
        m_info = parseCheckpointJson(path, extra["grids.json"]);
        m_info.sha256 = sha256OfFile(path);
        for (const char *method : {"encode", "act", "sample", "embed_instruction"})
            if (m_module.find_method(method))
                m_info.methods.push_back(method);
        for (const char *required : {"encode", "act"})
            if (!m_info.hasMethod(required))
                throw badInput(path + ": missing method '" + required +
                               "' (required by the grids-checkpoint contract)");
        if (m_info.isGrids() && !m_info.hasMethod("sample"))
            throw badInput(path + ": missing method 'sample' (required of kind \"grids\")");
        for (const auto &parameter : m_module.parameters())
            m_info.parameters += parameter.numel();
        m_module.eval();
        probe();
    }

    const CheckpointInfo &info() const override { return m_info; }
    std::size_t cachedFrames() const override { return m_cache.size(); }
    std::size_t encoderCalls() const override { return m_encoderCalls; }

    FrameResult run(const Frame &frame,
                    const std::vector<ViewInfo> &frameViews,
                    const std::string &method,
                    int budget,
                    const std::string &cacheKey) override
    {
        try {
            return runUnguarded(frame, frameViews, method, budget, cacheKey);
        } catch (const Error &) {
            throw;
        } catch (const std::exception &e) {
            throw badInput(m_info.path + ": the checkpoint failed on this frame (" +
                           firstLine(e.what()) + ")");
        }
    }

private:
    std::int64_t V() const { return std::int64_t(m_info.views.size()); }
    at::TensorOptions floats() const { return at::TensorOptions(at::kFloat).device(m_device); }

    c10::IValue call(const char *method, std::vector<c10::IValue> inputs)
    {
        try {
            return m_module.get_method(method)(std::move(inputs));
        } catch (const std::exception &e) {
            throw badInput(m_info.path + ": method '" + method + "' failed (" +
                           firstLine(e.what()) + ")");
        }
    }

    c10::List<std::string> instructionList(const std::string &instruction) const
    {
        c10::List<std::string> list;
        list.push_back(instruction);
        return list;
    }

    // Calls every method once with the documented shapes, so that a checkpoint that breaks the
    // contract is refused now, with a message, rather than on some frame later.
    void probe()
    {
        torch::NoGradGuard noGrad;
        const auto &i = m_info;
        const std::string &path = i.path;
        const at::Tensor images = torch::zeros({1, V(), 3, i.imageHeight, i.imageWidth}, floats());
        const c10::IValue encoded = call("encode", {images});
        if (!encoded.isTensor())
            throw badInput(path + ": method 'encode' must return a tensor");
        expectShape(encoded.toTensor(), {1, V(), i.gridHeight, i.gridWidth, i.tokenDim},
                    "encode's output", path);
        if (i.isGrids()) {
            const auto [coords, tokens] = tensorPair(
                call("sample", {encoded.toTensor(), i.budgetDefault, instructionList("probe")}),
                "sample", path);
            expectShape(coords, {1, V(), i.budgetDefault, 2}, "sample's coords", path);
            expectShape(tokens, {1, V(), i.budgetDefault, i.tokenDim}, "sample's tokens", path);
        }
        const std::int64_t n = 3;
        const auto [actions, attention] = tensorPair(
            call("act",
                 {torch::zeros({1, n, i.tokenDim}, floats()), torch::full({1, n, 2}, 0.5, floats()),
                  torch::zeros({1, n}, at::TensorOptions(at::kLong).device(m_device)),
                  instructionList("probe"), torch::zeros({1, i.stateDim}, floats())}),
            "act", path);
        expectShape(actions, {1, i.actionHorizon, i.actionDim}, "act's actions", path);
        expectShape(attention, {1, n}, "act's attention", path);
    }

    // Which frame view feeds which checkpoint view: by name; a lone view that matches no name
    // takes the checkpoint's first view.
    std::vector<std::pair<int, int>> matchViews(const std::vector<ViewInfo> &frameViews,
                                                bool &missing) const
    {
        std::vector<std::pair<int, int>> pairs; // (checkpoint view, frame view)
        for (int c = 0; c < int(V()); ++c)
            for (int f = 0; f < int(frameViews.size()); ++f)
                if (frameViews[std::size_t(f)].name == m_info.views[std::size_t(c)])
                    pairs.push_back({c, f});
        if (pairs.empty() && frameViews.size() == 1)
            pairs.push_back({0, 0});
        if (pairs.empty()) {
            std::string names;
            for (const auto &v : frameViews)
                names += (names.empty() ? "" : ", ") + v.name;
            throw usageError(m_info.path + ": none of the episode's views (" + names +
                             ") is one the checkpoint was trained on");
        }
        missing = int(pairs.size()) < int(V());
        return pairs;
    }

    at::Tensor encode(const Frame &frame,
                      const std::vector<std::pair<int, int>> &pairs,
                      const std::string &cacheKey,
                      FrameResult &result)
    {
        std::string key;
        if (!cacheKey.empty()) {
            key = cacheKey;
            for (const auto &[c, f] : pairs)
                key += "|" + std::to_string(c) + ":" + std::to_string(f);
            if (const at::Tensor *hit = m_cache.find(key)) {
                result.encodeCached = true;
                return *hit;
            }
        }
        const auto start = Clock::now();
        const int H = m_info.imageHeight, W = m_info.imageWidth;
        at::Tensor images = torch::empty({1, std::int64_t(pairs.size()), 3, H, W});
        for (std::size_t k = 0; k < pairs.size(); ++k) {
            cv::Mat view = frame.views.at(std::size_t(pairs[k].second));
            if (view.rows != H || view.cols != W)
                cv::resize(view, view, cv::Size(W, H), 0, 0, cv::INTER_AREA);
            cv::Mat asFloat;
            view.convertTo(asFloat, CV_32FC3, 1.0 / 255.0);
            const at::Tensor hwc = torch::from_blob(asFloat.data, {H, W, 3}, at::kFloat);
            images[0][std::int64_t(k)].copy_(hwc.permute({2, 0, 1}));
        }
        const c10::IValue out = call("encode", {images.to(m_device)});
        at::Tensor features = out.toTensor().contiguous();
        expectShape(
            features,
            {1, std::int64_t(pairs.size()), m_info.gridHeight, m_info.gridWidth, m_info.tokenDim},
            "encode's output", m_info.path);
        ++m_encoderCalls;
        result.encodeMs = msSince(start);
        if (!key.empty())
            m_cache.insert(key, features);
        return features;
    }

    FrameResult runUnguarded(const Frame &frame,
                             const std::vector<ViewInfo> &frameViews,
                             const std::string &method,
                             int budget,
                             const std::string &cacheKey)
    {
        torch::NoGradGuard noGrad;
        FrameResult result;
        result.method = method;
        bool missingViews = false;
        const auto pairs = matchViews(frameViews, missingViews);
        const at::Tensor features = encode(frame, pairs, cacheKey, result);
        const std::int64_t Vf = std::int64_t(pairs.size());
        const int h = m_info.gridHeight, w = m_info.gridWidth, C = m_info.tokenDim;

        auto start = Clock::now();
        at::Tensor tokens, coords;
        if (method == "dense") {
            result.budget = h * w;
            tokens = features.reshape({1, Vf * h * w, C});
            coords = cellCentres().to(m_device).repeat({1, Vf, 1});
        } else if (method == "grids") {
            if (!m_info.isGrids())
                throw usageError(m_info.path +
                                 ": method grids needs a GridS checkpoint (this one "
                                 "is kind \"" +
                                 m_info.kind + "\")");
            if (budget < 1 || budget > m_info.budgetMax)
                throw usageError("budget " + std::to_string(budget) + " outside 1.." +
                                 std::to_string(m_info.budgetMax) + " for " + m_info.path);
            result.budget = budget;
            const auto [sampledCoords, sampledTokens] =
                tensorPair(call("sample", {features, budget, instructionList(frame.instruction)}),
                           "sample", m_info.path);
            expectShape(sampledCoords, {1, Vf, budget, 2}, "sample's coords", m_info.path);
            expectShape(sampledTokens, {1, Vf, budget, C}, "sample's tokens", m_info.path);
            coords = sampledCoords.reshape({1, Vf * budget, 2});
            tokens = sampledTokens.reshape({1, Vf * budget, C});
        } else {
            throw usageError("unknown or unavailable method '" + method +
                             "' (available: dense, grids)");
        }
        const std::int64_t perView = tokens.size(1) / Vf;
        at::Tensor viewIds = torch::empty({1, Vf * perView}, at::kLong);
        for (std::int64_t k = 0; k < Vf; ++k)
            viewIds.narrow(1, k * perView, perView).fill_(pairs[std::size_t(k)].first);
        result.selectMs = msSince(start);

        start = Clock::now();
        at::Tensor state = torch::zeros({1, m_info.stateDim});
        const bool stateOk = int(frame.state.size()) == m_info.stateDim;
        if (stateOk)
            state.copy_(torch::from_blob(const_cast<float *>(frame.state.data()),
                                         {1, m_info.stateDim}, at::kFloat));
        result.missingInputs = missingViews || !stateOk;
        const auto [actions, attention] =
            tensorPair(call("act", {tokens, coords, viewIds.to(m_device),
                                    instructionList(frame.instruction), state.to(m_device)}),
                       "act", m_info.path);
        expectShape(actions, {1, m_info.actionHorizon, m_info.actionDim}, "act's actions",
                    m_info.path);
        expectShape(attention, {1, tokens.size(1)}, "act's attention", m_info.path);
        result.actMs = msSince(start);

        const at::Tensor coordsCpu = coords.to(torch::kCPU).contiguous();
        const float *xy = coordsCpu.data_ptr<float>();
        for (std::int64_t k = 0; k < Vf; ++k) {
            ViewSelection selection;
            selection.view = m_info.views[std::size_t(pairs[std::size_t(k)].first)];
            for (std::int64_t t = 0; t < perView; ++t) {
                const float *p = xy + 2 * (k * perView + t);
                selection.coords.push_back({p[0], p[1]});
                if (method == "dense")
                    selection.cells.push_back(int(t));
            }
            result.views.push_back(std::move(selection));
        }
        const at::Tensor attentionCpu = attention.to(torch::kCPU).contiguous().to(at::kFloat);
        result.attention.assign(attentionCpu.data_ptr<float>(),
                                attentionCpu.data_ptr<float>() + attentionCpu.numel());
        const at::Tensor actionsCpu = actions.to(torch::kCPU).contiguous().to(at::kFloat);
        result.actions.rows = m_info.actionHorizon;
        result.actions.cols = m_info.actionDim;
        result.actions.values.assign(actionsCpu.data_ptr<float>(),
                                     actionsCpu.data_ptr<float>() + actionsCpu.numel());
        return result;
    }

    // Centres of the dense cells, row-major: cell (i, j) → ((i + ½)/w, (j + ½)/h).
    at::Tensor cellCentres() const
    {
        const int h = m_info.gridHeight, w = m_info.gridWidth;
        at::Tensor centres = torch::empty({1, h * w, 2});
        auto access = centres.accessor<float, 3>();
        for (int j = 0; j < h; ++j)
            for (int i = 0; i < w; ++i) {
                access[0][j * w + i][0] = (float(i) + 0.5f) / float(w);
                access[0][j * w + i][1] = (float(j) + 0.5f) / float(h);
            }
        return centres;
    }

    torch::Device m_device;
    torch::jit::Module m_module;
    CheckpointInfo m_info;
    FeatureCache m_cache;
    std::size_t m_encoderCalls = 0;
};

} // namespace

bool cudaAvailable()
{
    return torch::cuda::is_available();
}

std::unique_ptr<Policy>
Policy::load(const std::string &path, const std::string &device, std::size_t cacheBytes)
{
    if (device != "cpu" && device != "cuda")
        throw usageError("unknown device '" + device + "' (cpu or cuda)");
    if (device == "cuda" && !cudaAvailable())
        throw usageError("--device cuda: no CUDA device is available to this build of LibTorch");
    static std::once_flag threads;
    std::call_once(threads, [] {
        at::set_num_threads(int(std::max(1u, std::thread::hardware_concurrency())));
    });
    return std::make_unique<TorchPolicy>(path, device, cacheBytes);
}

} // namespace grids
