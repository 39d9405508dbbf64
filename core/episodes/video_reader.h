#pragma once

#include "episodes/episode.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace grids {

// Opens a video (any resolution, with or without audio; decoded by OpenCV through FFmpeg) as a
// one-episode, one-view file. An optional JSON sidecar next to it (`clip.json` or
// `clip.mp4.json`) adds what a video cannot carry: instruction, view name, per-frame actions and
// state, success (format in docs/DATA-FORMATS.md). Throws Error{BadInput} naming the file.
std::unique_ptr<EpisodeFile> openVideoEpisode(const std::string &path);

// What a video's sidecar says (docs/DATA-FORMATS.md), parsed from its text; `frames` is the
// video's length, which the per-frame tables must match. Throws Error{BadInput} naming `sidecar`.
struct VideoSidecar
{
    std::string instruction, view;
    Track actions, state;
    std::vector<std::string> stateKeys;
    std::optional<bool> success;
};
VideoSidecar parseVideoSidecar(const std::string &sidecar, const std::string &text, std::int64_t frames);

// The sidecar path that openVideoEpisode would read for `videoPath`, or empty when none exists.
std::string findVideoSidecar(const std::string &videoPath);

} // namespace grids
