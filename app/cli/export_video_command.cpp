#include "export_video_command.h"

#include "cli_support.h"
#include "common/error.h"
#include "model/policy.h"
#include "render/video_export.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

namespace grids::cli {
namespace {

struct ExportOptions
{
    PolicySource source;
    std::string compare, device = "cpu", viewMap;
    std::vector<std::string> overlays = {"coords", "hud"};
    render::VideoExportOptions video;
    bool quiet = false;
};

void runExport(ExportOptions &o)
{
    o.video.viewRenames = parseViewRenames(o.viewMap);
    render::OverlayStyle style;
    style.markers = style.heatmap = style.cells = style.grid = false;
    o.video.hud = false;
    for (const auto &overlay : o.overlays) {
        if (overlay == "coords")
            style.markers = true;
        else if (overlay == "heatmap")
            style.heatmap = true;
        else if (overlay == "cells")
            style.cells = true;
        else if (overlay == "grid")
            style.grid = true;
        else if (overlay == "hud")
            o.video.hud = true;
        else
            throw usageError("unknown overlay '" + overlay +
                             "' (known: coords, heatmap, cells, grid, hud)");
    }
    o.video.style = style;
    auto policy = openPolicySource(o.source, o.device);
    std::unique_ptr<Policy> compare;
    if (!o.compare.empty())
        compare = Policy::load(o.compare, o.device);
    render::VideoExportResult result;
    {
        ProgressPrinter printer(o.quiet);
        result = render::exportVideo(*policy, compare.get(), o.video, printer.progress());
    }
    std::printf("wrote %s: %d frames, %dx%d, H.264\n", o.video.out.c_str(), result.frames,
                result.width, result.height);
}

} // namespace

void addExportVideoCommand(CLI::App &app)
{
    auto o = std::make_shared<ExportOptions>();
    CLI::App *command = app.add_subcommand(
        "export-video", "Annotated MP4 of an episode with a checkpoint's selection drawn on it");
    addPolicySourceOptions(*command, o->source);
    command->add_option("--episodes", o->video.episodesPath, "episode file or folder")->required();
    command->add_option("--episode", o->video.episodeKey, "episode key (default: the first)");
    addViewMapOption(*command, o->viewMap);
    command->add_option("--method", o->video.method,
                        "selection method (default: the checkpoint's)");
    command->add_option("--budget", o->video.budget, "tokens per view (default: the checkpoint's)");
    command->add_option("--compare", o->compare, "a second checkpoint, drawn below the first");
    command
        ->add_option("--overlays", o->overlays,
                     "coords, heatmap, cells, grid, hud (comma-separated; default coords,hud)")
        ->delimiter(',');
    command->add_option("--view-size", o->video.viewSize, "pixels per view (default 384)");
    command->add_option("--fps", o->video.fps,
                        "frames per second (default: the episode's, 20 when it does not say)")
        ->check(CLI::Range(0.1, 1000.0));
    command->add_option("--out", o->video.out, "video to write (.mp4)")->required();
    command->add_option("--device", o->device, "cpu (default) or cuda");
    command->add_flag("--quiet", o->quiet, "no progress output");
    command->callback([o] { runExport(*o); });
}

} // namespace grids::cli
