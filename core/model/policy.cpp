#include "model/policy.h"

#include "common/error.h"
#include "common/grid.h"
#include "common/hash.h"
#include "common/system_cores.h"
#include "model/checkpoint_archive.h"
#include "model/policy_support.h"
#include "model/view_matching.h"
#include "selectors/selector.h"

#include <ATen/Parallel.h>
#include <opencv2/imgproc.hpp>
#include <torch/cuda.h>
#include <torch/script.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <map>
#include <mutex>
#include <sstream>

namespace grids {
namespace {

using namespace policy_support;

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

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
        // The metadata first: a file that is not a grids-checkpoint is refused before LibTorch
        // compiles its code.
        m_info = parseCheckpointJson(path, readCheckpointJson(path));
        try {
            m_module = torch::jit::load(path, m_device);
        } catch (const std::exception &e) {
            if (const std::string why = unsupportedOperator(path, e.what()); !why.empty())
                throw badInput(why);
            throw badInput(path + ": not a TorchScript checkpoint (" + firstLine(e.what()) + ")");
        }
        m_info.sha256 = sha256OfFile(path);
        defineArchitectureMethods(m_module);
        for (const char *method : {"encode", "act", "sample", "embed_instruction", "text_relevance"})
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
        m_cellCentres = cellCentres().to(m_device);
        probe();
    }

    const CheckpointInfo &info() const override { return m_info; }
    std::size_t cachedFrames() const override { return m_cache.size(); }
    std::size_t encoderCalls() const override { return m_encoderCalls; }
    std::size_t headCalls() const override { return m_headCalls; }
    std::size_t methodCalls(const std::string &method) const override
    {
        const auto found = m_methodCalls.find(method);
        return found == m_methodCalls.end() ? 0 : found->second;
    }

    FrameResult run(const Frame &frame,
                    const std::vector<ViewInfo> &frameViews,
                    const std::string &method,
                    int budget,
                    const std::string &cacheKey) override
    {
        return runMany(frame, frameViews, {{method, budget}}, cacheKey).front();
    }

    std::vector<FrameResult> runMany(const Frame &frame,
                                     const std::vector<ViewInfo> &frameViews,
                                     const std::vector<MethodBudget> &configs,
                                     const std::string &cacheKey) override
    {
        if (configs.empty())
            return {};
        try {
            return runManyUnguarded(frame, frameViews, configs, cacheKey);
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
        ++m_methodCalls[method];
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
        m_batchedHead = headTakesABatch(m_module, m_info, m_device, n);
        m_keysHead = m_batchedHead && headRunsFromKeys(m_module, m_info, m_device, n);
        if (m_keysHead)
            m_info.methods.push_back("act_from_keys");
        m_keyGroupsHead = m_keysHead && headDecodesKeyGroups(m_module, m_info, m_device, n);
        m_keysWithRelevance = m_keysHead && m_info.hasMethod("text_relevance") &&
                              keysComeWithRelevance(m_module, m_info, m_device, n);
        if (m_keysWithRelevance)
            m_info.methods.push_back("visual_keys_with_relevance");
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
            const cv::Mat view = resizeForModel(frame.views.at(std::size_t(pairs[k].second)), W, H);
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

    // What one configuration keeps of a frame, ready for the head: tokens [1, n, C], coords
    // [1, n, 2], and per view, per token, the dense cells behind it (none for sampled tokens).
    struct Kept
    {
        at::Tensor tokens, coords;
        std::vector<std::vector<std::vector<int>>> cells;
    };

    // Selection of one method at several budgets (one for dense): a kept set for each, and its
    // result's budget and selectMs. Work the budgets share is divided among them, except work
    // the method needs whatever else runs (FastV's ranking pass), charged to each in full.
    std::vector<Kept> keep(const Frame &frame,
                           const at::Tensor &features,
                           const std::vector<std::pair<int, int>> &pairs,
                           const std::string &method,
                           const std::vector<int> &budgets,
                           const std::vector<FrameResult *> &results)
    {
        const std::int64_t Vf = std::int64_t(pairs.size());
        const int h = m_info.gridHeight, w = m_info.gridWidth, C = m_info.tokenDim;
        const auto start = Clock::now();
        m_chargedMs = m_chargedSpentMs = m_sharedMs = 0;
        std::vector<Kept> kept(budgets.size());
        if (method == "dense") {
            std::vector<std::vector<int>> everyCell;
            for (int c = 0; c < h * w; ++c)
                everyCell.push_back({c});
            for (Kept &k : kept) {
                k.tokens = features.reshape({1, Vf * h * w, C});
                k.coords = m_cellCentres.repeat({1, Vf, 1});
                k.cells.assign(std::size_t(Vf), everyCell);
            }
        } else if (method == "grids") {
            if (const std::string why = notApplicable(m_info, method); !why.empty())
                throw usageError(m_info.path + ": " + why);
            for (std::size_t b = 0; b < budgets.size(); ++b) {
                const int budget = budgets[b];
                if (budget < 1 || budget > m_info.budgetMax)
                    throw usageError("budget " + std::to_string(budget) + " outside 1.." +
                                     std::to_string(m_info.budgetMax) + " for " + m_info.path);
                const auto [sampledCoords, sampledTokens] = tensorPair(
                    call("sample", {features, budget, instructionList(frame.instruction)}),
                    "sample", m_info.path);
                expectShape(sampledCoords, {1, Vf, budget, 2}, "sample's coords", m_info.path);
                expectShape(sampledTokens, {1, Vf, budget, C}, "sample's tokens", m_info.path);
                kept[b].coords = sampledCoords.reshape({1, Vf * budget, 2});
                kept[b].tokens = sampledTokens.reshape({1, Vf * budget, C});
            }
        } else {
            if (const std::string why = notApplicable(m_info, method); !why.empty())
                throw usageError(m_info.path + ": " + why);
            kept = selectFromDense(frame, features, pairs, method, budgets);
        }
        const double share =
            (msSince(start) - m_chargedSpentMs + m_sharedMs) / double(budgets.size());
        for (std::size_t b = 0; b < budgets.size(); ++b) {
            results[b]->budget = int(kept[b].tokens.size(1) / Vf);
            results[b]->selectMs = share + m_chargedMs;
        }
        m_chargedMs = m_chargedSpentMs = m_sharedMs = 0;
        return kept;
    }

    // The view index of each kept token, as the head takes them: [1, n].
    at::Tensor viewIdsOf(const Kept &kept, const std::vector<std::pair<int, int>> &pairs) const
    {
        return viewIds(pairs, kept.tokens.size(1) / std::int64_t(pairs.size()));
    }

    // The view index of `perView` tokens of each view in turn, as the head takes them: [1, n].
    at::Tensor viewIds(const std::vector<std::pair<int, int>> &pairs, std::int64_t perView) const
    {
        const std::int64_t Vf = std::int64_t(pairs.size());
        at::Tensor ids = torch::empty({1, Vf * perView}, at::kLong);
        for (std::int64_t k = 0; k < Vf; ++k)
            ids.narrow(1, k * perView, perView).fill_(pairs[std::size_t(k)].first);
        return ids.to(m_device);
    }

    // The visual keys a frame's groups of kept sets draw on, in blocks [R_j, layers, 2C] (the dense
    // cells', then every set's own tokens'), and per group of one length the row each token of
    // each set takes, [G, n], counted through the blocks in order (keyRows).
    struct KeyRows
    {
        std::vector<at::Tensor> blocks;
        std::vector<at::Tensor> index;
        std::vector<bool> denseAlone; // the group is the dense set alone, its rows in order
        std::int64_t denseRows = 0;

        // Every row in one tensor, [R, layers, 2C].
        at::Tensor joined() const
        {
            return blocks.size() == 1 ? blocks.front() : torch::cat(blocks);
        }
    };

    // The head on a batch of kept sets of one length: (actions [G, T, A], attention [G, n]),
    // from their keys ([G, n, layers, 2C], groupKeys) where defined, else from their tokens.
    std::pair<at::Tensor, at::Tensor> act(const std::vector<const Kept *> &batch,
                                          const std::vector<std::pair<int, int>> &pairs,
                                          const Frame &frame,
                                          const at::Tensor &keys)
    {
        c10::List<std::string> instructions;
        for (std::size_t g = 0; g < batch.size(); ++g)
            instructions.push_back(frame.instruction);
        const std::int64_t G = std::int64_t(batch.size()), n = batch.front()->tokens.size(1);
        const at::Tensor state = G == 1 ? stateOf(frame) : stateOf(frame).repeat({G, 1});
        ++m_headCalls;
        at::Tensor actions, attention;
        if (keys.defined()) {
            std::tie(actions, attention) =
                tensorPair(call("act_from_keys", {keys, instructions, state}), "act_from_keys",
                           m_info.path);
        } else {
            std::vector<at::Tensor> tokens, coords, viewIds;
            for (const Kept *kept : batch) {
                tokens.push_back(kept->tokens);
                coords.push_back(kept->coords);
                viewIds.push_back(viewIdsOf(*kept, pairs));
            }
            std::tie(actions, attention) = tensorPair(
                call("act", {torch::cat(tokens), torch::cat(coords), torch::cat(viewIds),
                             instructions, state}),
                "act", m_info.path);
        }
        expectShape(actions, {G, m_info.actionHorizon, m_info.actionDim}, "act's actions",
                    m_info.path);
        expectShape(attention, {G, n}, "act's attention", m_info.path);
        return {actions, attention};
    }

    // Every group's head in one call (act_from_key_groups): the actions of each kept set in
    // the groups' order [sum G, T, A], and each group's attention [G, n].
    std::pair<at::Tensor, std::vector<at::Tensor>>
    actFromKeyGroups(const std::vector<std::vector<const Kept *>> &groups,
                     const KeyRows &keys,
                     const Frame &frame)
    {
        ++m_headCalls;
        const c10::IValue out =
            call("act_from_key_groups",
                 {c10::List<at::Tensor>(keys.blocks), c10::List<at::Tensor>(keys.index),
                  instructionList(frame.instruction), stateOf(frame)});
        std::int64_t sets = 0;
        for (const auto &group : groups)
            sets += std::int64_t(group.size());
        if (!out.isTuple() || out.toTuple()->elements().size() != 2 ||
            !out.toTuple()->elements()[0].isTensor() || !out.toTuple()->elements()[1].isTensorList())
            throw badInput(m_info.path + ": method 'act_from_key_groups' must return (Tensor, "
                                         "List[Tensor])");
        const at::Tensor actions = out.toTuple()->elements()[0].toTensor();
        std::vector<at::Tensor> attention = out.toTuple()->elements()[1].toTensorVector();
        expectShape(actions, {sets, m_info.actionHorizon, m_info.actionDim},
                    "act_from_key_groups's actions", m_info.path);
        if (attention.size() != groups.size())
            throw badInput(m_info.path + ": act_from_key_groups returned " +
                           std::to_string(attention.size()) + " attention tensors for " +
                           std::to_string(groups.size()) + " groups");
        for (std::size_t g = 0; g < groups.size(); ++g)
            expectShape(attention[g],
                        {std::int64_t(groups[g].size()), groups[g].front()->tokens.size(1)},
                        "act_from_key_groups's attention", m_info.path);
        return {actions, attention};
    }

    // Each layer's keys of the frame's dense cells ([1, Vf·cells, layers, 2C]), memoised for the
    // last frame and instruction.
    at::Tensor denseKeys(const Frame &frame,
                         const at::Tensor &features,
                         const std::vector<std::pair<int, int>> &pairs)
    {
        if (denseKeysMemoised(frame, features))
            return m_keys;
        const std::int64_t Vf = std::int64_t(pairs.size()), cells = m_info.cellsPerView();
        const std::vector<c10::IValue> inputs{features.reshape({1, Vf * cells, m_info.tokenDim}),
                                              m_cellCentres.repeat({1, Vf, 1}),
                                              denseViewIds(pairs),
                                              instructionList(frame.instruction)};
        m_relevance.clear();
        if (m_fuseRelevance) {
            at::Tensor relevance;
            std::tie(m_keys, relevance) =
                tensorPair(call("visual_keys_with_relevance", inputs),
                           "visual_keys_with_relevance", m_info.path);
            m_relevance = relevanceRows(relevance, Vf * cells, "visual_keys_with_relevance",
                                        m_relevanceWords);
        } else {
            m_keys = call("visual_keys", inputs).toTensor();
        }
        m_keysFeatures = features;
        m_keysInstruction = frame.instruction;
        return m_keys;
    }

    bool denseKeysMemoised(const Frame &frame, const at::Tensor &features) const
    {
        return m_keysFeatures.defined() && m_keysFeatures.is_same(features) &&
               m_keysInstruction == frame.instruction;
    }

    // A text relevance tensor [1, N, L] as rows of L logits per token, checked; `words` = L.
    std::vector<float> relevanceRows(const c10::IValue &relevance,
                                     std::int64_t n,
                                     const char *method,
                                     int &words) const
    {
        if (!relevance.isTensor() || relevance.toTensor().dim() != 3 ||
            relevance.toTensor().size(0) != 1 || relevance.toTensor().size(1) != n)
            throw badInput(m_info.path + ": " + method + " must return [B, N, L] for N = " +
                           std::to_string(n) + " tokens");
        const at::Tensor t = relevance.toTensor().to(torch::kCPU).to(at::kFloat).contiguous();
        words = int(t.size(2));
        return {t.data_ptr<float>(), t.data_ptr<float>() + t.numel()};
    }

    // The keys every group of kept sets draws on (KeyRows). With `reuseDense`, a
    // token that is one cell as it is takes that cell's row of the dense keys; the others (merged
    // cells, sampled points; every token without `reuseDense`) of every set get theirs in one
    // visual_keys call.
    KeyRows keyRows(const std::vector<std::vector<const Kept *>> &groups,
                    const Frame &frame,
                    const at::Tensor &features,
                    const std::vector<std::pair<int, int>> &pairs,
                    bool reuseDense)
    {
        const std::int64_t cells = m_info.cellsPerView();
        const std::int64_t denseRows = std::int64_t(pairs.size()) * cells;
        // Per group, each token's row: a dense row (>= 0) or ~(its index among own tokens).
        std::vector<std::vector<std::int64_t>> rows(groups.size());
        // The own tokens: their indices among the tokens of the sets that have any, joined, and
        // their views.
        std::vector<at::Tensor> ownerTokens, ownerCoords;
        std::vector<std::int64_t> ownIndex, ownViews;
        std::int64_t joined = 0;
        bool anyDense = false;
        for (std::size_t g = 0; g < groups.size(); ++g)
            for (const Kept *kept : groups[g]) {
                const std::int64_t n = kept->tokens.size(1);
                const std::int64_t perView = n / std::int64_t(pairs.size());
                const std::size_t ownBefore = ownIndex.size();
                const auto takeOwn = [&](std::int64_t t) {
                    rows[g].push_back(~std::int64_t(ownIndex.size()));
                    ownIndex.push_back(joined + t);
                    ownViews.push_back(pairs[std::size_t(t / perView)].first);
                };
                std::int64_t t = 0;
                for (std::size_t k = 0; k < kept->cells.size(); ++k)
                    for (const auto &tokenCells : kept->cells[k]) {
                        if (reuseDense && tokenCells.size() == 1) {
                            rows[g].push_back(std::int64_t(k) * cells + tokenCells.front());
                            anyDense = true;
                        } else {
                            takeOwn(t);
                        }
                        ++t;
                    }
                if (kept->cells.empty()) // sampled: no cells behind the tokens
                    for (; t < n; ++t)
                        takeOwn(t);
                if (ownIndex.size() == ownBefore)
                    continue;
                ownerTokens.push_back(kept->tokens);
                ownerCoords.push_back(kept->coords);
                joined += n;
            }
        const std::int64_t owned = std::int64_t(ownIndex.size());
        // The rows: the dense keys, then every set's own tokens' keys, each block where it is.
        KeyRows out;
        if (anyDense)
            out.blocks.push_back(denseKeys(frame, features, pairs).select(0, 0));
        if (owned > 0) {
            const at::Tensor index = torch::tensor(ownIndex).to(m_device);
            const at::Tensor views = torch::tensor(ownViews).reshape({1, owned}).to(m_device);
            out.blocks.push_back(
                call("visual_keys", {torch::cat(ownerTokens, 1).index_select(1, index),
                                     torch::cat(ownerCoords, 1).index_select(1, index), views,
                                     instructionList(frame.instruction)})
                    .toTensor()
                    .select(0, 0));
        }
        out.denseRows = anyDense ? denseRows : 0;
        for (std::size_t g = 0; g < groups.size(); ++g) {
            std::vector<std::int64_t> &index = rows[g];
            bool denseInOrder =
                anyDense && groups[g].size() == 1 && std::int64_t(index.size()) == denseRows;
            for (std::size_t r = 0; r < index.size(); ++r) {
                if (index[r] < 0)
                    index[r] = out.denseRows + ~index[r];
                denseInOrder = denseInOrder && index[r] == std::int64_t(r);
            }
            const std::int64_t G = std::int64_t(groups[g].size());
            out.index.push_back(torch::tensor(index).reshape({G, std::int64_t(index.size()) / G}).to(m_device));
            out.denseAlone.push_back(denseInOrder);
        }
        return out;
    }

    // Group g's keys as act_from_keys takes them, [G, n, layers, 2C]: its rows (of `rows`, the
    // keys joined) gathered in one copy, or the dense keys as they are for the dense set alone.
    static at::Tensor groupKeys(const KeyRows &keys, const at::Tensor &rows, std::size_t g)
    {
        if (keys.denseAlone[g])
            return keys.blocks.front().narrow(0, 0, keys.denseRows).unsqueeze(0);
        const at::Tensor &index = keys.index[g];
        return rows.index_select(0, index.reshape({-1}))
            .reshape({index.size(0), index.size(1), rows.size(1), rows.size(2)});
    }

    // Fills a result's views, attention and actions from its kept set and the head's output.
    void describe(FrameResult &result,
                  const Kept &kept,
                  const std::vector<std::pair<int, int>> &pairs,
                  const at::Tensor &actions,   // [1, T, A]
                  const at::Tensor &attention) // [1, n]
    {
        const std::int64_t Vf = std::int64_t(pairs.size()), perView = kept.tokens.size(1) / Vf;
        const at::Tensor coordsCpu = kept.coords.to(torch::kCPU).contiguous();
        const float *xy = coordsCpu.data_ptr<float>();
        for (std::int64_t k = 0; k < Vf; ++k) {
            ViewSelection selection;
            selection.view = m_info.views[std::size_t(pairs[std::size_t(k)].first)];
            for (std::int64_t t = 0; t < perView; ++t) {
                const float *p = xy + 2 * (k * perView + t);
                selection.coords.push_back({p[0], p[1]});
            }
            if (std::size_t(k) < kept.cells.size())
                describeCells(kept.cells[std::size_t(k)], selection);
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
    }

    // One encoder pass, each configuration's selection, and the head once per group of
    // configurations that keep as many tokens (batched when the checkpoint's head takes a batch;
    // each member is charged its share of the call's time).
    std::vector<FrameResult> runManyUnguarded(const Frame &frame,
                                              const std::vector<ViewInfo> &frameViews,
                                              const std::vector<MethodBudget> &configs,
                                              const std::string &cacheKey)
    {
        torch::NoGradGuard noGrad;
        bool missingViews = false;
        const auto pairs = matchViews(m_info.views, frameViews, m_info.path, missingViews);
        FrameResult shared;
        const at::Tensor features = encode(frame, pairs, cacheKey, shared);
        shared.missingInputs = missingViews || int(frame.state.size()) != m_info.stateDim;

        std::vector<FrameResult> results(configs.size(), shared);
        std::vector<Kept> kept(configs.size());
        std::map<std::string, std::vector<std::size_t>> byMethod; // configuration indices
        for (std::size_t i = 0; i < configs.size(); ++i) {
            results[i].method = configs[i].method;
            byMethod[configs[i].method].push_back(i);
        }
        // The head runs from keys (where the checkpoint's can) when the dense head runs for this
        // frame anyway (dense, or a ranking method, is among the configurations): every
        // configuration that keeps cells as they are then takes the dense cells' keys instead of
        // recomputing them. SparseVLM's relevance then comes with those keys.
        const bool reuseDense =
            std::any_of(configs.begin(), configs.end(), [](const MethodBudget &c) {
                return c.method == "dense" || selectors::needsOf(c.method).headAttention;
            });
        m_fuseRelevance = m_keysWithRelevance && reuseDense && byMethod.count("sparsevlm") > 0;
        m_shareCosines = byMethod.count("divprune") > 0;
        m_cosineReaders = 0;
        for (const auto &entry : byMethod)
            m_cosineReaders += selectors::needsOf(entry.first).cellCosines ? 1 : 0;
        for (const auto &[method, members] : byMethod) {
            std::vector<int> budgets;
            std::vector<FrameResult *> theirResults;
            for (std::size_t i : members) {
                budgets.push_back(configs[i].budget);
                theirResults.push_back(&results[i]);
            }
            std::vector<Kept> selected = keep(frame, features, pairs, method, budgets, theirResults);
            for (std::size_t j = 0; j < members.size(); ++j)
                kept[members[j]] = std::move(selected[j]);
        }
        // Dense itself, when a ranking method already ran the dense head on this frame, takes
        // that pass's output; the others go to the head by length.
        std::map<std::int64_t, std::vector<std::size_t>> byLength;
        for (std::size_t i = 0; i < configs.size(); ++i) {
            if (configs[i].method == "dense" && denseHeadMemoised(frame, features)) {
                results[i].actMs = m_attentionMs;
                describe(results[i], kept[i], pairs, m_denseActions, m_attention);
                continue;
            }
            byLength[kept[i].tokens.size(1)].push_back(i);
        }
        std::vector<std::vector<std::size_t>> members; // configuration indices of each group
        std::vector<std::vector<const Kept *>> groups;
        for (const auto &[length, indices] : byLength) {
            const std::size_t step = m_batchedHead ? indices.size() : 1;
            for (std::size_t first = 0; first < indices.size(); first += step) {
                members.emplace_back(indices.begin() + std::ptrdiff_t(first),
                                     indices.begin() + std::ptrdiff_t(first + step));
                groups.emplace_back();
                for (std::size_t i : members.back())
                    groups.back().push_back(&kept[i]);
            }
        }
        if (groups.empty())
            return results;
        // The head also runs from keys when one call can decode several groups.
        const bool viaKeys = m_keysHead && (reuseDense || (m_keyGroupsHead && groups.size() > 1));
        const bool oneCall = viaKeys && m_keyGroupsHead && groups.size() > 1;
        KeyRows keys;
        at::Tensor joinedKeys; // the keys in one tensor, for act_from_keys group by group
        if (viaKeys) {
            const auto start = Clock::now();
            keys = keyRows(groups, frame, features, pairs, reuseDense);
            if (!oneCall)
                joinedKeys = keys.joined();
            const double share = msSince(start) / double(configs.size());
            for (FrameResult &result : results)
                result.actMs += share;
        }
        if (oneCall) {
            // One call for every group; each configuration is charged its share of the call in
            // proportion to its arithmetic (headWork).
            const auto start = Clock::now();
            const auto [actions, attention] = actFromKeyGroups(groups, keys, frame);
            const double ms = msSince(start);
            double work = 0;
            for (const auto &group : groups)
                work += double(group.size()) * headWork(group.front()->tokens.size(1));
            std::int64_t row = 0;
            for (std::size_t g = 0; g < groups.size(); ++g)
                for (std::size_t j = 0; j < groups[g].size(); ++j, ++row) {
                    FrameResult &result = results[members[g][j]];
                    result.actMs += ms * headWork(groups[g][j]->tokens.size(1)) / work;
                    describe(result, *groups[g][j], pairs, actions.narrow(0, row, 1),
                             attention[g].narrow(0, std::int64_t(j), 1));
                }
            return results;
        }
        for (std::size_t g = 0; g < groups.size(); ++g) {
            const auto start = Clock::now();
            const auto [actions, attention] = act(
                groups[g], pairs, frame, viaKeys ? groupKeys(keys, joinedKeys, g) : at::Tensor());
            const double share = msSince(start) / double(groups[g].size());
            for (std::size_t j = 0; j < groups[g].size(); ++j) {
                FrameResult &result = results[members[g][j]];
                result.actMs += share;
                describe(result, *groups[g][j], pairs, actions.narrow(0, std::int64_t(j), 1),
                         attention.narrow(0, std::int64_t(j), 1));
            }
        }
        return results;
    }

    // One configuration's arithmetic in a decode from keys with `n` visual tokens, counted in
    // visual tokens: per query and layer a key costs 2C multiply-adds of cross-attention, and the
    // query's projections (6C²), self-attention (2QC) and feed-forward (2C·ff) as many as
    // 3C + Q + ff keys; the keys are the instruction's, the state's and the n tokens'.
    double headWork(std::int64_t n) const
    {
        const double C = m_info.headWidth > 0 ? m_info.headWidth : m_info.tokenDim;
        const double fixed = 3.0 * C + m_info.actionHorizon + m_info.headFF;
        return fixed + double(m_info.headContextExtra) + double(n);
    }

    // The view index of each of `Vf` views' dense cells, as the head takes them: [1, Vf·cells].
    at::Tensor denseViewIds(const std::vector<std::pair<int, int>> &pairs) const
    {
        return viewIds(pairs, m_info.cellsPerView());
    }

    // SparseVLM's text signal for every dense cell of every view, [Vf·cells, words] logits, from
    // the checkpoint's `text_relevance`, or with the dense keys where the frame needs them too
    // (m_fuseRelevance: one visual_keys_with_relevance call).
    std::vector<float> denseTextRelevance(const Frame &frame,
                                          const at::Tensor &features,
                                          const std::vector<std::pair<int, int>> &pairs,
                                          int &words)
    {
        const std::int64_t Vf = std::int64_t(pairs.size()), cells = m_info.cellsPerView();
        if (m_fuseRelevance && !denseKeysMemoised(frame, features))
            denseKeys(frame, features, pairs); // with the relevance
        if (m_fuseRelevance && denseKeysMemoised(frame, features) && !m_relevance.empty()) {
            words = m_relevanceWords;
            return m_relevance;
        }
        const c10::IValue out =
            call("text_relevance", {features.reshape({1, Vf * cells, m_info.tokenDim}),
                                    m_cellCentres.repeat({1, Vf, 1}),
                                    denseViewIds(pairs), instructionList(frame.instruction)});
        return relevanceRows(out, Vf * cells, "text_relevance", words);
    }

    // The fallback signal's input for checkpoints without `text_relevance`: the instruction's
    // word embeddings (rows of C) from `embed_instruction` (selectors::relevanceFromEmbeddings).
    std::vector<float> instructionEmbeddings(const Frame &frame)
    {
        const int C = m_info.tokenDim;
        const c10::IValue embedded = call("embed_instruction", {instructionList(frame.instruction)});
        if (!embedded.isTensor() || embedded.toTensor().dim() != 3 || embedded.toTensor().size(2) != C)
            throw badInput(m_info.path + ": embed_instruction must return [B, L, " +
                           std::to_string(C) + "]");
        const at::Tensor t = embedded.toTensor().to(torch::kCPU).to(at::kFloat).contiguous();
        return {t.data_ptr<float>(), t.data_ptr<float>() + t.numel()};
    }

    // The state tensor of a frame (zeros when the frame has none of the checkpoint's width).
    at::Tensor stateOf(const Frame &frame) const
    {
        at::Tensor state = torch::zeros({1, m_info.stateDim});
        if (int(frame.state.size()) == m_info.stateDim)
            state.copy_(torch::from_blob(const_cast<float *>(frame.state.data()),
                                         {1, m_info.stateDim}, at::kFloat));
        return state.to(m_device);
    }

    // What identifies the dense head pass of a frame: its instruction, encoder output, state.
    static std::string denseHeadKey(const Frame &frame, const at::Tensor &features)
    {
        return frame.instruction + "|" + std::to_string(std::uintptr_t(features.data_ptr())) +
               "|" +
               std::string(reinterpret_cast<const char *>(frame.state.data()),
                           frame.state.size() * sizeof(float));
    }

    bool denseHeadMemoised(const Frame &frame, const at::Tensor &features) const
    {
        return m_attentionFeatures.defined() && m_attentionFeatures.is_same(features) &&
               denseHeadKey(frame, features) == m_attentionKey;
    }

    // The head's attention over every dense token of the frame (FastV, VisionZip), memoised for
    // the last frame so that a sweep over budgets runs the dense head pass once.
    at::Tensor denseAttention(const Frame &frame,
                              const at::Tensor &features,
                              const std::vector<std::pair<int, int>> &pairs)
    {
        const std::int64_t Vf = std::int64_t(pairs.size());
        const int cells = m_info.gridHeight * m_info.gridWidth;
        if (denseHeadMemoised(frame, features)) {
            // Reused, but charged to this selection as if run: each configuration of a sweep
            // reports the cost it would have alone.
            m_chargedMs += m_attentionMs;
            return m_attention;
        }
        const auto start = Clock::now();
        ++m_headCalls;
        const auto [actions, attention] =
            m_keysHead ? tensorPair(call("act_from_keys", {denseKeys(frame, features, pairs),
                                                           instructionList(frame.instruction),
                                                           stateOf(frame)}),
                                    "act_from_keys", m_info.path)
                       : tensorPair(call("act", {features.reshape({1, Vf * cells, m_info.tokenDim}),
                                                 m_cellCentres.repeat({1, Vf, 1}),
                                                 denseViewIds(pairs),
                                                 instructionList(frame.instruction),
                                                 stateOf(frame)}),
                                    "act", m_info.path);
        expectShape(attention, {1, Vf * cells}, "act's attention", m_info.path);
        m_attentionKey = denseHeadKey(frame, features);
        m_attentionFeatures = features;
        m_denseActions = actions;
        m_attention = attention.to(torch::kCPU).to(at::kFloat).contiguous();
        m_attentionMs = msSince(start);
        m_chargedMs += m_attentionMs;
        m_chargedSpentMs += m_attentionMs;
        return m_attention;
    }

    // A training-free selector (core/selectors) applied to each view's dense tokens, at each of
    // `budgets` (selectEach shares what the budgets have in common): one kept set per budget.
    std::vector<Kept> selectFromDense(const Frame &frame,
                                      const at::Tensor &features,
                                      const std::vector<std::pair<int, int>> &pairs,
                                      const std::string &method,
                                      const std::vector<int> &budgets)
    {
        const int h = m_info.gridHeight, w = m_info.gridWidth, C = m_info.tokenDim;
        const std::int64_t Vf = std::int64_t(pairs.size());
        const selectors::Needs needs = selectors::needsOf(method);
        const at::Tensor dense = features.to(torch::kCPU).to(at::kFloat).contiguous();
        at::Tensor attention;
        if (needs.headAttention)
            attention = denseAttention(frame, features, pairs);
        std::vector<float> relevance, embeddings;
        int words = 0;
        if (needs.textRelevance && m_info.hasMethod("text_relevance"))
            relevance = denseTextRelevance(frame, features, pairs, words);
        else if (needs.textRelevance)
            embeddings = instructionEmbeddings(frame);
        const std::uint64_t frameSeed = contentSeed(frame);
        std::vector<std::vector<float>> allTokens(budgets.size()), allCoords(budgets.size());
        std::vector<Kept> kept(budgets.size());
        for (std::int64_t k = 0; k < Vf; ++k) {
            selectors::ViewTokens view;
            view.gridWidth = w;
            view.gridHeight = h;
            view.dim = C;
            view.features = dense.data_ptr<float>() + k * h * w * C;
            if (attention.defined())
                view.attention.assign(attention.data_ptr<float>() + k * h * w,
                                      attention.data_ptr<float>() + (k + 1) * h * w);
            if (!relevance.empty()) {
                const std::size_t perView = std::size_t(h * w) * std::size_t(words);
                view.textRelevance.assign(relevance.begin() + std::ptrdiff_t(k * perView),
                                          relevance.begin() + std::ptrdiff_t((k + 1) * perView));
                view.words = words;
            } else if (!embeddings.empty()) {
                view.textRelevance = selectors::relevanceFromEmbeddings(view, embeddings);
                view.words = int(embeddings.size() / std::size_t(C));
            }
            view.seed = frameSeed ^ (0x9E3779B97F4A7C15ull * std::uint64_t(k + 1));
            if (needs.cellCosines && m_shareCosines)
                view.cosines = sharedCosines(features, view, std::size_t(k));
            auto selections = selectors::selectEach(method, view, budgets);
            for (std::size_t b = 0; b < budgets.size(); ++b) {
                std::vector<selectors::Token> &chosen = selections[b];
                if (k > 0 && chosen.size() * 2 != allCoords[b].size() / std::size_t(k))
                    throw usageError(method + " kept different numbers of tokens per view");
                const std::vector<float> f = selectors::tokenFeatures(view, chosen);
                const std::vector<float> c = selectors::tokenCoordinates(view, chosen);
                allTokens[b].insert(allTokens[b].end(), f.begin(), f.end());
                allCoords[b].insert(allCoords[b].end(), c.begin(), c.end());
                std::vector<std::vector<int>> cellsOfTokens;
                cellsOfTokens.reserve(chosen.size());
                for (auto &token : chosen) // the selection is not needed after this
                    cellsOfTokens.push_back(std::move(token.cells));
                kept[b].cells.push_back(std::move(cellsOfTokens));
            }
        }
        for (std::size_t b = 0; b < budgets.size(); ++b) {
            const std::int64_t count = std::int64_t(allCoords[b].size() / 2);
            kept[b].tokens = tensorOwning(std::move(allTokens[b]), {1, count, C}).to(m_device);
            kept[b].coords = tensorOwning(std::move(allCoords[b]), {1, count, 2}).to(m_device);
        }
        return kept;
    }

    // View k's cosines of every cell with every cell, computed once per frame for every method
    // that reads them (m_shareCosines). Work they share: each reading method is charged an equal
    // share of the matrix's time (m_sharedMs), whichever of them computed it.
    std::shared_ptr<const std::vector<float>>
    sharedCosines(const at::Tensor &features, const selectors::ViewTokens &view, std::size_t k)
    {
        if (!m_cosinesFeatures.defined() || !m_cosinesFeatures.is_same(features)) {
            m_cosinesFeatures = features;
            m_viewCosines.clear();
            m_viewCosinesMs.clear();
        }
        if (m_viewCosines.size() <= k) {
            m_viewCosines.resize(k + 1);
            m_viewCosinesMs.resize(k + 1, 0.0);
        }
        if (!m_viewCosines[k]) {
            const auto start = Clock::now();
            m_viewCosines[k] = selectors::cellCosines(view);
            m_viewCosinesMs[k] = msSince(start);
            m_chargedSpentMs += m_viewCosinesMs[k];
        }
        m_sharedMs += m_viewCosinesMs[k] / double(std::max(1, m_cosineReaders));
        return m_viewCosines[k];
    }

    // A per-frame seed from the pixels, state and instruction: `random` keeps the same cells
    // for the same frame wherever it comes from (FNV-1a, sampled every 61st byte for speed).
    static std::uint64_t contentSeed(const Frame &frame)
    {
        std::uint64_t hash = 0xcbf29ce484222325ull;
        auto mix = [&hash](const unsigned char *bytes, std::size_t n, std::size_t stride) {
            for (std::size_t i = 0; i < n; i += stride)
                hash = (hash ^ bytes[i]) * 0x100000001b3ull;
        };
        for (const auto &view : frame.views)
            if (view.isContinuous())
                mix(view.data, view.total() * view.elemSize(), 61);
        mix(reinterpret_cast<const unsigned char *>(frame.state.data()),
            frame.state.size() * sizeof(float), 1);
        mix(reinterpret_cast<const unsigned char *>(frame.instruction.data()),
            frame.instruction.size(), 1);
        return hash;
    }

    static void describeCells(const std::vector<std::vector<int>> &tokens, ViewSelection &view)
    {
        const bool single = std::all_of(tokens.begin(), tokens.end(),
                                        [](const std::vector<int> &t) { return t.size() == 1; });
        if (single)
            for (const auto &t : tokens)
                view.cells.push_back(t.front());
        else
            view.groups = tokens;
    }

    // Centres of the dense cells, row-major (common/grid.h): [1, h·w, 2].
    at::Tensor cellCentres() const
    {
        const int h = m_info.gridHeight, w = m_info.gridWidth;
        at::Tensor centres = torch::empty({1, h * w, 2});
        auto access = centres.accessor<float, 3>();
        for (int j = 0; j < h; ++j)
            for (int i = 0; i < w; ++i) {
                const auto [x, y] = cellCentre(i, j, w, h);
                access[0][j * w + i][0] = x;
                access[0][j * w + i][1] = y;
            }
        return centres;
    }

    torch::Device m_device;
    torch::jit::Module m_module;
    CheckpointInfo m_info;
    FeatureCache m_cache;
    at::Tensor m_cellCentres; // cellCentres() on the device, made once at load
    std::size_t m_encoderCalls = 0, m_headCalls = 0;
    bool m_batchedHead = false; // act takes a batch of 2 (probed at load)
    bool m_keysHead = false;    // visual_keys + act_from_keys reproduce act (probed at load)
    bool m_keyGroupsHead = false; // act_from_key_groups reproduces act_from_keys (probed at load)
    at::Tensor m_keysFeatures, m_keys; // the last frame's dense keys (denseKeys)
    // visual_keys_with_relevance gives what visual_keys and text_relevance give (probed at load);
    // this frame's sweep needs both over the dense cells; the relevance that came with m_keys
    // (empty: none came) and its words per token.
    bool m_keysWithRelevance = false, m_fuseRelevance = false;
    std::vector<float> m_relevance;
    int m_relevanceWords = 0;
    std::map<std::string, std::size_t> m_methodCalls; // the checkpoint's methods' calls (call())
    // Whether this frame's selections share each view's cell cosines: where DivPrune, which
    // compares every pair of cells anyway, is among the configurations (ToMe and VisionZip alone
    // compare fewer pairs than the whole matrix has). The last frame's matrices, per view.
    bool m_shareCosines = false;
    int m_cosineReaders = 0; // methods among this frame's configurations that read them
    at::Tensor m_cosinesFeatures;
    std::vector<std::shared_ptr<const std::vector<float>>> m_viewCosines;
    std::vector<double> m_viewCosinesMs; // the time each view's matrix took
    std::string m_keysInstruction;
    std::string m_attentionKey;
    at::Tensor m_attentionFeatures, m_attention, m_denseActions; // the last dense head pass
    // The ranking pass's time, charged in full to each configuration that needs it (m_chargedMs),
    // and the part of it spent during the current selection (m_chargedSpentMs); and the current
    // method's share of work other methods share with it (the cell cosines), divided among its
    // budgets like its own (m_sharedMs), whoever spent it.
    double m_attentionMs = 0, m_chargedMs = 0, m_chargedSpentMs = 0, m_sharedMs = 0;
};

// LibTorch allocates and frees buffers of a few hundred kB to a few MB on every call. glibc
// serves those above its mmap threshold (128 kB, raised only as such buffers are freed) with
// fresh mappings, and gives freed memory at the top of the heap back to the system beyond its
// trim threshold; either way every page of the next buffer faults in again, which made the
// decode of a sweep's frame (act_from_key_groups, 33 configurations) 2.4 times as slow when
// measured. Buffers up to 32 MiB come from the heap, and up to 64 MiB of free heap is kept,
// unless the user set either (glibc's MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_).
void keepFreedMemoryForReuse()
{
#ifdef __GLIBC__
    if (!std::getenv("MALLOC_MMAP_THRESHOLD_"))
        mallopt(M_MMAP_THRESHOLD, 32 << 20);
    if (!std::getenv("MALLOC_TRIM_THRESHOLD_"))
        mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
}

} // namespace

std::vector<FrameResult> Policy::runMany(const Frame &frame,
                                         const std::vector<ViewInfo> &frameViews,
                                         const std::vector<MethodBudget> &configs,
                                         const std::string &cacheKey)
{
    std::vector<FrameResult> results;
    for (const MethodBudget &config : configs)
        results.push_back(run(frame, frameViews, config.method, config.budget, cacheKey));
    return results;
}

std::string notApplicable(const CheckpointInfo &info, const std::string &method)
{
    if (!selectors::isKnownMethod(method)) {
        std::string known;
        for (const auto &name : selectors::methodNames())
            known += (known.empty() ? "" : ", ") + name;
        return "unknown method '" + method + "' (known: " + known + ")";
    }
    if (info.remote && method != "grids" && method != "dense")
        return "a policy server runs only its own selection (grids or dense), not " + method;
    if (method == "grids" && !info.isGrids())
        return "method grids needs a GridS checkpoint (this one is kind \"" + info.kind + "\")";
    if (selectors::needsOf(method).textRelevance && !info.hasMethod("text_relevance") &&
        !info.hasMethod("embed_instruction"))
        return method + " needs the checkpoint method 'text_relevance' (or 'embed_instruction'), "
                        "which it lacks";
    return {};
}

bool cudaAvailable()
{
    return torch::cuda::is_available();
}

std::optional<int> inferenceThreads()
{
    // OMP_NUM_THREADS, when set, is the user's choice (several evaluations side by side run one
    // thread each). More threads than the processors the process may use oversubscribe them,
    // and OpenMP's spinning threads then make every call 10 to 100 times slower: so not every
    // processor of the machine, only those of the process's affinity.
    if (std::getenv("OMP_NUM_THREADS"))
        return std::nullopt;
    return usableCores();
}

std::unique_ptr<Policy>
Policy::load(const std::string &path, const std::string &device, std::size_t cacheBytes)
{
    if (device != "cpu" && device != "cuda")
        throw settingError("device", "'" + device + "' is not cpu or cuda");
    if (device == "cuda" && !cudaAvailable())
        throw settingError("device", "no CUDA device is available to this build of LibTorch");
    static std::once_flag threads;
    std::call_once(threads, [] {
        if (const std::optional<int> count = inferenceThreads())
            at::set_num_threads(*count);
        keepFreedMemoryForReuse();
    });
    return std::make_unique<TorchPolicy>(path, device, cacheBytes);
}

} // namespace grids
