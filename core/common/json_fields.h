#pragma once

#include "common/error.h"

#include <string>

namespace grids {

// A text field of a JSON object (nlohmann::json or ordered_json): empty when missing or null,
// Error{BadInput} "SOURCE: "KEY" must be a string" when it is something else.
template <typename Json>
std::string optionalString(const Json &object, const char *key, const std::string &source)
{
    const auto it = object.find(key);
    if (it == object.end() || it->is_null())
        return {};
    if (!it->is_string())
        throw badInput(source + ": \"" + key + "\" must be a string");
    return it->template get<std::string>();
}

} // namespace grids
