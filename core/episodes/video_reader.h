#pragma once

#include "episodes/episode.h"

#include <memory>
#include <string>

namespace grids {

// Opens a video (any resolution, with or without audio; decoded by OpenCV through FFmpeg) as a
// one-episode, one-view file. An optional JSON sidecar next to it (`clip.json` or
// `clip.mp4.json`) adds what a video cannot carry: instruction, view name, per-frame actions and
// state, success (format in docs/DATA-FORMATS.md). Throws Error{BadInput} naming the file.
std::unique_ptr<EpisodeFile> openVideoEpisode(const std::string &path);

// The sidecar path that openVideoEpisode would read for `videoPath`, or empty when none exists.
std::string findVideoSidecar(const std::string &videoPath);

} // namespace grids
