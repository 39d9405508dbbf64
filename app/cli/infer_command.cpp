#include "infer_command.h"

#include "cli_support.h"
#include "common/atomic_file.h"
#include "common/csv.h"
#include "common/error.h"
#include "episodes/episode.h"
#include "episodes/view_renames.h"
#include "eval/metrics.h"
#include "model/policy.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>

namespace grids::cli {
namespace {

struct InferOptions
{
    PolicySource source;
    std::string episodes, episode, method, frames, out, device = "cpu", viewMap;
    int budget = 0;
    bool json = false, quiet = false;
};

nlohmann::json frameJson(std::int64_t t,
                         const FrameResult &r,
                         const std::vector<float> &demo,
                         const ActionError &error)
{
    nlohmann::json views = nlohmann::json::array();
    for (const auto &view : r.views) {
        nlohmann::json coords = nlohmann::json::array();
        for (const auto &xy : view.coords)
            coords.push_back({xy[0], xy[1]});
        nlohmann::json entry = {{"view", view.view}, {"coords", coords}, {"cells", view.cells}};
        if (!view.groups.empty())
            entry["groups"] = view.groups; // merging methods: the cells behind each token
        views.push_back(entry);
    }
    nlohmann::json chunk = nlohmann::json::array();
    for (std::int64_t row = 0; row < r.actions.rows; ++row)
        chunk.push_back(r.actions.row(row));
    nlohmann::json row = {
        {"frame", t},
        {"tokens_per_view", r.budget},
        {"views", views},
        {"attention", r.attention},
        {"action", r.actions.row(0)},
        {"action_chunk", chunk},
        {"demo_action", demo},
        {"timings_ms",
         {{"encode", r.encodeMs}, {"select", r.selectMs}, {"act", r.actMs}, {"round_trip", r.roundTripMs}}},
        {"missing_inputs", r.missingInputs}};
    if (error.valid)
        row["error"] = {
            {"l1", error.l1}, {"mse", error.mse}, {"gripper_agrees", error.gripperAgrees}};
    else
        row["error"] = nullptr;
    return row;
}

std::string csvOf(const nlohmann::json &doc, int actionDim)
{
    std::ostringstream out;
    out << "frame,method,tokens_per_view,l1,mse,gripper_agrees,encode_ms,select_ms,act_ms";
    for (int d = 0; d < actionDim; ++d)
        out << ",pred_" << d;
    for (int d = 0; d < actionDim; ++d)
        out << ",demo_" << d;
    out << ",coords\r\n";
    for (const auto &row : doc["frames"]) {
        const auto &error = row["error"];
        out << row["frame"].get<long long>() << "," << doc["method"].get<std::string>() << ","
            << row["tokens_per_view"].get<int>() << ","
            << (error.is_null() ? "" : error["l1"].dump()) << ","
            << (error.is_null() ? "" : error["mse"].dump()) << ","
            << (error.is_null() ? "" : error["gripper_agrees"].dump()) << ","
            << row["timings_ms"]["encode"].dump() << "," << row["timings_ms"]["select"].dump()
            << "," << row["timings_ms"]["act"].dump();
        for (const auto &v : row["action"])
            out << "," << v.dump();
        for (int d = 0; d < actionDim; ++d)
            out << "," << (d < int(row["demo_action"].size()) ? row["demo_action"][d].dump() : "");
        // Coordinates per view as JSON in one field (always quoted: it holds commas).
        out << "," << csvField(row["views"].dump()) << "\r\n";
    }
    return out.str();
}

void runInfer(const InferOptions &o)
{
    auto policy = openPolicySource(o.source, o.device);
    const CheckpointInfo &info = policy->info();
    const std::string method = !o.method.empty() ? o.method : info.ownMethod();
    const int budget = o.budget > 0 ? o.budget : info.budgetDefault;
    if (!o.out.empty()) {
        const std::string ext = std::filesystem::path(o.out).extension().string();
        if (ext != ".json" && ext != ".csv")
            throw usageError(o.out + ": --out must end in .json or .csv");
    }

    auto file = renameViews(openEpisodeFile(o.episodes), parseViewRenames(o.viewMap));
    std::size_t index = 0;
    if (!o.episode.empty())
        index = file->indexOf(o.episode);
    else if (file->episodes().size() != 1)
        throw usageError(o.episodes + " holds " + std::to_string(file->episodes().size()) +
                         " episodes: choose one with --episode KEY");
    const EpisodeInfo &episode = file->episodes()[index];
    const FrameRange range = o.frames.empty() ? FrameRange{0, episode.length - 1}
                                              : parseFrameRange(o.frames, episode.length);

    nlohmann::json frames = nlohmann::json::array();
    double l1Sum = 0;
    int scored = 0;
    bool interruptedEarly = false;
    {
        ProgressPrinter printer(o.quiet);
        const auto total = range.last - range.first + 1;
        for (auto t = range.first; t <= range.last; ++t) {
            if (printer.progress().cancelled()) {
                interruptedEarly = true;
                break;
            }
            const Frame frame = file->frame(index, t);
            const FrameResult result = policy->run(frame, episode.views, method, budget);
            const ActionError error = actionError(result.actions.row(0), frame.action);
            if (error.valid) {
                l1Sum += error.l1;
                ++scored;
            }
            frames.push_back(frameJson(t, result, frame.action, error));
            printer.progress()(t - range.first + 1, total, episode.key);
        }
    }
    nlohmann::json doc = {
        {"checkpoint", info.path},
        {"checkpoint_sha256", info.sha256},
        {"episodes", o.episodes},
        {"episode", episode.key},
        {"instruction", episode.instruction},
        {"method", method},
        {"budget", method == "dense" ? info.cellsPerView() : budget},
        {"frames", frames},
        {"summary",
         {{"frames", frames.size()},
          {"mean_l1", scored ? nlohmann::json(l1Sum / scored) : nlohmann::json(nullptr)}}}};
    if (!o.out.empty())
        writeFileAtomically(o.out, o.out.size() > 4 && o.out.substr(o.out.size() - 4) == ".csv"
                                       ? csvOf(doc, info.actionDim)
                                       : doc.dump(2) + "\n");
    if (o.json)
        std::cout << doc.dump(2) << std::endl;
    else
        std::cout << episode.key << ": " << frames.size() << " frames, " << method << " at "
                  << doc["budget"].get<int>() << " tokens/view, mean L1 "
                  << (scored ? std::to_string(l1Sum / scored) : std::string("n/a (no actions)"))
                  << (o.out.empty() ? "" : ", written to " + o.out) << std::endl;
    if (interruptedEarly)
        throw Error(Error::Kind::Cancelled,
                    "interrupted after " + std::to_string(frames.size()) + " frames (output kept)");
}

} // namespace

void addInferCommand(CLI::App &app)
{
    auto o = std::make_shared<InferOptions>();
    CLI::App *command = app.add_subcommand("infer", "Frame-by-frame inference of a checkpoint");
    addPolicySourceOptions(*command, o->source);
    command->add_option("--episodes", o->episodes, "episode file")->required();
    command->add_option("--episode", o->episode, "episode key (optional for one-episode files)");
    addViewMapOption(*command, o->viewMap);
    command->add_option("--method", o->method,
                        "grids, dense, random, uniform, fastv, sparsevlm, tome, divprune or "
                        "visionzip (default: the checkpoint's own)");
    command->add_option("--budget", o->budget, "tokens per view (default: the checkpoint's)");
    command->add_option("--frames", o->frames, "inclusive frame range A:B");
    command->add_option("--out", o->out, "write results to FILE.json or FILE.csv");
    command->add_option("--device", o->device, "cpu (default) or cuda");
    command->add_flag("--json", o->json, "print the results as one JSON document");
    command->add_flag("--quiet", o->quiet, "no progress output");
    command->callback([o] { runInfer(*o); });
}

} // namespace grids::cli
