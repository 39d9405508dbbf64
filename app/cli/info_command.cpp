#include "info_command.h"

#include "cli_support.h"
#include "common/error.h"
#include "episodes/episode.h"
#include "eval/flops.h"
#include "model/policy.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

namespace grids::cli {
namespace {

struct InfoOptions
{
    std::string path;
    std::string checkpoint;
    std::string device = "cpu";
    bool json = false;
};

void runCheckpointInfo(const InfoOptions &options)
{
    auto policy = Policy::load(options.checkpoint, options.device);
    const CheckpointInfo &info = policy->info();
    const int budget = info.budgetDefault;
    const FlopsBreakdown flops = checkpointFlops(info, budget);
    const FlopsBreakdown dense = checkpointFlops(info, info.cellsPerView());
    if (options.json) {
        nlohmann::json doc = {{"checkpoint", info.path},
                              {"sha256", info.sha256},
                              {"grids_json", nlohmann::json::parse(info.json)},
                              {"methods", info.methods},
                              {"parameters", info.parameters},
                              {"flops",
                               {{"tokens_per_view", budget},
                                {"encoder", flops.encoder},
                                {"selector", flops.selector},
                                {"head", flops.head},
                                {"total", flops.total()},
                                {"dense_total", dense.total()}}}};
        std::cout << doc.dump(2) << std::endl;
        return;
    }
    std::cout << info.path << ": " << (info.name.empty() ? "(unnamed)" : info.name) << ", kind "
              << info.kind << "\n  sha256 " << info.sha256 << "\n  views";
    for (const auto &view : info.views)
        std::cout << " " << view;
    std::cout << "; image " << info.imageWidth << "x" << info.imageHeight << "; grid "
              << info.gridWidth << "x" << info.gridHeight << " tokens of width " << info.tokenDim
              << "\n  state " << info.stateDim << ", actions " << info.actionHorizon << " x "
              << info.actionDim << "\n";
    if (info.isGrids())
        std::cout << "  budget: max " << info.budgetMax << ", default " << info.budgetDefault
                  << (info.nested ? ", nested" : ", not nested") << "\n";
    std::cout << "  methods:";
    for (const auto &method : info.methods)
        std::cout << " " << method;
    std::cout << "\n  parameters: " << info.parameters << "\n  FLOPs per frame at " << budget
              << " tokens/view: " << flops.total() / 1e6 << " M (encoder " << flops.encoder / 1e6
              << ", selector " << flops.selector / 1e6 << ", head " << flops.head / 1e6
              << "); dense " << dense.total() / 1e6 << " M\n";
}

nlohmann::json episodeJson(const EpisodeInfo &e)
{
    nlohmann::json views = nlohmann::json::array();
    for (const auto &v : e.views)
        views.push_back({{"name", v.name}, {"width", v.width}, {"height", v.height}});
    return {{"key", e.key},
            {"length", e.length},
            {"views", views},
            {"instruction", e.instruction},
            {"action_dim", e.actionDim},
            {"action_names", e.actionNames}, // [] when the format names no dimension
            {"state_dim", e.stateDim},
            {"state_keys", e.stateKeys},
            {"fps", e.fps > 0 ? nlohmann::json(e.fps) : nlohmann::json(nullptr)},
            {"success", e.success ? nlohmann::json(*e.success) : nlohmann::json(nullptr)}};
}

void printText(const EpisodeFile &file)
{
    const auto &episodes = file.episodes();
    std::cout << file.path() << " (" << file.format() << "): " << episodes.size()
              << (episodes.size() == 1 ? " episode\n" : " episodes\n");
    for (const auto &e : episodes) {
        std::cout << "  " << e.key << ": " << e.length << " frames, views";
        for (std::size_t v = 0; v < e.views.size(); ++v)
            std::cout << (v ? ", " : " ") << e.views[v].name << " " << e.views[v].width << "x"
                      << e.views[v].height;
        std::cout << "; action " << e.actionDim << ", state " << e.stateDim;
        if (e.fps > 0)
            std::cout << "; " << e.fps << " fps";
        if (e.success)
            std::cout << "; " << (*e.success ? "success" : "failure");
        std::cout << "\n    \"" << e.instruction << "\"\n";
    }
}

void runInfo(const InfoOptions &options)
{
    if (!options.checkpoint.empty())
        runCheckpointInfo(options);
    if (options.path.empty()) {
        if (options.checkpoint.empty())
            throw usageError("info needs an episode PATH or --checkpoint C");
        return;
    }
    OpenedEpisodes opened = openEpisodes(options.path);
    std::size_t count = 0;
    for (const auto &file : opened.files)
        count += file->episodes().size();
    if (options.json) {
        nlohmann::json files = nlohmann::json::array();
        for (const auto &file : opened.files) {
            nlohmann::json episodes = nlohmann::json::array();
            for (const auto &e : file->episodes())
                episodes.push_back(episodeJson(e));
            files.push_back(
                {{"path", file->path()}, {"format", file->format()}, {"episodes", episodes}});
        }
        nlohmann::json doc = {{"path", options.path},
                              {"episode_count", count},
                              {"files", files},
                              {"errors", opened.errors}};
        std::cout << doc.dump(2) << std::endl;
    } else {
        for (const auto &file : opened.files)
            printText(*file);
        if (opened.files.size() > 1)
            std::cout << opened.files.size() << " files, " << count << " episodes\n";
    }
    if (!opened.errors.empty()) {
        for (std::size_t i = 0; i + 1 < opened.errors.size(); ++i)
            printError(opened.errors[i]);
        throw badInput(opened.errors.back());
    }
}

} // namespace

void addInfoCommand(CLI::App &app)
{
    auto options = std::make_shared<InfoOptions>();
    CLI::App *info = app.add_subcommand(
        "info", "Episodes in a file or folder: count, keys, lengths, views, instruction, widths");
    info->add_option("path", options->path, "episode file (.hdf5, .mp4, …) or folder");
    info->add_option("--checkpoint", options->checkpoint,
                     "a checkpoint: its grids.json, methods, parameters and FLOPs");
    info->add_option("--device", options->device, "cpu (default) or cuda");
    info->add_flag("--json", options->json, "print one JSON document instead of text");
    info->callback([options] { runInfo(*options); });
}

} // namespace grids::cli
