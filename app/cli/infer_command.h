#pragma once

namespace CLI {
class App;
}

namespace grids::cli {

// `grids infer --checkpoint C --episodes PATH [--episode KEY] [--method M] [--budget K]
// [--frames A:B] [--out FILE.json|.csv]`: frame-by-frame inference.
void addInferCommand(CLI::App &app);

} // namespace grids::cli
