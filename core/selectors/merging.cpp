// Merging rules: some of the kept tokens average several cells.

#include "selectors/selector.h"
#include "selectors/selector_util.h"

#include <algorithm>
#include <numeric>
#include <optional>

namespace grids::selectors {
namespace {

// A token being merged: its cells and the sum of their features (mean = sum / size).
struct Group
{
    std::vector<int> cells;
    std::vector<double> sum;
};

std::vector<float> unitMeans(const std::vector<Group> &groups, int dim)
{
    std::vector<float> means(groups.size() * std::size_t(dim));
    for (std::size_t g = 0; g < groups.size(); ++g)
        for (int d = 0; d < dim; ++d)
            means[g * std::size_t(dim) + std::size_t(d)] =
                float(groups[g].sum[std::size_t(d)] / double(groups[g].cells.size()));
    return detail::normalisedRows(means.data(), int(groups.size()), dim);
}

} // namespace

// ToMe's bipartite soft matching, repeated until `budget` tokens remain: split the tokens
// alternately into sets A and B, connect each A token to its most similar B token (cosine of
// the current, size-weighted mean features), merge the r most similar pairs, r = as many as are
// still to go (at most |A|). ToMe matches attention keys inside a ViT; our encoder has no keys,
// so the tokens themselves are compared.
std::vector<Token> selectToMe(const ViewTokens &view, int budget)
{
    return detail::toMeEach(view, {budget}).front();
}

namespace {

struct Edge
{
    int a, b;
    float similarity;
};

// One round's pairs: each A token (even index) with its most similar B token (odd), most
// similar pairs first. `cellCosines` (every cell with every cell, or null) serves the first
// round, in which group g is cell g alone, and its mean that cell's features.
std::vector<Edge>
matchedPairs(const std::vector<Group> &groups, int dim, const std::vector<float> *cellCosines)
{
    const int n = int(groups.size());
    std::vector<float> unit, setB;
    std::optional<detail::CosineRows> cosines;
    if (!cellCosines) {
        unit = unitMeans(groups, dim);
        for (std::size_t b = 1; b < groups.size(); b += 2)
            setB.insert(setB.end(), unit.begin() + std::ptrdiff_t(b * std::size_t(dim)),
                        unit.begin() + std::ptrdiff_t((b + 1) * std::size_t(dim)));
        cosines.emplace(setB.data(), int(setB.size()) / dim, dim);
    }
    std::vector<Edge> edges;
    for (int a = 0; a < n; a += 2) {
        Edge edge{a, -1, -2.0f};
        const float *row =
            cellCosines ? cellCosines->data() + std::size_t(a) * std::size_t(n) : nullptr;
        const float *rowB =
            cellCosines ? nullptr
                        : cosines->with(unit.data() + std::size_t(a) * std::size_t(dim)).data();
        for (int b = 1; b < n; b += 2) {
            const float s = row ? row[b] : rowB[b / 2];
            if (s > edge.similarity)
                edge.b = b, edge.similarity = s;
        }
        if (edge.b >= 0)
            edges.push_back(edge);
    }
    std::stable_sort(edges.begin(), edges.end(),
                     [](const Edge &x, const Edge &y) { return x.similarity > y.similarity; });
    return edges;
}

// The groups after merging the first `merges` pairs, in the order of their first cell.
std::vector<Group> merged(std::vector<Group> groups, const std::vector<Edge> &edges, int merges)
{
    std::vector<bool> gone(groups.size(), false);
    for (int m = 0; m < merges; ++m) {
        Group &a = groups[std::size_t(edges[std::size_t(m)].a)];
        Group &b = groups[std::size_t(edges[std::size_t(m)].b)];
        b.cells.insert(b.cells.end(), a.cells.begin(), a.cells.end());
        for (std::size_t d = 0; d < b.sum.size(); ++d)
            b.sum[d] += a.sum[d];
        gone[std::size_t(edges[std::size_t(m)].a)] = true;
    }
    std::vector<Group> next;
    for (std::size_t g = 0; g < groups.size(); ++g)
        if (!gone[g]) {
            std::sort(groups[g].cells.begin(), groups[g].cells.end());
            next.push_back(std::move(groups[g]));
        }
    std::sort(next.begin(), next.end(),
              [](const Group &x, const Group &y) { return x.cells.front() < y.cells.front(); });
    return next;
}

std::vector<Token> tokensOf(const std::vector<Group> &groups)
{
    std::vector<Token> tokens;
    for (const auto &group : groups)
        tokens.push_back(detail::meanOf(group.cells));
    return tokens;
}

} // namespace

// Every budget follows the rounds of the smallest one, which merge min(g − smallest, |A|) pairs
// of g tokens, until the round in which that is more than g − K: there K merges only the g − K
// most similar pairs of that round's list and stops. So the rounds run once for all budgets.
std::vector<std::vector<Token>> detail::toMeEach(const ViewTokens &view,
                                                 const std::vector<int> &budgets)
{
    const int dim = view.dim;
    std::vector<Group> groups(std::size_t(view.cells()));
    for (int c = 0; c < view.cells(); ++c) {
        groups[std::size_t(c)].cells = {c};
        const float *f = view.features + std::size_t(c) * std::size_t(dim);
        groups[std::size_t(c)].sum.assign(f, f + dim);
    }
    std::vector<std::vector<Token>> selections(budgets.size());
    std::vector<std::size_t> pending(budgets.size()); // largest budget last
    std::iota(pending.begin(), pending.end(), 0);
    std::sort(pending.begin(), pending.end(),
              [&](std::size_t x, std::size_t y) { return budgets[x] < budgets[y]; });
    while (!pending.empty()) {
        const int g = int(groups.size());
        while (!pending.empty() && budgets[pending.back()] >= g) { // reached
            selections[pending.back()] = tokensOf(groups);
            pending.pop_back();
        }
        if (pending.empty())
            break;
        const bool firstRound = int(groups.size()) == view.cells();
        const std::vector<Edge> edges =
            matchedPairs(groups, dim, firstRound && view.cosines ? view.cosines.get() : nullptr);
        const int merges = std::min(g - budgets[pending.front()], int(edges.size()));
        while (!pending.empty() && g - budgets[pending.back()] < merges) { // stops in this round
            selections[pending.back()] = tokensOf(merged(groups, edges, g - budgets[pending.back()]));
            pending.pop_back();
        }
        groups = merged(std::move(groups), edges, merges);
    }
    return selections;
}

// VisionZip: K − c dominant cells by the head's attention, kept as they are, plus c contextual
// tokens: c targets spread evenly over the remaining cells (in cell order), every other remaining
// cell merged into its most similar target (cosine), each contextual token their mean. c is about
// a sixth of the budget (VisionZip's 54 + 10 of 64), at least 1 from K = 2 on.
std::vector<Token> selectVisionZip(const ViewTokens &view, int budget)
{
    const int n = view.cells(), dim = view.dim;
    const int contextual = budget < 2 ? 0 : std::max(1, budget * 10 / 64);
    const std::vector<int> dominant = detail::topCells(view.attention, budget - contextual);
    std::vector<bool> isDominant(std::size_t(n), false);
    for (int c : dominant)
        isDominant[std::size_t(c)] = true;
    std::vector<int> rest;
    for (int c = 0; c < n; ++c)
        if (!isDominant[std::size_t(c)])
            rest.push_back(c);
    std::vector<Token> tokens = detail::singleCells(dominant);
    if (contextual == 0)
        return tokens;
    std::vector<int> targets;
    std::vector<bool> isTarget(std::size_t(n), false);
    for (int t = 0; t < contextual; ++t) {
        const int cell = rest[std::size_t((2 * t + 1) * int(rest.size()) / (2 * contextual))];
        targets.push_back(cell);
        isTarget[std::size_t(cell)] = true;
    }
    std::vector<std::vector<int>> members(targets.size());
    for (std::size_t t = 0; t < targets.size(); ++t)
        members[t].push_back(targets[t]);
    // Each remaining cell's cosines with the targets: from the view's matrix where it has one,
    // else from the normalised features (the same sums).
    std::vector<float> unit, targetRows, toTargets(targets.size());
    std::optional<detail::CosineRows> cosines;
    if (!view.cosines) {
        unit = detail::normalisedRows(view.features, n, dim);
        for (int t : targets)
            targetRows.insert(targetRows.end(), unit.begin() + std::ptrdiff_t(t) * dim,
                              unit.begin() + std::ptrdiff_t(t + 1) * dim);
        cosines.emplace(targetRows.data(), int(targets.size()), dim);
    }
    for (int c : rest) {
        if (isTarget[std::size_t(c)])
            continue;
        if (view.cosines)
            for (std::size_t t = 0; t < targets.size(); ++t)
                toTargets[t] =
                    (*view.cosines)[std::size_t(c) * std::size_t(n) + std::size_t(targets[t])];
        else
            toTargets = cosines->with(unit.data() + std::size_t(c) * std::size_t(dim));
        std::size_t best = 0;
        for (std::size_t t = 1; t < targets.size(); ++t)
            if (toTargets[t] > toTargets[best])
                best = t;
        members[best].push_back(c);
    }
    for (auto &cells : members)
        tokens.push_back(detail::meanOf(cells));
    detail::sortByFirstCell(tokens);
    return tokens;
}

} // namespace grids::selectors
