#pragma once

namespace CLI {
class App;
}

namespace grids::cli {

// `grids export-video --checkpoint C --episodes PATH --episode KEY [--method M] [--budget K]
// [--compare C2] [--overlays coords,heatmap,cells,grid,hud] --out FILE.mp4`
void addExportVideoCommand(CLI::App &app);

} // namespace grids::cli
