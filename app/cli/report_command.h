#pragma once

namespace CLI {
class App;
}

namespace grids::cli {

// `grids report --db DB [--format markdown|csv|json] [--out FILE]`: the paper's main table.
void addReportCommand(CLI::App &app);

} // namespace grids::cli
