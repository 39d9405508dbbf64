#pragma once

// The FLOPs model of METHODS.md, in one place: 2 FLOPs per multiply-add.

#include <cstdint>

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

// The same formulas for pi0's published configuration (METHODS.md, `--profile pi0`): SigLIP
// So400m/14 on 2 cameras (256 tokens per 224² image) as the encoder; GridS's sampler (C = 1152)
// as the selector below 256 tokens per view; the Gemma-2B prefix over the kept image tokens and
// 48 text tokens, plus 10 flow steps of the action expert over 51 suffix tokens that attend to
// prefix and suffix, as the head. About 3.07 TFLOPs per dense step.
FlopsBreakdown pi0Flops(int tokensPerView);

} // namespace grids
