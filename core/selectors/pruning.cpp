// Pruning rules: each keeps `budget` of a view's cells as they are.

#include "common/error.h"
#include "common/vector_clones.h"
#include "selectors/selector.h"
#include "selectors/selector_util.h"

#include <algorithm>
#include <cmath>
#include <cstring>
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
    auto logit = [&](int c, int l) {
        return double(view.textRelevance[std::size_t(c * words + l)]);
    };
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

std::vector<float> relevanceFromEmbeddings(const ViewTokens &view,
                                           const std::vector<float> &embeddings)
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

namespace {

using detail::Floats;

// The largest of x[0..n), eight at a time (a maximum is exact in any order).
GRIDS_VECTOR_CLONES
float largestOf(const float *x, int n)
{
    float most = -std::numeric_limits<float>::infinity();
    int i = 0;
    if (n >= 8) {
        Floats lanes, v;
        std::memcpy(&lanes, x, sizeof lanes);
        for (i = 8; i + 8 <= n; i += 8) {
            std::memcpy(&v, x + i, sizeof v);
            lanes = v > lanes ? v : lanes;
        }
        for (int l = 0; l < 8; ++l)
            most = std::max(most, lanes[l]);
    }
    for (; i < n; ++i)
        most = std::max(most, x[i]);
    return most;
}

// toKept[c] = min(toKept[c], 1 − cosines[c]) for every c.
GRIDS_VECTOR_CLONES
void nearerDistances(float *toKept, const float *cosines, int n)
{
    for (int c = 0; c < n; ++c)
        toKept[c] = std::min(toKept[c], 1.0f - cosines[c]);
}

} // namespace

// DivPrune: maximise the minimum pairwise cosine distance of the kept set, greedily. The first
// cell is the most isolated one (largest distance to its nearest neighbour); each next cell is
// the one farthest from everything kept so far. Distances are 1 − cosine; a cell's smallest
// distance is 1 − its largest cosine (rounding keeps the order), which is what is computed.
std::vector<int> detail::divPruneOrder(const ViewTokens &view, int budget)
{
    const int n = view.cells();
    const std::shared_ptr<const std::vector<float>> cosines =
        view.cosines ? view.cosines : cellCosines(view);
    const auto row = [&cosines, n](int a) {
        return cosines->data() + std::size_t(a) * std::size_t(n);
    };
    int first = 0;
    float best = -1;
    for (int a = 0; a < n; ++a) {
        const float nearest =
            1.0f - std::max(largestOf(row(a), a), largestOf(row(a) + a + 1, n - a - 1));
        if (nearest > best)
            best = nearest, first = a;
    }
    // Each cell's distance to the nearest kept cell; minus infinity once it is kept itself, so
    // that the farthest (the first of equals) is always one not yet kept.
    const float keptMark = -std::numeric_limits<float>::infinity();
    std::vector<float> toKept(static_cast<std::size_t>(n));
    for (int c = 0; c < n; ++c)
        toKept[std::size_t(c)] = 1.0f - row(first)[c];
    toKept[std::size_t(first)] = keptMark;
    std::vector<int> kept = {first};
    while (int(kept.size()) < budget) {
        const float farthest = largestOf(toKept.data(), n);
        const int next = int(std::find(toKept.begin(), toKept.end(), farthest) - toKept.begin());
        kept.push_back(next);
        nearerDistances(toKept.data(), row(next), n);
        toKept[std::size_t(next)] = keptMark;
    }
    return kept;
}

std::vector<Token> selectDivPrune(const ViewTokens &view, int budget)
{
    return detail::singleCells(detail::divPruneOrder(view, budget));
}

} // namespace grids::selectors
