#include "eval/plot_spec.h"

#include "common/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace grids {

std::string PlotSpec::effectiveRunKind() const
{
    if (!runKind.empty())
        return runKind;
    return y == "success" ? "rollout" : "sweep";
}

std::string PlotSpec::toJson() const
{
    return nlohmann::json({{"format", "grids-plot"},
                           {"version", 1},
                           {"x", x},
                           {"y", y},
                           {"run_kind", effectiveRunKind()},
                           {"flops", flops},
                           {"methods", methods},
                           {"pareto_front", paretoFront},
                           {"title", title}})
        .dump();
}

void PlotSpec::validate() const
{
    auto oneOf = [](const std::string &field, const std::string &value,
                    const std::vector<std::string> &allowed) {
        if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
            std::string list;
            for (const auto &a : allowed)
                list += (list.empty() ? "" : ", ") + a;
            throw usageError("plot " + field + " '" + value + "' is not one of " + list);
        }
    };
    oneOf("x", x, {"tokens", "flops"});
    oneOf("y", y, {"success", "error", "fidelity", "flops"});
    oneOf("run kind", effectiveRunKind(), {"rollout", "sweep"});
    oneOf("flops", flops, {"checkpoint", "pi0"});
    if (y == "success" && effectiveRunKind() != "rollout")
        throw usageError("plot y 'success' needs closed-loop (rollout) runs");
    if ((y == "error" || y == "fidelity") && effectiveRunKind() != "sweep")
        throw usageError("plot y '" + y + "' needs open-loop (sweep) runs");
    if (x == "flops" && y == "flops")
        throw usageError("plot x and y are both flops");
}

PlotSpec PlotSpec::fromJson(const std::string &text)
{
    const auto doc = nlohmann::json::parse(text, nullptr, false);
    if (!doc.is_object() || doc.value("format", "") != "grids-plot")
        throw usageError("not a grids-plot spec");
    PlotSpec spec;
    try {
        spec.x = doc.value("x", spec.x);
        spec.y = doc.value("y", spec.y);
        spec.runKind = doc.value("run_kind", spec.runKind);
        spec.flops = doc.value("flops", spec.flops);
        spec.methods = doc.value("methods", spec.methods);
        spec.paretoFront = doc.value("pareto_front", false);
        spec.title = doc.value("title", "");
    } catch (const nlohmann::json::exception &e) {
        throw usageError(std::string("plot spec: ") + e.what());
    }
    spec.validate();
    return spec;
}

PlotData plotData(const PlotSpec &spec, const std::vector<ReportRow> &rows)
{
    spec.validate();
    PlotData data;
    const std::string kind = spec.effectiveRunKind();
    const bool pi0 = spec.flops == "pi0";
    data.logX = spec.x == "tokens";
    data.xLabel = spec.x == "tokens"
                      ? "tokens per view"
                      : (pi0 ? "pi0 projection, TFLOPs per step" : "checkpoint MFLOPs per frame");
    data.yLabel = spec.y == "success" ? "success rate (%)"
                  : spec.y == "error" ? "action L1 (row 0 vs demonstration)"
                  : spec.y == "fidelity"
                      ? "L1 against the dense action"
                      : (pi0 ? "pi0 projection, TFLOPs per step" : "checkpoint MFLOPs per frame");
    data.title = spec.title;
    auto flopsOf = [pi0](const ReportRow &r) { return pi0 ? r.flopsPi0 / 1e12 : r.flops / 1e6; };

    std::map<std::string, std::set<std::string>> checkpoints;
    for (const auto &row : rows)
        if (row.kind == kind && row.status != "not_applicable")
            checkpoints[row.method].insert(row.checkpointName);
    std::map<std::string, PlotSeries> series;
    std::vector<std::string> order;
    for (const auto &row : rows) {
        if (row.kind != kind || row.status == "not_applicable")
            continue;
        if (!spec.methods.empty() &&
            std::find(spec.methods.begin(), spec.methods.end(), row.method) == spec.methods.end())
            continue;
        const std::string name = checkpoints[row.method].size() > 1
                                     ? row.method + " (" + row.checkpointName + ")"
                                     : row.method;
        PlotPoint p;
        p.tokensPerView = row.tokensPerView;
        p.runId = row.runId;
        p.x = spec.x == "tokens" ? row.tokensPerView : flopsOf(row);
        if (spec.y == "success") {
            p.y = 100 * row.average;
            p.low = 100 * row.overall.low;
            p.high = 100 * row.overall.high;
        } else {
            p.y = spec.y == "error" ? row.l1 : spec.y == "fidelity" ? row.fidelityL1 : flopsOf(row);
            p.low = p.high = p.y;
        }
        if (!series.count(name)) {
            order.push_back(name);
            series[name].name = name;
            series[name].method = row.method;
        }
        series[name].points.push_back(p);
    }
    for (const auto &name : order) {
        PlotSeries s = series[name];
        std::sort(s.points.begin(), s.points.end(),
                  [](const PlotPoint &a, const PlotPoint &b) { return a.x < b.x; });
        data.series.push_back(std::move(s));
    }
    if (spec.paretoFront) {
        // Best y (highest success, lowest error) among points at no more x.
        std::vector<PlotPoint> all;
        for (const auto &s : data.series)
            all.insert(all.end(), s.points.begin(), s.points.end());
        std::sort(all.begin(), all.end(),
                  [](const PlotPoint &a, const PlotPoint &b) { return a.x < b.x; });
        const bool higherIsBetter = spec.y == "success";
        for (const auto &p : all)
            if (data.front.empty() ||
                (higherIsBetter ? p.y > data.front.back().y : p.y < data.front.back().y))
                data.front.push_back(p);
    }
    return data;
}

} // namespace grids
