#pragma once

#include <string>

namespace grids {

// Writes `content` to "<path>.partial", flushes it, and renames it onto `path`, so that a reader
// sees either the old file or the complete new one, never a half-written export.
// Throws Error{Other} naming the file when it cannot be written.
void writeFileAtomically(const std::string &path, const std::string &content);

} // namespace grids
