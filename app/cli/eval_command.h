#pragma once

namespace CLI {
class App;
}

namespace grids::cli {

// `grids eval --checkpoint C --suite tabletop[/TASK] --episodes N [--method M] [--budget K]
// [--seed S] [--record-failures F.hdf5]`: closed-loop success rates in the simulator.
void addEvalCommand(CLI::App &app);

} // namespace grids::cli
