#pragma once

#include "episodes/episode.h"

#include <memory>
#include <string>

namespace grids {

// True when `folder` looks like a LeRobot dataset (it has meta/info.json).
bool isLeRobotDataset(const std::string &folder);

// Opens a LeRobot dataset folder (codebase versions v2.0, v2.1 and v3.0) as it is, as one
// EpisodeFile whose episodes are the dataset's ("episode_000003"). Opening reads meta/ only (and
// checks the first episode's data against meta/info.json); frames are read on demand: a parquet
// row (state, action, timestamp, and images stored in the parquet) and, for video features, the
// frame of the mp4 at the row's timestamp (v3.0: plus the episode's from_timestamp in its shared
// file). Mapping onto the Episode model in docs/DATA-FORMATS.md. Throws Error{BadInput} with a
// one-line message naming the file that is wrong.
std::unique_ptr<EpisodeFile> openLeRobotDataset(const std::string &folder);

} // namespace grids
