#pragma once

// The zip archive around a checkpoint (TorchScript's format), read for its grids.json alone:
// what a checkpoint is can be known and refused before LibTorch compiles its code.

#include <string>

namespace grids {

// grids.json as stored in the checkpoint at `path` (the record "extra/grids.json"). Throws
// Error{BadInput} "PATH: …" when the file is not a TorchScript zip archive or holds no grids.json.
std::string readCheckpointJson(const std::string &path);

// The same for an archive in memory (`source` names it in errors).
std::string readCheckpointJsonFromBytes(const std::string &source, const std::string &bytes);

} // namespace grids
