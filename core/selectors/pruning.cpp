// Pruning rules: each keeps `budget` of a view's cells as they are.

#include "common/error.h"
#include "selectors/selector.h"
#include "selectors/selector_util.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace grids::selectors {

// FastV prunes inside the LLM by the attention that layer K's tokens pay to image tokens; our
// head has no image-to-image layers before the action queries, so the ranking is the dense pass's
// attention of the action queries (averaged over heads and queries, as `act` returns it).
std::vector<Token> selectTopAttention(const ViewTokens &view, int budget)
{
    return detail::singleCells(detail::topCells(view.attention, budget));
}

// SparseVLM rates visual tokens by the attention of "raters", the instruction tokens most
// relevant to the image, inside the LLM. Here: relevance of instruction token l is its mean
// scaled dot product with the view's cells; raters are the tokens at or above the mean relevance;
// a cell's score is the raters' summed softmax attention to it. The original also recycles some
// pruned tokens into merged ones; this adaptation keeps only the ranked cells.
std::vector<float> detail::sparseVlmScores(const ViewTokens &view)
{
    const int n = view.cells(), words = view.words;
    if (words <= 0 || view.textRelevance.size() != std::size_t(n) * std::size_t(words))
        throw usageError("sparsevlm needs the model's text signal over the " + std::to_string(n) +
                         " cells of each view (the checkpoint method 'text_relevance' or "
                         "'embed_instruction')");
    auto logit = [&](int c, int l) { return double(view.textRelevance[std::size_t(c * words + l)]); };
    // Every word of the instruction rates the cells (padding, -inf, does not): each word's
    // attention over the cells (a softmax of its logits), summed. SparseVLM keeps only the words
    // more relevant than average as raters; on this signal that choice kept cells farther from
    // the named target than random ones (docs/SELECTORS.md).
    std::vector<float> score(std::size_t(n), 0.0f);
    int raters = 0;
    for (int l = 0; l < words; ++l) {
        if (std::isinf(logit(0, l)) && logit(0, l) < 0)
            continue;
        ++raters;
        double top = -std::numeric_limits<double>::infinity(), sum = 0;
        for (int c = 0; c < n; ++c)
            top = std::max(top, logit(c, l));
        for (int c = 0; c < n; ++c)
            sum += std::exp(logit(c, l) - top);
        for (int c = 0; c < n; ++c)
            score[std::size_t(c)] += float(std::exp(logit(c, l) - top) / sum);
    }
    if (raters == 0)
        throw usageError("sparsevlm: the instruction has no words to rate the cells with");
    return score;
}

std::vector<Token> selectSparseVlm(const ViewTokens &view, int budget)
{
    return detail::singleCells(detail::topCells(detail::sparseVlmScores(view), budget));
}

std::vector<float> relevanceFromEmbeddings(const ViewTokens &view, const std::vector<float> &embeddings)
{
    const int n = view.cells(), dim = view.dim;
    if (embeddings.empty() || embeddings.size() % std::size_t(dim) != 0)
        throw usageError("sparsevlm needs the instruction's embeddings as rows of " +
                         std::to_string(dim));
    const int words = int(embeddings.size() / std::size_t(dim));
    const double scale = 1.0 / std::sqrt(double(dim));
    std::vector<float> logits(std::size_t(n) * std::size_t(words));
    for (int c = 0; c < n; ++c)
        for (int l = 0; l < words; ++l) {
            double dot = 0;
            for (int d = 0; d < dim; ++d)
                dot += double(embeddings[std::size_t(l * dim + d)]) *
                       view.features[std::size_t(c) * std::size_t(dim) + std::size_t(d)];
            logits[std::size_t(c * words + l)] = float(dot * scale);
        }
    return logits;
}

// DivPrune: maximise the minimum pairwise cosine distance of the kept set, greedily. The first
// cell is the most isolated one (largest distance to its nearest neighbour); each next cell is
// the one farthest from everything kept so far.
std::vector<int> detail::divPruneOrder(const ViewTokens &view, int budget)
{
    const int n = view.cells();
    const std::shared_ptr<const std::vector<float>> cosines =
        view.cosines ? view.cosines : cellCosines(view);
    // The cosine distance of cells a and b, 1 − cosine.
    const auto distance = [&cosines, n](int a, int b) {
        return 1.0f - (*cosines)[std::size_t(a) * std::size_t(n) + std::size_t(b)];
    };
    int first = 0;
    float best = -1;
    for (int a = 0; a < n; ++a) {
        float nearest = std::numeric_limits<float>::infinity();
        for (int b = 0; b < n; ++b)
            if (b != a)
                nearest = std::min(nearest, distance(a, b));
        if (nearest > best)
            best = nearest, first = a;
    }
    std::vector<int> kept = {first};
    std::vector<float> toKept(static_cast<std::size_t>(n));
    for (int c = 0; c < n; ++c)
        toKept[std::size_t(c)] = distance(first, c);
    std::vector<char> taken(static_cast<std::size_t>(n), 0);
    taken[std::size_t(first)] = 1;
    while (int(kept.size()) < budget) {
        int next = -1;
        for (int c = 0; c < n; ++c)
            if (!taken[std::size_t(c)] &&
                (next < 0 || toKept[std::size_t(c)] > toKept[std::size_t(next)]))
                next = c;
        kept.push_back(next);
        taken[std::size_t(next)] = 1;
        for (int c = 0; c < n; ++c)
            toKept[std::size_t(c)] = std::min(toKept[std::size_t(c)], distance(next, c));
    }
    return kept;
}

std::vector<Token> selectDivPrune(const ViewTokens &view, int budget)
{
    return detail::singleCells(detail::divPruneOrder(view, budget));
}

} // namespace grids::selectors
