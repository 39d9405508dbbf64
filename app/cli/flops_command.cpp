#include "flops_command.h"

#include "common/error.h"
#include "eval/flops.h"
#include "model/checkpoint_info.h"
#include "model/policy.h"
#include "selectors/selector.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

namespace grids::cli {
namespace {

struct FlopsOptions
{
    std::string checkpoint, profile, convention = "analytic", method;
    std::vector<int> budgets = {1, 4, 16, 64};
    bool json = false;
};

void runFlops(const FlopsOptions &o)
{
    if (o.checkpoint.empty() == o.profile.empty())
        throw usageError("flops needs either --checkpoint C or --profile pi0");
    if (!o.profile.empty() && o.profile != "pi0")
        throw usageError("unknown --profile '" + o.profile + "' (known: pi0)");
    const FlopsConvention convention = flopsConventionFromName(o.convention);
    if (convention != FlopsConvention::Analytic && o.profile.empty())
        throw usageError("--convention " + o.convention +
                         " counts a published configuration's scanned layers: use it with --profile pi0");
    if (!o.method.empty() && !selectors::isKnownMethod(o.method))
        throw usageError("unknown --method '" + o.method + "'");
    std::unique_ptr<Policy> policy;
    int cells = 256;
    if (!o.checkpoint.empty()) {
        policy = Policy::load(o.checkpoint);
        cells = policy->info().cellsPerView();
    }
    // Without --method: the checkpoint's own selection (GridS's sampler, or none); with one, every
    // pass that method runs.
    auto flopsAt = [&](int tokens) {
        if (o.method.empty())
            return policy ? checkpointFlops(policy->info(), tokens) : pi0Flops(tokens, convention);
        return policy ? methodFlops(policy->info(), o.method, tokens)
                      : pi0MethodFlops(o.method, tokens, convention);
    };
    const FlopsBreakdown dense =
        policy ? checkpointFlops(policy->info(), cells) : pi0Flops(cells, convention);
    std::vector<int> budgets;
    for (int k : o.budgets) {
        if (k < 1 || k > cells)
            throw usageError("budget " + std::to_string(k) + " is outside 1.." +
                             std::to_string(cells));
        if (k != cells)
            budgets.push_back(k);
    }
    budgets.push_back(cells);
    const std::string name = policy ? policy->info().path
                                    : "pi0 (published configuration, " +
                                          flopsConventionName(convention) + " convention)";
    nlohmann::json rows = nlohmann::json::array();
    if (!o.json) {
        std::printf("%s: FLOPs per frame (2 per multiply-add)%s\n", name.c_str(),
                    o.method.empty() ? "" : (", method " + o.method).c_str());
        std::printf("%8s %14s %14s %14s %14s %10s\n", "tokens", "encoder", "selector", "head",
                    "total", "vs dense");
    }
    for (int k : budgets) {
        const FlopsBreakdown f = flopsAt(k);
        const double ratio = f.total() / dense.total();
        if (o.json)
            rows.push_back({{"tokens_per_view", k},
                            {"encoder", f.encoder},
                            {"selector", f.selector},
                            {"head", f.head},
                            {"total", f.total()},
                            {"ratio_to_dense", ratio}});
        else
            std::printf("%8s %14.4g %14.4g %14.4g %14.4g %+9.1f%%\n",
                        k == cells ? "dense" : std::to_string(k).c_str(), f.encoder, f.selector,
                        f.head, f.total(), 100 * (ratio - 1));
    }
    if (o.json)
        std::cout << nlohmann::json({{"model", name},
                                     {"convention", flopsConventionName(convention)},
                                     {"method", o.method.empty() ? "own" : o.method},
                                     {"budgets", rows}})
                         .dump(2)
                  << std::endl;
}

} // namespace

void addFlopsCommand(CLI::App &app)
{
    auto o = std::make_shared<FlopsOptions>();
    CLI::App *command =
        app.add_subcommand("flops", "Analytic FLOPs per frame by component and token budget");
    command->add_option("--checkpoint", o->checkpoint, "checkpoint .pt (its grids.json)");
    command->add_option("--profile", o->profile, "a published configuration: pi0");
    command->add_option("--convention", o->convention,
                        "analytic (every layer and flow step, default) or xla-scan (one layer "
                        "per scanned stack and one flow step, as XLA's cost analysis counts; "
                        "with --profile pi0)");
    command->add_option("--method", o->method,
                        "count every pass this method runs (fastv: its dense ranking pass); "
                        "default: the checkpoint's own selection");
    command->add_option("--budgets", o->budgets, "tokens per view (default 1,4,16,64)")
        ->delimiter(',');
    command->add_flag("--json", o->json, "print the table as JSON");
    command->callback([o] { runFlops(*o); });
}

} // namespace grids::cli
