#pragma once

#include "episodes/episode.h"

#include <array>
#include <optional>
#include <string>

namespace grids {

// A counterfactual input for one frame (the questions researchers ask of a failure): another
// instruction, and/or a box of one view painted over. The model is re-run on the probed frame
// and shown against the unmodified result.
struct Probe
{
    std::optional<std::string> instruction; // replaces the frame's instruction
    int occludedView = -1;                  // index into the frame's views; -1: no occlusion
    // The occluded box, image-normalised (x0, y0, x1, y1), 0 = left/top edge.
    std::array<float, 4> box{0, 0, 0, 0};

    bool active() const { return instruction.has_value() || occludedView >= 0; }
    // Identifies the probe in encoder-cache keys (the occluded frame has other pixels).
    std::string key() const;
};

// The frame with the probe applied: the box filled with mid grey (128, 128, 128), clamped to the
// image; other views, state and action untouched. Throws Error{Usage} for a view out of range.
Frame applyProbe(const Frame &frame, const Probe &probe);

} // namespace grids
