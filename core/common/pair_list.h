#pragma once

#include <string>
#include <utility>
#include <vector>

namespace grids {

// Parses "A=B,C=D" (empty text: no pairs), the shape of the view map and the policy keys. Throws
// Error{Usage} naming `setting` ("view_map"), "'x' is not MEANING", for an entry without both
// sides.
std::vector<std::pair<std::string, std::string>>
parsePairList(const std::string &text, const std::string &setting, const std::string &meaning);

} // namespace grids
