#pragma once

namespace CLI {
class App;
}

namespace grids::cli {

// `grids sweep --checkpoint C --episodes PATH --methods M,… --budgets K,… --db DB [--shard I/N]
// [--episode KEY] [--every N] [--force]`: open-loop comparison of methods × budgets.
void addSweepCommand(CLI::App &app);

// `grids merge --db OUT DB1 DB2 …`: joins shard databases (idempotent).
void addMergeCommand(CLI::App &app);

} // namespace grids::cli
