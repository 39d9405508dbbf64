#pragma once

#include "episodes/episode.h"

#include <memory>
#include <string>

namespace grids {

// Reads LIBERO / robomimic HDF5 demonstration files as they are (layout in DATA.md).
//
// Opening reads only metadata (groups, shapes, attributes); each frame is one hyperslab read per
// dataset. Demo keys are ordered numerically (demo_2 before demo_10). Camera views are the obs
// datasets shaped (T, H, W, 3) uint8; LIBERO files (those with LIBERO's `problem_info` or
// `bddl_file_name` attributes on /data) store frames rotated by 180°, which the reader undoes, so
// frames are always upright. The instruction is the demo's `language_instruction` attribute when
// present (files that mix tasks), else problem_info's "language_instruction".
// Throws Error{BadInput} naming the file and key for anything missing or mis-shaped.
std::unique_ptr<EpisodeFile> openLiberoHdf5(const std::string &path);

} // namespace grids
