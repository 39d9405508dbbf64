#include "report_command.h"

#include "common/atomic_file.h"
#include "common/error.h"
#include "eval/report.h"
#include "store/workspace.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <memory>

namespace grids::cli {

void addReportCommand(CLI::App &app)
{
    struct ReportOptions
    {
        std::string db, format = "markdown", out;
    };
    auto o = std::make_shared<ReportOptions>();
    CLI::App *command = app.add_subcommand(
        "report", "The main table: method, tokens, FLOPs, time, success or error, against dense");
    command->add_option("--db", o->db, "workspace database")->required();
    command->add_option("--format", o->format, "markdown (default), csv or json")
        ->check(CLI::IsMember({"markdown", "csv", "json"}));
    command->add_option("--out", o->out, "write to this file instead of stdout");
    command->callback([o] {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(o->db, ec))
            throw badInput(o->db + ": no such workspace database");
        Workspace workspace(o->db);
        const auto rows = buildReport(workspace);
        if (rows.empty())
            throw usageError(o->db + ": no sweep or evaluation runs to report");
        const std::string text = o->format == "csv"    ? reportCsv(rows)
                                 : o->format == "json" ? reportJson(rows) + "\n"
                                                       : reportMarkdown(rows);
        if (o->out.empty())
            std::cout << text << std::flush;
        else
            writeFileAtomically(o->out, text);
    });
}

} // namespace grids::cli
