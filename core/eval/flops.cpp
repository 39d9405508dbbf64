#include "eval/flops.h"

#include "model/checkpoint_info.h"

namespace grids {

double transformerLayerFlops(const TransformerLayerShape &s, double n, double m)
{
    const double g = s.gatedMlp ? 3.0 : 2.0;
    return 2.0 * n * (s.width * (s.queryWidth + 2.0 * s.keyValueWidth) + s.queryWidth * s.width) +
           2.0 * n * g * s.width * s.feedForward + 4.0 * n * m * s.queryWidth;
}

FlopsBreakdown checkpointFlops(const CheckpointInfo &info, int tokensPerView)
{
    FlopsBreakdown flops;
    const double views = double(info.views.size());
    if (info.encoderFlopsPerView)
        flops.encoder = *info.encoderFlopsPerView * views;
    if (info.isGrids() && tokensPerView < info.cellsPerView()) {
        // GridS: LayerNorm-pooled vector → MLP C→512→2K, bilinear sampling (4 taps per channel),
        // coordinate embedding 2→256→C, per view.
        const double C = info.tokenDim, K = tokensPerView;
        flops.selector = views * (2.0 * (C * 512 + 512 * 2 * K) + 4.0 * 2.0 * K * C +
                                  2.0 * K * (2 * 256 + 256 * C));
    }
    if (info.headLayers > 0) {
        const double n = views * tokensPerView + info.actionHorizon;
        TransformerLayerShape layer;
        layer.width = info.headWidth;
        layer.queryWidth = info.headWidth;
        layer.keyValueWidth = info.headWidth;
        layer.feedForward = info.headFF;
        flops.head = info.headLayers * transformerLayerFlops(layer, n, n);
    }
    return flops;
}

} // namespace grids
