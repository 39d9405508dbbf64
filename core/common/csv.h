#pragma once

#include <string>

namespace grids {

// One CSV field with RFC 4180 quoting: quoted (inner quotes doubled) only when it holds a comma,
// a quote or a line break.
std::string csvField(const std::string &value);

} // namespace grids
