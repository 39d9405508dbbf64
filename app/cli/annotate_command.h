#pragma once

namespace CLI {
class App;
}

namespace grids::cli {

// `grids annotate --db DB add|edit|delete|list|export …`: annotations in a workspace database.
void addAnnotateCommand(CLI::App &app);

} // namespace grids::cli
