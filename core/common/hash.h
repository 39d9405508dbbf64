#pragma once

#include <string>

namespace grids {

// Lower-case hex SHA-256 of a file's bytes: the content key of checkpoints and episode files,
// so that results stay attached when files move. Throws Error{BadInput} naming the file when it
// cannot be read.
std::string sha256OfFile(const std::string &path);

// Lower-case hex SHA-256 of a byte string.
std::string sha256OfBytes(const std::string &bytes);

} // namespace grids
