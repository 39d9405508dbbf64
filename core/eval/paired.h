#pragma once

// Paired comparison of two closed-loop runs on the same episodes (McNemar's test): each episode
// (task, index and seed: the same layout) that both runs played is a pair; only the pairs on
// which they disagree carry information.

#include "store/results.h"

#include <string>
#include <vector>

namespace grids {

struct PairedComparison
{
    int pairs = 0;
    int onlyA = 0;     // A succeeded, B failed
    int onlyB = 0;     // B succeeded, A failed
    double pValue = 1; // exact two-sided McNemar (binomial on onlyA + onlyB at one half)
};

// Exact two-sided McNemar p-value for the discordant counts: 2·P(X ≤ min(b, c)) for
// X ~ Binomial(b + c, ½), at most 1; 1 when there is no discordant pair.
double mcnemarExactP(int onlyA, int onlyB);

// Pairs A's and B's episodes by task, episode index and seed; `task` empty: every task.
PairedComparison comparePaired(const std::vector<RolloutRow> &a,
                               const std::vector<RolloutRow> &b,
                               const std::string &task = {});

} // namespace grids
