#include "make_dataset_command.h"

#include "cli_support.h"
#include "common/error.h"
#include "sim/dataset_generation.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>
#include <memory>

namespace grids::cli {
namespace {

struct MakeDatasetOptions
{
    std::string suite, out;
    int episodes = 0, threads = 0;
    double perturb = 0;
    double expertSlowDown = sim::ScriptedExpert::kSlowDownDistance;
    std::uint64_t seed = 0;
    bool quiet = false, json = false;
};

void runMakeDataset(const MakeDatasetOptions &o)
{
    sim::DatasetOptions options;
    options.tasks = sim::parseSuite(o.suite);
    options.episodes = o.episodes;
    options.seed = o.seed;
    options.out = o.out;
    options.threads = o.threads;
    options.perturbation = o.perturb;
    options.expertSlowDown = o.expertSlowDown;
    const auto folder = std::filesystem::path(o.out).parent_path();
    std::error_code ec;
    if (!folder.empty() && !std::filesystem::is_directory(folder, ec))
        throw usageError(o.out + ": folder " + folder.string() + " does not exist");

    sim::DatasetReport report;
    {
        ProgressPrinter printer(o.quiet);
        report = sim::makeDataset(options, printer.progress());
    }
    if (o.json) {
        std::cout << nlohmann::json({{"out", o.out},
                                     {"episodes", report.written},
                                     {"attempts", report.attempts},
                                     {"frames", report.frames},
                                     {"seconds", report.wallSeconds}})
                         .dump(2)
                  << std::endl;
        return;
    }
    std::cout << "wrote " << report.written << " episodes (" << report.frames << " frames, "
              << report.attempts - report.written << " failed expert attempts skipped) to " << o.out
              << " in " << int(report.wallSeconds + 0.5) << " s" << std::endl;
}

} // namespace

void addMakeDatasetCommand(CLI::App &app)
{
    auto o = std::make_shared<MakeDatasetOptions>();
    CLI::App *command = app.add_subcommand(
        "make-dataset", "Scripted demonstrations from the tabletop simulator (LIBERO layout)");
    command->add_option("--suite", o->suite, "tabletop (all tasks) or tabletop/TASK")->required();
    command->add_option("--episodes", o->episodes, "successful episodes to write, in all")
        ->required()
        ->check(CLI::Range(1, 1000000));
    command->add_option("--seed", o->seed, "seed of the layouts and the expert's noise")
        ->default_val(0);
    command->add_option("--out", o->out, "output FILE.hdf5")->required();
    command->add_option("--threads", o->threads, "worker threads (default: one per core)")
        ->check(CLI::Range(0, 256));
    command
        ->add_option("--perturb", o->perturb,
                     "DART: Gaussian noise of this size on the executed position actions; the "
                     "recorded actions stay the expert's (default 0)")
        ->check(CLI::Range(0.0, 2.0));
    command
        ->add_option("--expert-slow-down", o->expertSlowDown,
                     "the expert slows down within this many metres of each waypoint (default "
                     "0.05; 0.015: the first, dead-beat expert, whose demonstrations trained "
                     "the bundled checkpoints)")
        ->check(CLI::Range(0.015, 1.0));
    command->add_flag("--quiet", o->quiet, "no progress output");
    command->add_flag("--json", o->json, "print the report as JSON");
    command->callback([o] { runMakeDataset(*o); });
}

} // namespace grids::cli
