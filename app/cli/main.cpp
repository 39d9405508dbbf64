// grids: the command-line face of GridS Studio (CLI.md). Parses arguments, runs one sub-command,
// and turns every failure into one `error:` line and the documented exit status.

#include "annotate_command.h"
#include "cli_support.h"
#include "common/error.h"
#include "eval_command.h"
#include "export_video_command.h"
#include "flops_command.h"
#include "infer_command.h"
#include "info_command.h"
#include "make_dataset_command.h"
#include "plot_command.h"
#include "report_command.h"
#include "slurm.h"
#include "sweep_command.h"
#include "train_command.h"

#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>
#include <new>

namespace {

int exitCodeFor(grids::Error::Kind kind)
{
    using Kind = grids::Error::Kind;
    switch (kind) {
    case Kind::BadInput:
        return grids::cli::kExitBadInput;
    case Kind::Usage:
        return grids::cli::kExitUsage;
    case Kind::Cancelled:
        return grids::cli::kExitInterrupted;
    case Kind::Other:
        return grids::cli::kExitOther;
    }
    return grids::cli::kExitOther;
}

} // namespace

int main(int argc, char **argv)
{
    using namespace grids::cli;
    installInterruptHandler();
    rememberInvocation(argc, argv);

    CLI::App app{"GridS Studio command line: inspect episodes and GridS token selection"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "grids 0.1.0");
    addInfoCommand(app);
    addAnnotateCommand(app);
    addMakeDatasetCommand(app);
    addInferCommand(app);
    addTrainCommand(app);
    addEvalCommand(app);
    addSweepCommand(app);
    addMergeCommand(app);
    addFlopsCommand(app);
    addReportCommand(app);
    addPlotCommand(app);
    addExportVideoCommand(app);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp &e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp &e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion &e) {
        return app.exit(e);
    } catch (const CLI::ParseError &e) {
        printError(std::string(e.what()) + " (see grids --help)");
        return kExitUsage;
    } catch (const grids::Error &e) {
        printError(e);
        return exitCodeFor(e.kind());
    } catch (const std::bad_alloc &) {
        printError("out of memory");
        return kExitOther;
    } catch (const std::exception &e) {
        printError(e.what());
        return kExitOther;
    }
    return interrupted().load() ? kExitInterrupted : kExitOk;
}
