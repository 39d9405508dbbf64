#include "model/checkpoint_info.h"

#include "common/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <optional>

namespace grids {
namespace {

using nlohmann::json;

// Bounds that keep every product of these sizes inside an int (cells per view, a view's pixels)
// while far above any real model's.
constexpr long long kMaxCount = 1000000;
constexpr long long kMaxSide = 16384;

// Whether `value` is an integer in [low, high], without converting a larger one first.
bool isIntegerIn(const json &value, long long low, long long high)
{
    if (value.is_number_unsigned()) { // any non-negative integer, up to 2^64 - 1
        const unsigned long long v = value.get<unsigned long long>();
        return v <= static_cast<unsigned long long>(high) && (low <= 0 || v >= static_cast<unsigned long long>(low));
    }
    return value.is_number_integer() && value.get<long long>() >= low && value.get<long long>() <= high;
}

// An optional number the file may state; ignored unless finite.
std::optional<double> finiteNumber(const json &object, const char *key)
{
    const auto it = object.find(key);
    if (it == object.end() || !it->is_number() || !std::isfinite(it->get<double>()))
        return std::nullopt;
    return it->get<double>();
}

class JsonReader
{
public:
    explicit JsonReader(const std::string &path)
        : m_path(path)
    {}

    [[noreturn]] void fail(const std::string &what) const
    {
        throw badInput(m_path + ": grids.json: " + what);
    }

    const json &at(const json &object, const char *key) const
    {
        const auto it = object.find(key);
        if (it == object.end())
            fail(std::string("missing \"") + key + "\"");
        return *it;
    }

    int positive(const json &object, const char *key) const
    {
        const json &value = at(object, key);
        if (!isIntegerIn(value, 1, kMaxCount))
            fail(std::string("\"") + key + "\" must be a positive integer");
        return value.get<int>();
    }

    // An optional integer in [0, kMaxCount]; `fallback` when absent.
    int optionalCount(const json &object, const char *key, int fallback) const
    {
        const auto it = object.find(key);
        if (it == object.end())
            return fallback;
        if (!isIntegerIn(*it, 0, kMaxCount))
            fail(std::string("\"") + key + "\" must be a non-negative integer");
        return it->get<int>();
    }

    // An optional string; `fallback` when absent.
    std::string optionalText(const json &object, const char *key, const std::string &fallback) const
    {
        const auto it = object.find(key);
        if (it == object.end())
            return fallback;
        if (!it->is_string())
            fail(std::string("\"") + key + "\" must be a string");
        return it->get<std::string>();
    }

    std::string text(const json &object, const char *key) const
    {
        const json &value = at(object, key);
        if (!value.is_string())
            fail(std::string("\"") + key + "\" must be a string");
        return value.get<std::string>();
    }

    std::vector<std::string> strings(const json &object, const char *key, bool nonEmpty) const
    {
        const json &value = at(object, key);
        if (!value.is_array() || (nonEmpty && value.empty()) ||
            !std::all_of(value.begin(), value.end(), [](const json &v) { return v.is_string(); }))
            fail(std::string("\"") + key + "\" must be a list of strings");
        return value.get<std::vector<std::string>>();
    }

    std::pair<int, int> pair(const json &object, const char *key) const
    {
        const json &value = at(object, key);
        if (!value.is_array() || value.size() != 2 || !isIntegerIn(value[0], 1, kMaxSide) ||
            !isIntegerIn(value[1], 1, kMaxSide))
            fail(std::string("\"") + key + "\" must be two positive integers up to " + std::to_string(kMaxSide));
        return {value[0].get<int>(), value[1].get<int>()};
    }

private:
    std::string m_path;
};

} // namespace

bool CheckpointInfo::hasMethod(const std::string &method) const
{
    return std::find(methods.begin(), methods.end(), method) != methods.end();
}

CheckpointInfo parseCheckpointJson(const std::string &path, const std::string &text)
{
    const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
    JsonReader r(path);
    if (doc.is_discarded() || !doc.is_object())
        r.fail("not a JSON object");
    if (r.text(doc, "format") != "grids-checkpoint")
        r.fail("\"format\" is not \"grids-checkpoint\"");
    const json &version = r.at(doc, "version");
    if (!isIntegerIn(version, 1, 1))
        r.fail("unknown version " + version.dump() + " (this build reads version 1)");

    CheckpointInfo info;
    info.path = path;
    info.json = text;
    info.name = r.optionalText(doc, "name", std::string());
    info.kind = r.text(doc, "kind");
    if (info.kind != "grids" && info.kind != "dense")
        r.fail("\"kind\" must be \"grids\" or \"dense\" (got \"" + info.kind + "\")");
    info.views = r.strings(doc, "views", /*nonEmpty=*/true);
    std::tie(info.imageHeight, info.imageWidth) = r.pair(doc, "image_size");
    std::tie(info.gridHeight, info.gridWidth) = r.pair(doc, "grid");
    info.tokenDim = r.positive(doc, "token_dim");
    info.stateDim = r.positive(doc, "state_dim");
    info.stateKeys = doc.contains("state_keys") ? r.strings(doc, "state_keys", false)
                                                : std::vector<std::string>{};
    info.actionDim = r.positive(doc, "action_dim");
    info.actionHorizon = r.positive(doc, "action_horizon");
    info.controlHz = finiteNumber(doc, "control_hz").value_or(0.0);

    if (info.isGrids()) {
        const json &budget = r.at(doc, "budget");
        if (!budget.is_object())
            r.fail("\"budget\" must be an object");
        info.budgetMax = r.positive(budget, "max");
        info.budgetDefault = r.positive(budget, "default");
        const json &nested = r.at(budget, "nested");
        if (!nested.is_boolean())
            r.fail("\"budget.nested\" must be true or false");
        info.nested = nested.get<bool>();
        if (info.budgetDefault > info.budgetMax)
            r.fail("\"budget.default\" exceeds \"budget.max\"");
        if (info.budgetMax > info.cellsPerView())
            r.fail("\"budget.max\" exceeds the grid's cells per view");
    } else {
        info.budgetMax = info.budgetDefault = info.cellsPerView();
    }
    if (doc.contains("head") && doc["head"].is_object()) {
        const json &head = doc["head"];
        info.headLayers = r.positive(head, "layers");
        info.headWidth = r.positive(head, "width");
        info.headFF = r.positive(head, "ff");
        info.headHeads = r.positive(head, "heads");
        info.headAttention = r.optionalText(head, "attention", "self");
        if (info.headAttention != "self" && info.headAttention != "cross")
            r.fail("\"head.attention\" must be \"self\" or \"cross\"");
        info.headContextExtra = r.optionalCount(head, "context_extra", 0);
    }
    if (doc.contains("encoder") && doc["encoder"].is_object())
        info.encoderFlopsPerView = finiteNumber(doc["encoder"], "flops_per_view");
    // The project's GridS controls (docs/CHECKPOINTS.md), for the FLOPs model.
    if (doc.contains("architecture") && doc["architecture"].is_object() &&
        doc["architecture"].contains("sampler") && doc["architecture"]["sampler"].is_string())
        info.sampler = doc["architecture"]["sampler"].get<std::string>();
    return info;
}

} // namespace grids
