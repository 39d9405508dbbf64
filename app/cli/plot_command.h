#pragma once

namespace CLI {
class App;
}

namespace grids::cli {

// `grids plot --db DB --x tokens --y error --methods … --out FILE.{png,pdf,svg}`: draws a
// comparison plot and saves it as a plot row; `--id N` redraws a saved one; `--list` lists them.
void addPlotCommand(CLI::App &app);

} // namespace grids::cli
