#pragma once

namespace CLI {
class App;
}

namespace grids::cli {

// `grids make-dataset --suite tabletop[/TASK] --episodes N --seed S --out FILE.hdf5`: scripted
// demonstrations from the simulator, LIBERO layout.
void addMakeDatasetCommand(CLI::App &app);

} // namespace grids::cli
