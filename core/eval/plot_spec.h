#pragma once

// Saved plots (DATA.md): a plot is a spec (kind, axes, filters, title) stored as a JSON row in the
// workspace; the data it shows are drawn from the workspace's runs each time, so a reopened or
// exported plot is exactly the saved one. The drawing itself is the UI's (QCustomPlot, in
// ui/plots), shared by the GUI's plot panel and `grids plot`.

#include "eval/report.h"

#include <string>
#include <vector>

namespace grids {

struct PlotSpec
{
    std::string x = "tokens";  // "tokens" (per view, log scale) or "flops"
    std::string y = "success"; // "success", "error" (action L1), "fidelity", "flops"
    std::string runKind;       // "rollout" or "sweep"; empty: rollout for success, else sweep
    std::string flops = "checkpoint"; // FLOPs of "checkpoint" or of the "pi0" projection
    std::vector<std::string> methods; // empty: every method in the workspace
    bool paretoFront = false;         // draw the front of best y for at most x (x = flops)
    std::string title;

    std::string effectiveRunKind() const;
    std::string toJson() const;
    // Throws Error{Usage} naming the bad field.
    static PlotSpec fromJson(const std::string &json);
    void validate() const;
};

struct PlotPoint
{
    double x = 0, y = 0;
    double low = 0, high = 0; // interval of y (success), equal to y otherwise
    int tokensPerView = 0;
    std::int64_t runId = 0;
};

struct PlotSeries
{
    std::string name; // the method, with the checkpoint's name when several checkpoints ran it
    std::string method;
    std::vector<PlotPoint> points; // sorted by x
};

struct PlotData
{
    std::string xLabel, yLabel, title;
    bool logX = false;
    std::vector<PlotSeries> series;
    std::vector<PlotPoint> front; // Pareto front, when asked for
};

// The series of a spec from report rows (buildReport). Rows not applicable are left out.
PlotData plotData(const PlotSpec &spec, const std::vector<ReportRow> &rows);

} // namespace grids
