#include "model/checkpoint_info.h"

#include "common/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace grids {
namespace {

using nlohmann::json;

class JsonReader
{
public:
    JsonReader(const std::string &path, const json &doc)
        : m_path(path)
        , m_doc(doc)
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
        if (!value.is_number_integer() || value.get<long long>() < 1 ||
            value.get<long long>() > 1000000)
            fail(std::string("\"") + key + "\" must be a positive integer");
        return value.get<int>();
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
        if (!value.is_array() || value.size() != 2 || !value[0].is_number_integer() ||
            !value[1].is_number_integer() || value[0].get<int>() < 1 || value[1].get<int>() < 1)
            fail(std::string("\"") + key + "\" must be two positive integers");
        return {value[0].get<int>(), value[1].get<int>()};
    }

private:
    std::string m_path;
    const json &m_doc;
};

} // namespace

bool CheckpointInfo::hasMethod(const std::string &method) const
{
    return std::find(methods.begin(), methods.end(), method) != methods.end();
}

CheckpointInfo parseCheckpointJson(const std::string &path, const std::string &text)
{
    const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
    JsonReader r(path, doc);
    if (doc.is_discarded() || !doc.is_object())
        r.fail("not a JSON object");
    if (r.text(doc, "format") != "grids-checkpoint")
        r.fail("\"format\" is not \"grids-checkpoint\"");
    const json &version = r.at(doc, "version");
    if (!version.is_number_integer() || version.get<int>() != 1)
        r.fail("unknown version " + version.dump() + " (this build reads version 1)");

    CheckpointInfo info;
    info.path = path;
    info.json = text;
    info.name = doc.value("name", std::string());
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
    if (doc.contains("control_hz") && doc["control_hz"].is_number())
        info.controlHz = doc["control_hz"].get<double>();

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
        info.headAttention = head.value("attention", std::string("self"));
        if (info.headAttention != "self" && info.headAttention != "cross")
            r.fail("\"head.attention\" must be \"self\" or \"cross\"");
        info.headContextExtra = head.value("context_extra", 0);
    }
    if (doc.contains("encoder") && doc["encoder"].is_object() &&
        doc["encoder"].contains("flops_per_view") && doc["encoder"]["flops_per_view"].is_number())
        info.encoderFlopsPerView = doc["encoder"]["flops_per_view"].get<double>();
    // The project's GridS controls (docs/CHECKPOINTS.md), for the FLOPs model.
    if (doc.contains("architecture") && doc["architecture"].is_object() &&
        doc["architecture"].contains("sampler") && doc["architecture"]["sampler"].is_string())
        info.sampler = doc["architecture"]["sampler"].get<std::string>();
    return info;
}

} // namespace grids
