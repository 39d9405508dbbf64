#include "model/policy_support.h"

#include "common/error.h"
#include "common/shape_text.h"
#include "model/group_attention.h"
#include "model/head_keys.h"
#include "model/text_relevance.h"

#include <torch/version.h>


namespace grids::policy_support {
namespace {

std::string shapeText(const at::IntArrayRef &sizes)
{
    return grids::shapeText(sizes.vec());
}

// Two rows of head inputs that differ, made without the global random generator.
struct ProbeBatch
{
    at::Tensor tokens, coords, views, state;
    c10::List<std::string> instructions;
};

ProbeBatch probeBatch(const CheckpointInfo &info, torch::Device device, std::int64_t n)
{
    const auto floats = at::TensorOptions(at::kFloat).device(device);
    const auto pattern = [&](std::vector<std::int64_t> shape, double scale) {
        std::int64_t count = 1;
        for (auto d : shape)
            count *= d;
        return torch::arange(count, floats).mul(scale).sin().reshape(shape);
    };
    ProbeBatch p;
    p.tokens = pattern({2, n, info.tokenDim}, 0.37);
    p.coords = pattern({2, n, 2}, 0.71).mul(0.5).add(0.5);
    p.views = torch::zeros({2, n}, at::TensorOptions(at::kLong).device(device));
    p.state = pattern({2, info.stateDim}, 1.3);
    p.instructions = c10::List<std::string>({"probe one", "probe two"});
    return p;
}

} // namespace

std::string firstLine(const std::string &text)
{
    const auto begin = text.find_first_not_of("\n\r ");
    if (begin == std::string::npos)
        return {};
    const auto end = text.find('\n', begin);
    return text.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

std::string unsupportedOperator(const std::string &path, const std::string &message)
{
    const std::string marker = "Unknown builtin op: ";
    const auto at = message.find(marker);
    if (at == std::string::npos)
        return {};
    const auto begin = at + marker.size();
    std::string op = message.substr(begin, message.find_first_of(".\n", begin) - begin);
    std::string caller;
    const std::string from = "called from '";
    if (const auto c = message.find(from); c != std::string::npos)
        caller = " (in " + message.substr(c + from.size(), message.find('\'', c + from.size()) - c - from.size()) + ")";
    return path + ": uses the operator " + op + caller + ", which this LibTorch " +
           std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) +
           " does not have: export with PyTorch " + std::to_string(TORCH_VERSION_MAJOR) + "." +
           std::to_string(TORCH_VERSION_MINOR) + "'s operators, e.g. math attention instead of fused "
           "attention (docs/EXPORT.md)";
}

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

at::Tensor tensorOwning(std::vector<float> &&values, at::IntArrayRef shape)
{
    auto *owned = new std::vector<float>(std::move(values));
    return torch::from_blob(
        owned->data(), shape, [owned](void *) { delete owned; }, at::kFloat);
}

namespace {

// Resolves `grids` in TorchScript the Policy defines to the project's own operators
// (group_attention.h), and `torch` to LibTorch's as always.
struct ProjectOperators final : torch::jit::NativeResolver
{
    std::shared_ptr<torch::jit::SugaredValue> resolveValue(const std::string &name,
                                                           torch::jit::GraphFunction &function,
                                                           const torch::jit::SourceRange &location) override
    {
        if (name == "grids")
            return std::make_shared<torch::jit::BuiltinModule>("grids");
        return NativeResolver::resolveValue(name, function, location);
    }
};

} // namespace

void defineArchitectureMethods(torch::jit::Module &module)
{
    // text_relevance (text_relevance.h): needs the binding layer.
    if (!module.find_method("text_relevance") && module.find_method("instruction_tokens") &&
        module.hasattr("bind_q_w")) {
        try {
            module.define(kTextRelevanceSource);
        } catch (const std::exception &) {
        }
    }
    // visual_keys and act_from_keys (head_keys.h): need the marks, the binding and the decoder.
    if (!module.find_method("act_from_keys") && module.find_method("mark_objects") &&
        module.find_method("bind_instruction") && module.hasattr("xkv_w")) {
        try {
            if (!module.find_method("visual_context"))
                module.define(kVisualContextSource);
            module.define(kHeadKeysSource);
        } catch (const std::exception &) {
        }
    }
    // visual_keys_with_relevance (text_relevance.h): the Policy's own, on checkpoints of the
    // architecture with both methods it stands for.
    if (!module.find_method("visual_keys_with_relevance") && module.find_method("visual_keys") &&
        module.find_method("text_relevance") && module.find_method("layer_keys") &&
        module.find_method("mark_objects") && module.find_method("attend") &&
        module.hasattr("bind_q_w")) {
        try {
            module.define(kVisualKeysWithRelevanceSource);
        } catch (const std::exception &) {
        }
    }
    // act_from_key_groups (head_keys.h): the Policy's own, on any checkpoint whose head runs
    // from keys in the project's architecture. Its cross-attention is the project's operator
    // (group_attention.h).
    if (!module.find_method("act_from_key_groups") && module.find_method("act_from_keys") &&
        module.find_method("layer_keys") && module.find_method("attend") &&
        module.hasattr("xq_w") &&
        c10::Dispatcher::singleton().findSchema({groupCrossAttentionOperator(), ""})) {
        try {
            module.define(kDecodeKeyGroupsSource, std::make_shared<ProjectOperators>());
        } catch (const std::exception &) {
        }
    }
}

bool headTakesABatch(torch::jit::Module &module,
                     const CheckpointInfo &info,
                     torch::Device device,
                     std::int64_t n)
{
    try {
        const ProbeBatch p = probeBatch(info, device, n);
        const auto [actions, attention] = tensorPair(
            module.get_method("act")({p.tokens, p.coords, p.views, p.instructions, p.state}), "act",
            info.path);
        if (actions.size(0) != 2 || attention.size(0) != 2)
            return false;
        for (std::int64_t row = 0; row < 2; ++row) {
            const auto [alone, aloneAttention] = tensorPair(
                module.get_method("act")(
                    {p.tokens.narrow(0, row, 1), p.coords.narrow(0, row, 1),
                     p.views.narrow(0, row, 1),
                     c10::List<std::string>({p.instructions.get(std::size_t(row))}),
                     p.state.narrow(0, row, 1)}),
                "act", info.path);
            if (!torch::allclose(actions.narrow(0, row, 1), alone, 1e-4, 1e-5) ||
                !torch::allclose(attention.narrow(0, row, 1), aloneAttention, 1e-4, 1e-5))
                return false;
        }
        return true;
    } catch (const std::exception &) {
        return false;
    }
}

bool headRunsFromKeys(torch::jit::Module &module,
                      const CheckpointInfo &info,
                      torch::Device device,
                      std::int64_t n)
{
    if (!module.find_method("visual_keys") || !module.find_method("act_from_keys"))
        return false;
    try {
        const ProbeBatch p = probeBatch(info, device, n);
        const auto keys =
            module.get_method("visual_keys")({p.tokens, p.coords, p.views, p.instructions});
        const auto [actions, attention] =
            tensorPair(module.get_method("act_from_keys")({keys, p.instructions, p.state}),
                       "act_from_keys", info.path);
        const auto [expected, expectedAttention] = tensorPair(
            module.get_method("act")({p.tokens, p.coords, p.views, p.instructions, p.state}), "act",
            info.path);
        return torch::allclose(actions, expected, 1e-4, 1e-5) &&
               torch::allclose(attention, expectedAttention, 1e-4, 1e-5);
    } catch (const std::exception &) {
        return false;
    }
}

bool keysComeWithRelevance(torch::jit::Module &module,
                           const CheckpointInfo &info,
                           torch::Device device,
                           std::int64_t n)
{
    if (!module.find_method("visual_keys_with_relevance"))
        return false;
    try {
        const ProbeBatch p = probeBatch(info, device, n);
        const std::vector<c10::IValue> inputs{p.tokens, p.coords, p.views, p.instructions};
        const auto [keys, relevance] = tensorPair(
            module.get_method("visual_keys_with_relevance")(inputs), "visual_keys_with_relevance",
            info.path);
        const at::Tensor expectedKeys = module.get_method("visual_keys")(inputs).toTensor();
        const at::Tensor expectedRelevance = module.get_method("text_relevance")(inputs).toTensor();
        return keys.sizes() == expectedKeys.sizes() &&
               relevance.sizes() == expectedRelevance.sizes() &&
               torch::allclose(keys, expectedKeys, 1e-5, 1e-6) &&
               torch::allclose(relevance, expectedRelevance, 1e-5, 1e-6);
    } catch (const std::exception &) {
        return false;
    }
}

bool headDecodesKeyGroups(torch::jit::Module &module,
                          const CheckpointInfo &info,
                          torch::Device device,
                          std::int64_t n)
{
    if (!module.find_method("act_from_key_groups"))
        return false;
    try {
        // Two groups of different lengths: the probe batch's two rows, and the first row's
        // first token alone.
        const ProbeBatch p = probeBatch(info, device, n);
        const c10::List<std::string> one({"probe one"});
        const at::Tensor keys =
            module.get_method("visual_keys")({p.tokens, p.coords, p.views, p.instructions})
                .toTensor();
        const at::Tensor state = p.state.narrow(0, 0, 1);
        // Every key row of the batch, in two blocks (the first token's row, then the others);
        // the first group takes both rows' tokens in order, the second the first row's first
        // token.
        const std::int64_t rows = keys.size(0) * keys.size(1);
        const at::Tensor allRows = keys.reshape({rows, keys.size(2), keys.size(3)});
        const std::vector<at::Tensor> groups{keys, keys.narrow(0, 0, 1).narrow(1, 0, 1)};
        const std::vector<at::Tensor> index{
            torch::arange(rows, torch::dtype(torch::kLong).device(device)).reshape({keys.size(0), keys.size(1)}),
            torch::zeros({1, 1}, torch::dtype(torch::kLong).device(device))};
        const c10::IValue out = module.get_method("act_from_key_groups")(
            {c10::List<at::Tensor>({allRows.narrow(0, 0, 1), allRows.narrow(0, 1, rows - 1)}),
             c10::List<at::Tensor>(index), one, state});
        if (!out.isTuple() || out.toTuple()->elements().size() != 2)
            return false;
        const at::Tensor actions = out.toTuple()->elements()[0].toTensor();
        const auto attention = out.toTuple()->elements()[1].toTensorVector();
        if (actions.size(0) != 3 || attention.size() != 2)
            return false;
        std::int64_t row = 0;
        for (std::size_t g = 0; g < groups.size(); ++g)
            for (std::int64_t k = 0; k < groups[g].size(0); ++k, ++row) {
                const auto [expected, expectedAttention] = tensorPair(
                    module.get_method("act_from_keys")({groups[g].narrow(0, k, 1), one, state}),
                    "act_from_keys", info.path);
                if (!torch::allclose(actions.narrow(0, row, 1), expected, 1e-4, 1e-5) ||
                    !torch::allclose(attention[g].narrow(0, k, 1), expectedAttention, 1e-4, 1e-5))
                    return false;
            }
        return true;
    } catch (const std::exception &) {
        return false;
    }
}

} // namespace grids::policy_support
