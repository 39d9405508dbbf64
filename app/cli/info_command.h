#pragma once

namespace CLI {
class App;
}

namespace grids::cli {

// `grids info PATH [--json]`: the episodes in a file or folder.
void addInfoCommand(CLI::App &app);

} // namespace grids::cli
