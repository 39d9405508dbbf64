#pragma once

#include "episodes/view_renames.h"

// Annotated video export (CLI.md `grids export-video`, and the GUI's export later): an episode
// with a checkpoint's selection drawn over both views (the overlay drawing of render/overlay.h),
// an optional second checkpoint side by side, and heads-up lines (frame, method, budget, action),
// encoded as H.264 MP4. Written to a temporary file next to the target and renamed when complete,
// so a failed or cancelled export leaves nothing half-written.

#include "common/progress.h"
#include "render/overlay.h"

#include <string>

namespace grids {
class Policy;
}

namespace grids::render {

// The heads-up band under each row (two lines: what runs, the predicted action).
constexpr int kHudHeight = 40;

struct VideoExportOptions
{
    std::string episodesPath;  // file (or folder holding the episode)
    std::string episodeKey;    // e.g. demo_3 (empty: the first episode)
    ViewRenames viewRenames;   // dataset view → checkpoint view, where names differ
    std::string method;        // empty: the checkpoint's own (grids or dense)
    int budget = 0;            // 0: the checkpoint's default
    std::string compareMethod; // the second row's; empty: the compared checkpoint's own
    int compareBudget = 0;     // 0: the compared checkpoint's default
    OverlayStyle style;
    bool hud = true;
    int viewSize = 384; // each view is drawn at this many pixels square (nearest-neighbour)
    double fps = 0; // 0: the episode's own rate (playbackFps)
    std::string out; // .mp4
};

struct VideoExportResult
{
    int frames = 0, width = 0, height = 0;
    double fps = 0;
};

// `compare` (may be null) draws a second row with that checkpoint under compareMethod and
// compareBudget (by default its own method at its default budget). Throws Error{Usage} for a bad
// request, Error{BadInput} for unreadable episodes, Error{Cancelled} when progress is cancelled
// (nothing written), Error{Other} when encoding fails.
VideoExportResult exportVideo(Policy &policy,
                              Policy *compare,
                              const VideoExportOptions &options,
                              const Progress &progress = {});

} // namespace grids::render
