#pragma once

namespace CLI {
class App;
}

namespace grids::cli {

// `grids train --data FILE.hdf5[,…] --kind grids|dense [--budget K|--nested MAX] --steps N
// --out C.pt`: trains the project's architecture and writes a contract checkpoint.
void addTrainCommand(CLI::App &app);

} // namespace grids::cli
