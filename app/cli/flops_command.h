#pragma once

namespace CLI {
class App;
}

namespace grids::cli {

// `grids flops --checkpoint C [--budgets K,…]` or `grids flops --profile pi0 [--budgets K,…]`:
// analytic FLOPs per frame by component and budget, and the reduction against dense.
void addFlopsCommand(CLI::App &app);

} // namespace grids::cli
