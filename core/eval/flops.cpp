#include "eval/flops.h"

#include "model/checkpoint_info.h"

#include <algorithm>

namespace grids {

double transformerLayerFlops(const TransformerLayerShape &s, double n, double m)
{
    const double g = s.gatedMlp ? 3.0 : 2.0;
    return 2.0 * n * (s.width * (s.queryWidth + 2.0 * s.keyValueWidth) + s.queryWidth * s.width) +
           2.0 * n * g * s.width * s.feedForward + 4.0 * n * m * s.queryWidth;
}

namespace {

// GridS per view: LayerNorm-pooled vector → MLP C→512→2K, bilinear sampling (4 taps per channel),
// coordinate embedding 2→256→C.
double gridsSamplerFlops(double C, double K)
{
    return 2.0 * (C * 512 + 512 * 2 * K) + 4.0 * 2.0 * K * C + 2.0 * K * (2 * 256 + 256 * C);
}

} // namespace

FlopsBreakdown pi0Flops(int tokensPerView)
{
    constexpr double kCameras = 2, kImageTokens = 256, kTextTokens = 48;
    constexpr double kSuffixTokens = 51, kFlowSteps = 10;
    const TransformerLayerShape siglip{1152, 1152, 1152, 4304, false};
    const TransformerLayerShape gemma{2048, 8 * 256, 1 * 256, 16384, true};
    const TransformerLayerShape expert{1024, 8 * 256, 1 * 256, 4096, true};
    FlopsBreakdown flops;
    flops.encoder = kCameras * 27 * transformerLayerFlops(siglip, kImageTokens, kImageTokens);
    const double kept = std::min<double>(tokensPerView, kImageTokens);
    if (kept < kImageTokens)
        flops.selector = kCameras * gridsSamplerFlops(1152, kept);
    const double prefix = kCameras * kept + kTextTokens;
    flops.head =
        18 * transformerLayerFlops(gemma, prefix, prefix) +
        kFlowSteps * 18 * transformerLayerFlops(expert, kSuffixTokens, prefix + kSuffixTokens);
    return flops;
}

FlopsBreakdown checkpointFlops(const CheckpointInfo &info, int tokensPerView)
{
    FlopsBreakdown flops;
    const double views = double(info.views.size());
    if (info.encoderFlopsPerView)
        flops.encoder = *info.encoderFlopsPerView * views;
    if (info.isGrids() && tokensPerView < info.cellsPerView()) {
        flops.selector = views * gridsSamplerFlops(info.tokenDim, tokensPerView);
    }
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
