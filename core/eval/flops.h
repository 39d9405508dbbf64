#pragma once

// The FLOPs model of METHODS.md, in one place: 2 FLOPs per multiply-add.

#include <cstdint>
#include <string>

namespace grids {

struct CheckpointInfo;

struct TransformerLayerShape
{
    double width = 0;         // d
    double queryWidth = 0;    // d_q = heads · head width
    double keyValueWidth = 0; // d_kv = kv heads · head width
    double feedForward = 0;   // d_ff
    bool gatedMlp = false;    // g = 3 when gated, 2 otherwise
};

// One layer with n query tokens attending to m keys:
// F = 2n·[d·(d_q + 2·d_kv) + d_q·d] + 2n·g·d·d_ff + 4·n·m·d_q.
double transformerLayerFlops(const TransformerLayerShape &shape, double n, double m);

struct FlopsBreakdown
{
    double encoder = 0;  // all views; 0 when the checkpoint does not state it
    double selector = 0; // GridS sampler MLPs and bilinear sampling
    double head = 0;
    double total() const { return encoder + selector + head; }
};

// FLOPs per frame of a checkpoint at `tokensPerView`, from grids.json's "head" (and optional
// "encoder"). A "self" head runs every layer on the visual tokens of all views plus one action
// query per horizon step; a "cross" head runs its queries against that context.
FlopsBreakdown checkpointFlops(const CheckpointInfo &info, int tokensPerView);

// How a whole model's FLOPs are counted (docs/FLOPS.md):
// - Analytic: every layer of every stack and every flow step, as the model runs.
// - XlaScan: what XLA's cost analysis reports for openpi's JAX pi0, which scans its layer stacks
//   and loops over flow steps: the body of a scan or loop counts once. So one SigLIP layer per
//   image (plus the patch embedding and the projector to the LLM width, which are not scanned),
//   one Gemma layer over the prefix and one action-expert layer over the suffix (one flow step);
//   and three image slots, as openpi's pi0 feeds LIBERO (the third, an empty right-wrist image,
//   is masked but still encoded). The GridS paper's 216.01 → 51.65 GFLOPs arise this way.
enum class FlopsConvention { Analytic, XlaScan };
FlopsConvention flopsConventionFromName(const std::string &name); // throws Error{Usage}
std::string flopsConventionName(FlopsConvention convention);      // "analytic", "xla-scan"

// The same formulas for pi0's published configuration (METHODS.md, `--profile pi0`): SigLIP
// So400m/14 (256 tokens per 224² image) as the encoder; GridS's sampler (C = 1152) as the selector
// below 256 tokens per view; the Gemma-2B prefix over the kept image tokens and 48 text tokens,
// plus the action expert over 51 suffix tokens that attend to prefix and suffix, as the head.
// Analytic: 2 cameras, 27 + 18 layers, 10 flow steps, about 3.07 TFLOPs per dense step.
FlopsBreakdown pi0Flops(int tokensPerView, FlopsConvention convention = FlopsConvention::Analytic);

// FLOPs per frame of `method` at `tokensPerView`, counting every pass the method runs: FastV and
// VisionZip rank cells by the head's attention from a pass on the dense set, so that pass is in
// their selector's count; SparseVLM's text relevance, DivPrune's pairwise distances and ToMe's
// similarities are counted too. Dense ignores the budget; at a full budget every method is dense.
FlopsBreakdown methodFlops(const CheckpointInfo &info, const std::string &method, int tokensPerView);
// pi0's projection of the same: the method's extra passes at pi0's sizes.
FlopsBreakdown pi0MethodFlops(const std::string &method,
                              int tokensPerView,
                              FlopsConvention convention = FlopsConvention::Analytic);

} // namespace grids
