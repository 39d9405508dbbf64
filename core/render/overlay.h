#pragma once

// The one definition of overlay drawing (ARCHITECTURE.md): where a selection's tokens sit on a
// camera image, as numbered markers coloured by attention, an attention heatmap splatted from the
// tokens, kept cells and the cell grid. The GUI's view and video export both draw with these.
// Coordinates follow CHECKPOINT.md: image-normalised (x, y) map to pixel (x·W, y·H).

#include "model/frame_result.h"
// Not used here: ui/ reaches Policy and CheckpointInfo through this include. Drop it once the
// UI includes what it uses.
#include "model/policy.h"

#include <opencv2/core/mat.hpp>
#include <opencv2/core/types.hpp>

#include <string>
#include <vector>

namespace grids::render {

struct OverlayStyle
{
    bool markers = true;  // numbered markers at the token coordinates
    bool numbers = true;  // token index next to each marker (large enough images only)
    bool heatmap = false; // attention splatted to pixels
    bool cells = false;   // kept dense cells outlined (pruning selections)
    bool grid = false;    // the h×w cell grid
    bool density = false; // where the tokens fell over the whole episode (drawn by the caller)
    double heatmapOpacity = 0.75; // of the hottest pixel: lower and the heatmap is hard to see
    int gridWidth = 16, gridHeight = 16;
};

// Marker colour for an attention weight relative to the largest in the frame (0..1), from the
// perceptually uniform viridis map, as RGB.
cv::Scalar attentionColour(double relative);

// Attention splatted to an image-sized float map (Gaussian per token, sigma = half a cell),
// normalised to a maximum of 1; empty attention gives zeros.
cv::Mat attentionMap(const ViewSelection &selection,
                     const std::vector<float> &attention,
                     cv::Size size,
                     const OverlayStyle &style);

// Draws onto an RGB image (CV_8UC3) in place. `attention` holds the weights of this view's
// tokens, in selection order (empty: markers in one colour).
void drawSelection(cv::Mat &rgb,
                   const ViewSelection &selection,
                   const std::vector<float> &attention,
                   const OverlayStyle &style);

// Where each marker's index is written on an image of `size` (in token order; an empty box: no
// number, because it would cover another or leave the image).
std::vector<cv::Rect> markerLabelBoxes(const std::vector<std::array<float, 2>> &coords,
                                       cv::Size size);

// The heatmap's colours from low (left) to high (right) attention, RGB, for a legend.
cv::Mat attentionColourBar(cv::Size size);

// Where a view's tokens fell over a whole episode: every frame's coordinates splatted (Gaussian,
// sigma = half a cell) at `size`, normalised to a maximum of 1; no coordinates give zeros.
cv::Mat samplingDensity(const std::vector<std::array<float, 2>> &coords,
                        cv::Size size,
                        const OverlayStyle &style);

// Blends a 0..1 map (any size: resized to the image) onto an RGB image in the viridis colour
// map, each pixel's opacity the map's value times `opacity`.
void drawDensity(cv::Mat &rgb, const cv::Mat &density, double opacity);

// The pairing of views and selections is model/frame_result.h's; ui/ still calls it by this name.
using grids::selectionForView;

// The attention weights of view `view` of a FrameResult (its tokens come view after view).
std::vector<float> viewAttention(const FrameResult &result, std::size_t view);

} // namespace grids::render
