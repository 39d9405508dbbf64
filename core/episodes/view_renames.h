#pragma once

#include "episodes/episode.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace grids {

// Episode view name → the name a checkpoint knows that camera by, for datasets whose cameras are
// named otherwise than the checkpoint's (LeRobot's "observation.images.image" is LIBERO's
// "agentview_rgb"). Checkpoints match views by name only, so the user says which is which.
using ViewRenames = std::vector<std::pair<std::string, std::string>>;

// Parses "FROM=TO[,FROM=TO…]" (empty text: no renames). Throws Error{Usage} for malformed text,
// an empty name, or a view renamed twice.
ViewRenames parseViewRenames(const std::string &text);

// The text parseViewRenames reads back.
std::string formatViewRenames(const ViewRenames &renames);

// The same episodes with their views renamed. Throws Error{Usage} naming the file when a view to
// rename is in none of its episodes; `file` is taken only on success, so on an error the caller
// still has it.
std::unique_ptr<EpisodeFile> renameViews(std::unique_ptr<EpisodeFile> &&file, const ViewRenames &renames);

// Applies renameViews to every file that was opened.
void renameViews(OpenedEpisodes &opened, const ViewRenames &renames);

} // namespace grids
