#include "eval/paired.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

namespace grids {

double mcnemarExactP(int onlyA, int onlyB)
{
    const int n = onlyA + onlyB, k = std::min(onlyA, onlyB);
    if (n == 0)
        return 1.0;
    // Σ_{i ≤ k} C(n, i) / 2ⁿ in logarithms: exact enough for thousands of episodes.
    const double logTotal = std::lgamma(n + 1.0) - n * std::log(2.0); // log(n! / 2ⁿ)
    double tail = 0;
    for (int i = 0; i <= k; ++i)
        tail += std::exp(logTotal - std::lgamma(i + 1.0) - std::lgamma(n - i + 1.0));
    return std::min(1.0, 2.0 * tail);
}

PairedComparison comparePaired(const std::vector<RolloutRow> &a,
                               const std::vector<RolloutRow> &b,
                               const std::string &task)
{
    using Key = std::tuple<std::string, int, std::uint64_t>;
    std::map<Key, bool> successOfB;
    for (const RolloutRow &row : b)
        if (task.empty() || row.task == task)
            successOfB[{row.task, row.episode, row.seed}] = row.success;
    PairedComparison result;
    for (const RolloutRow &row : a) {
        if (!task.empty() && row.task != task)
            continue;
        const auto other = successOfB.find({row.task, row.episode, row.seed});
        if (other == successOfB.end())
            continue;
        ++result.pairs;
        if (row.success && !other->second)
            ++result.onlyA;
        else if (!row.success && other->second)
            ++result.onlyB;
    }
    result.pValue = mcnemarExactP(result.onlyA, result.onlyB);
    return result;
}

} // namespace grids
