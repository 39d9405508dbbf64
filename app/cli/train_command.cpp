#include "train_command.h"

#include "cli_support.h"
#include "common/error.h"
#include "store/workspace.h"
#include "train/trainer.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>

namespace grids::cli {
namespace {

struct TrainCommandOptions
{
    train::TrainOptions train;
    std::string db;
    std::string maskState = "none";
    bool quiet = false, json = false;
};

std::vector<int> parseStateMask(const std::string &text)
{
    std::vector<int> dims;
    if (text == "none")
        return dims;
    std::stringstream list(text);
    std::string item;
    while (std::getline(list, item, ',')) {
        try {
            std::size_t used = 0;
            dims.push_back(std::stoi(item, &used));
            if (used != item.size())
                throw std::invalid_argument(item);
        } catch (const std::exception &) {
            throw usageError("--mask-state: '" + item +
                             "' is not a state dimension (give numbers like 0,1 or 'none')");
        }
    }
    return dims;
}

void runTrain(TrainCommandOptions &o)
{
    if (o.train.kind == "dense" && o.train.nestedMax > 0)
        throw usageError("--nested applies to --kind grids only");
    o.train.maskedStateDims = parseStateMask(o.maskState);
    train::TrainReport report;
    {
        ProgressPrinter printer(o.quiet);
        report = train::trainPolicy(o.train, printer.progress());
    }
    if (!o.db.empty()) {
        Workspace workspace(o.db);
        TrainingRun run;
        run.checkpointSha256 = report.checkpointSha256;
        run.checkpointPath = std::filesystem::absolute(o.train.out).string();
        run.kind = o.train.kind;
        run.config = nlohmann::json({{"data", o.train.data},
                                     {"steps", o.train.steps},
                                     {"batch", o.train.batch},
                                     {"learning_rate", o.train.learningRate},
                                     {"seed", o.train.seed},
                                     {"budget", o.train.budget},
                                     {"nested_max", o.train.nestedMax}})
                         .dump();
        for (std::size_t i = 0; i < report.curve.size(); ++i)
            run.curve.push_back(
                {report.curve[i].first, report.curve[i].second, report.learningRates[i]});
        workspace.recordTrainingRun(run);
    }
    if (o.json) {
        std::cout << nlohmann::json({{"out", o.train.out},
                                     {"sha256", report.checkpointSha256},
                                     {"episodes", report.episodes},
                                     {"frames", report.frames},
                                     {"steps", report.stepsDone},
                                     {"initial_loss", report.initialLoss},
                                     {"final_loss", report.finalLoss},
                                     {"initial_object_loss", report.initialObjectLoss},
                                     {"final_object_loss", report.finalObjectLoss},
                                     {"seconds_per_step", report.secondsPerStep}})
                         .dump(2)
                  << std::endl;
        return;
    }
    if (report.stepsDone == 0) {
        std::cout << "re-exported " << o.train.resume << " with this version's grids.json; wrote "
                  << o.train.out << std::endl;
        return;
    }
    std::cout << "trained " << report.stepsDone << " steps on " << report.frames << " frames ("
              << report.episodes << " episodes): L1 " << report.initialLoss << " -> "
              << report.finalLoss;
    if (o.train.objectWeight > 0)
        std::cout << ", objects " << report.initialObjectLoss << " -> " << report.finalObjectLoss;
    std::cout << ", " << report.secondsPerStep << " s/step; wrote " << o.train.out << std::endl;
}

} // namespace

void addTrainCommand(CLI::App &app)
{
    auto o = std::make_shared<TrainCommandOptions>();
    CLI::App *command =
        app.add_subcommand("train", "Train the project's architecture into a contract checkpoint");
    command->add_option("--data", o->train.data, "LIBERO-layout files (comma-separated)")
        ->required()
        ->delimiter(',');
    command->add_option("--kind", o->train.kind, "grids (default) or dense")
        ->check(CLI::IsMember({"grids", "dense"}));
    auto *budget = command->add_option("--budget", o->train.budget, "GridS budget K (tokens/view)")
                       ->check(CLI::Range(1, 4096));
    command->add_option("--nested", o->train.nestedMax, "train nested budgets up to MAX")
        ->check(CLI::Range(1, 4096))
        ->excludes(budget);
    command->add_option("--sampler", o->train.sampler,
                        "GridS's coordinates: learned from each image (default), or the controls "
                        "fixed (learned, the same for every image), pooled (k×k block means) and "
                        "marks (the K cells most marked as target or reference; needs "
                        "--object-weight)")
        ->check(CLI::IsMember({"learned", "fixed", "pooled", "marks"}));
    command->add_flag("--instruction-conditioned", o->train.instructionConditioned,
                      "condition GridS' coordinates on the instruction");
    command->add_flag("--encoder-context", o->train.encoderContext,
                      "end the encoder with a self-attention block over each view's cells, so "
                      "that every cell (and the mean GridS pools) knows where things are");
    command->add_flag("!--no-instruction-binding", o->train.instructionBinding,
                      "leave out the layer in which visual tokens attend to the "
                      "instruction's words (as in checkpoints made before it)");
    // The loss weights: 0 (off) to 1000.
    const auto addWeight = [command](const char *name, double &weight, const char *help) {
        command->add_option(name, weight, help)->check(CLI::Range(0.0, 1000.0));
    };
    addWeight("--keyframe-weight", o->train.keyframeWeight,
              "frames where the expert's action changes weigh 1 + W x (mean change); default 0");
    addWeight("--object-weight", o->train.objectWeight,
              "> 0: mark each token as target/reference and read out where they are, with this "
              "weight against the action loss (needs the data's obs/target_pos, "
              "obs/reference_pos and their *_image_pos); default 0 (off)");
    addWeight("--look-weight", o->train.lookWeight,
              "GridS, with --object-weight: pull the nearest of each view's points towards the "
              "target and the reference, with this weight; default 0 (off)");
    command->add_option("--mask-state", o->maskState,
                        "state dimensions the policy does not see, comma-separated, or 'none' "
                        "(default; 0,1 hides the gripper's x and y, from which a cloned policy "
                        "can copy its own past motion instead of looking)");
    command
        ->add_option("--steps", o->train.steps,
                     "optimiser steps (0 with --resume: re-export with this version's grids.json)")
        ->required()
        ->check(CLI::Range(0, 10000000));
    command->add_option("--batch", o->train.batch, "batch size")->check(CLI::Range(1, 4096));
    command->add_option("--lr", o->train.learningRate, "peak learning rate");
    command->add_option("--warmup", o->train.warmup, "warm-up steps");
    command->add_option("--seed", o->train.seed, "seed");
    command->add_flag("!--no-augment", o->train.augment, "no random image shifts");
    command->add_option("--resume", o->train.resume, "continue from this checkpoint");
    command->add_option("--name", o->train.name, "checkpoint name in grids.json");
    command
        ->add_option("--save-every", o->train.saveEvery,
                     "also write the checkpoint every N steps (to evaluate a long run)")
        ->check(CLI::NonNegativeNumber);
    command->add_option("--out", o->train.out, "checkpoint to write (.pt)")->required();
    command->add_option("--db", o->db, "workspace database to store the training curve in");
    command->add_flag("--quiet", o->quiet, "no progress output");
    command->add_flag("--json", o->json, "print the report as JSON");
    command->callback([o] { runTrain(*o); });
}

} // namespace grids::cli
