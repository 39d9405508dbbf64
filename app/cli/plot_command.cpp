#include "plot_command.h"

#include "common/error.h"
#include "eval/plot_spec.h"
#include "eval/report.h"
#include "plots/plot_renderer.h"
#include "store/workspace.h"

#include <CLI/CLI.hpp>

#include <QApplication>

#include <cstdio>
#include <filesystem>
#include <memory>

namespace grids::cli {
namespace {

struct PlotOptions
{
    std::string db, out, kind;
    PlotSpec spec;
    std::int64_t id = 0;
    bool list = false, noSave = false;
    int width = 900, height = 600;
};

void runPlot(PlotOptions &o)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(o.db, ec))
        throw badInput(o.db + ": no such workspace database");
    Workspace workspace(o.db);
    if (o.list) {
        for (const auto &p : workspace.plots())
            std::printf("%lld  %s  %s\n", static_cast<long long>(p.id), p.title.c_str(),
                        p.spec.c_str());
        return;
    }
    if (o.out.empty())
        throw usageError("plot needs --out FILE.png|pdf|svg (or --list)");
    PlotSpec spec = o.spec;
    if (o.id > 0) {
        const auto saved = workspace.plot(o.id);
        if (!saved)
            throw usageError(o.db + ": no saved plot " + std::to_string(o.id));
        spec = PlotSpec::fromJson(saved->spec);
    } else {
        spec.runKind = o.kind;
        spec.validate();
    }
    const PlotData data = plotData(spec, buildReport(workspace));
    if (data.series.empty())
        throw usageError(o.db + ": no " + spec.effectiveRunKind() +
                         " runs match this plot (run grids eval or grids sweep first)");

    // The CLI never shows a window: QCustomPlot renders offscreen.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    int argc = 1;
    char name[] = "grids";
    char *argv[] = {name, nullptr};
    QApplication qt(argc, argv);
    ui::exportPlot(data, QString::fromStdString(o.out), o.width, o.height);
    std::int64_t savedId = o.id;
    if (o.id == 0 && !o.noSave)
        savedId = workspace.savePlot(spec.title.empty() ? spec.y + " vs " + spec.x : spec.title,
                                     spec.toJson());
    std::printf("wrote %s (%zu series)%s\n", o.out.c_str(), data.series.size(),
                savedId > 0 ? (", plot " + std::to_string(savedId) + " in " + o.db).c_str() : "");
}

} // namespace

void addPlotCommand(CLI::App &app)
{
    auto o = std::make_shared<PlotOptions>();
    CLI::App *command =
        app.add_subcommand("plot", "Draw a comparison plot to PNG, PDF or SVG and save it");
    command->add_option("--db", o->db, "workspace database")->required();
    command->add_option("--x", o->spec.x, "tokens (default) or flops");
    command->add_option("--y", o->spec.y, "success (default), error, fidelity or flops");
    command->add_option("--kind", o->kind, "rollout (closed loop) or sweep (open loop)");
    command->add_option("--flops", o->spec.flops, "checkpoint (default) or pi0 projection");
    command->add_option("--methods", o->spec.methods, "only these methods (comma-separated)")
        ->delimiter(',');
    command->add_flag("--pareto", o->spec.paretoFront, "draw the Pareto front");
    command->add_option("--title", o->spec.title, "plot title");
    command->add_option("--out", o->out, "image to write: .png, .pdf or .svg");
    command->add_option("--id", o->id, "redraw saved plot N");
    command->add_flag("--list", o->list, "list the saved plots");
    command->add_flag("--no-save", o->noSave, "do not save the plot as a row");
    command->add_option("--width", o->width, "pixels (default 900)")->check(CLI::Range(200, 8000));
    command->add_option("--height", o->height, "pixels (default 600)")
        ->check(CLI::Range(150, 8000));
    command->callback([o] { runPlot(*o); });
}

} // namespace grids::cli
