#include "eval/flops.h"

#include "common/error.h"
#include "model/checkpoint_info.h"
#include "selectors/selector.h"

#include <algorithm>
#include <cmath>

namespace grids {

double transformerLayerFlops(const TransformerLayerShape &s, double n, double m)
{
    const double g = s.gatedMlp ? 3.0 : 2.0;
    return 2.0 * n * (s.width * (s.queryWidth + 2.0 * s.keyValueWidth) + s.queryWidth * s.width) +
           2.0 * n * g * s.width * s.feedForward + 4.0 * n * m * s.queryWidth;
}

namespace {

// A GridS sampler per view, in its parts: the MLP that predicts K coordinates from the
// LayerNorm-pooled features (C→512→2K), bilinear sampling (4 taps per channel) and the
// coordinate embedding (2→256→C).
double coordinateMlpFlops(double C, double K)
{
    return 2.0 * (C * 512 + 512 * 2 * K);
}

double bilinearSamplingFlops(double C, double K)
{
    return 4.0 * 2.0 * K * C;
}

double coordinateEmbeddingFlops(double C, double K)
{
    return 2.0 * K * (2 * 256 + 256 * C);
}

double gridsSamplerFlops(double C, double K)
{
    return coordinateMlpFlops(C, K) + bilinearSamplingFlops(C, K) + coordinateEmbeddingFlops(C, K);
}

// The marks control rates every cell as the head would before keeping K of them: per cell the
// coordinate embedding (2→C), the binding's query and output projections (C→C each), its
// scores and weighted sum over the words, and the two mark logits (C→2); per view the words'
// keys and values (C→2C). Choosing the top K and copying the kept cells is not counted.
double markingFlops(double C, double cells, double words)
{
    return 2.0 * cells * (2 * C + 2 * C * C + 2 * words * C + 2 * C) + 2.0 * words * C * 2 * C;
}

// The controls: fixed coordinates skip the MLP that predicts them; pooling adds each cell once
// (1 FLOP per addition) instead of sampling; both embed their coordinates. Marks keeps cells
// as they are, after rating them all.
double samplerFlops(const std::string &sampler, double C, double K, double cells, double words)
{
    if (sampler == "fixed")
        return bilinearSamplingFlops(C, K) + coordinateEmbeddingFlops(C, K);
    if (sampler == "pooled")
        return cells * C + coordinateEmbeddingFlops(C, K);
    if (sampler == "marks")
        return markingFlops(C, cells, words);
    return gridsSamplerFlops(C, K);
}

constexpr double kPi0ImageTokens = 256, kPi0TextTokens = 48, kPi0SuffixTokens = 51;
constexpr double kSiglipWidth = 1152, kGemmaWidth = 2048;
const TransformerLayerShape kSiglip{kSiglipWidth, kSiglipWidth, kSiglipWidth, 4304, false};
const TransformerLayerShape kGemma{kGemmaWidth, 8 * 256, 1 * 256, 16384, true};
const TransformerLayerShape kExpert{1024, 8 * 256, 1 * 256, 4096, true};

struct Pi0Counting
{
    double cameras, siglipLayers, gemmaLayers, expertLayers, flowSteps;
    bool embedAndProject; // the patch embedding (14×14×3 → 1152) and projector (1152 → 2048)
};

Pi0Counting pi0Counting(FlopsConvention convention)
{
    if (convention == FlopsConvention::XlaScan)
        return {3, 1, 1, 1, 1, true};
    return {2, 27, 18, 18, 10, false};
}

// pi0's head (prefix and action expert) over `kept` image tokens per camera.
double pi0Head(const Pi0Counting &c, double kept)
{
    const double prefix = c.cameras * kept + kPi0TextTokens;
    return c.gemmaLayers * transformerLayerFlops(kGemma, prefix, prefix) +
           c.flowSteps * c.expertLayers *
               transformerLayerFlops(kExpert, kPi0SuffixTokens, prefix + kPi0SuffixTokens);
}

// What a method computes to choose its tokens, per view, besides the passes counted elsewhere:
// n cells of width d, `words` instruction tokens, K kept.
double selectionWork(const std::string &method, double n, double d, double words, double K)
{
    if (method == "divprune")
        return 2.0 * n * n * d; // every pairwise cosine distance
    if (method == "tome") {
        double work = 0;
        for (double g = n; g > K;) { // rounds of bipartite matching, at most halving
            const double a = std::ceil(g / 2), b = std::floor(g / 2);
            work += 2.0 * a * b * d;
            g -= std::min(g - K, a);
        }
        return work;
    }
    if (method == "sparsevlm")
        return 2.0 * n * d * d + 2.0 * n * words * d; // token queries, token-word logits
    return 0;
}

// The instruction's words in a cross-attention head's context (the rest is the state token).
double instructionWords(const CheckpointInfo &info)
{
    return std::max(0, info.headContextExtra - 1);
}

// FastV and VisionZip rank cells by the head's attention from a pass on the dense set.
bool ranksByDenseHeadPass(const std::string &method)
{
    return selectors::needsOf(method).headAttention;
}

} // namespace

FlopsConvention flopsConventionFromName(const std::string &name)
{
    if (name == "analytic")
        return FlopsConvention::Analytic;
    if (name == "xla-scan")
        return FlopsConvention::XlaScan;
    throw usageError("unknown FLOPs convention '" + name + "' (known: analytic, xla-scan)");
}

std::string flopsConventionName(FlopsConvention convention)
{
    return convention == FlopsConvention::Analytic ? "analytic" : "xla-scan";
}

FlopsBreakdown pi0Flops(int tokensPerView, FlopsConvention convention)
{
    const Pi0Counting c = pi0Counting(convention);
    FlopsBreakdown flops;
    const double perImage =
        c.siglipLayers * transformerLayerFlops(kSiglip, kPi0ImageTokens, kPi0ImageTokens) +
        (c.embedAndProject ? 2.0 * kPi0ImageTokens * (14 * 14 * 3) * kSiglipWidth +
                                 2.0 * kPi0ImageTokens * kSiglipWidth * kGemmaWidth
                           : 0.0);
    flops.encoder = c.cameras * perImage;
    const double kept = std::min<double>(tokensPerView, kPi0ImageTokens);
    if (kept < kPi0ImageTokens)
        flops.selector = c.cameras * gridsSamplerFlops(kSiglipWidth, kept);
    flops.head = pi0Head(c, kept);
    return flops;
}

FlopsBreakdown pi0MethodFlops(const std::string &method, int tokensPerView, FlopsConvention convention)
{
    // At full budget every method keeps every cell, as dense does: no ranking pass is needed.
    if (method == "dense" || tokensPerView >= int(kPi0ImageTokens))
        return pi0Flops(int(kPi0ImageTokens), convention);
    FlopsBreakdown flops = pi0Flops(tokensPerView, convention);
    if (method == "grids")
        return flops;
    const Pi0Counting c = pi0Counting(convention);
    const double kept = std::min<double>(tokensPerView, kPi0ImageTokens);
    flops.selector = c.cameras * selectionWork(method, kPi0ImageTokens, kSiglipWidth,
                                               kPi0TextTokens, kept);
    if (ranksByDenseHeadPass(method))
        flops.selector += pi0Head(c, kPi0ImageTokens);
    return flops;
}

FlopsBreakdown methodFlops(const CheckpointInfo &info, const std::string &method, int tokensPerView)
{
    const int cells = info.cellsPerView();
    if (method == "dense" || tokensPerView >= cells) // full budget: every cell, as dense
        return checkpointFlops(info, cells);
    FlopsBreakdown flops = checkpointFlops(info, tokensPerView);
    if (method == "grids")
        return flops;
    const double views = double(info.views.size());
    flops.selector = views * selectionWork(method, cells, info.tokenDim, instructionWords(info),
                                           tokensPerView);
    if (ranksByDenseHeadPass(method))
        flops.selector += checkpointFlops(info, cells).head;
    return flops;
}

FlopsBreakdown checkpointFlops(const CheckpointInfo &info, int tokensPerView)
{
    FlopsBreakdown flops;
    const double views = double(info.views.size());
    if (info.encoderFlopsPerView)
        flops.encoder = *info.encoderFlopsPerView * views;
    if (info.isGrids() && tokensPerView < info.cellsPerView())
        flops.selector = views * samplerFlops(info.sampler, info.tokenDim, tokensPerView,
                                              info.cellsPerView(), instructionWords(info));
    if (info.headLayers > 0) {
        const double d = info.headWidth, T = info.actionHorizon;
        TransformerLayerShape layer{d, d, d, double(info.headFF), false};
        if (info.headAttention == "cross") {
            // Per layer: the T queries self-attend (projections, attention, feed-forward), then
            // cross-attend to m context tokens (query and output projections on T, key and value
            // projections on m, scores and weighted sum on T × m).
            const double m = views * tokensPerView + info.headContextExtra;
            const double cross = 2.0 * T * 2.0 * d * d + 2.0 * m * d * 2.0 * d + 4.0 * T * m * d;
            flops.head = info.headLayers * (transformerLayerFlops(layer, T, T) + cross);
        } else {
            const double n = views * tokensPerView + T;
            flops.head = info.headLayers * transformerLayerFlops(layer, n, n);
        }
    }
    return flops;
}

} // namespace grids
