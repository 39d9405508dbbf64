#pragma once

// What one frame's inference produced, as plain data: the UI, the renderers and the metrics read
// it without the Policy that made it (and without LibTorch, which no header here includes).

#include "episodes/episode.h"

#include <array>
#include <cstddef>
#include <string>
#include <vector>

namespace grids {

// What one selection kept in one view, in the coordinate convention of CHECKPOINT.md:
// image-normalised (x, y), 0 = left/top edge, 1 = right/bottom edge.
struct ViewSelection
{
    std::string view; // the checkpoint's view name
    std::vector<std::array<float, 2>> coords;
    // Dense cells (row-major j·w + i) behind each token, for the overlay: `cells` has one per
    // token when every token is a single kept cell (dense, pruning methods); `groups` has each
    // token's cells when some tokens merge several (tome, visionzip, uniform pooling). Both are
    // empty for sampled tokens (grids).
    std::vector<int> cells;
    std::vector<std::vector<int>> groups;
};

// Everything one frame's inference produced (ARCHITECTURE.md, "one frame, end to end").
struct FrameResult
{
    std::string method;
    int budget = 0; // tokens per view handed to the head
    std::vector<ViewSelection> views;
    std::vector<float> attention; // per token, in views order then token order; sums to 1
    Track actions;                // T × A, row 0 = the action for this frame
    double encodeMs = 0, selectMs = 0, actMs = 0;
    double roundTripMs = 0; // a policy server's request to reply, as this client saw it (else 0)
    bool encodeCached = false;
    bool missingInputs = false; // views or state the checkpoint wanted were absent
};

// Which selection belongs to the episode's view `viewIndex` (named `viewName`): the one the
// checkpoint named alike, or a lone selection on the first view (a lone video view feeds the
// checkpoint's first view, CHECKPOINT.md). -1 when none. The GUI, video export and keypoint
// coverage all pair views and selections through here.
int selectionForView(const std::vector<ViewSelection> &selections,
                     const std::string &viewName,
                     std::size_t viewIndex);

} // namespace grids
