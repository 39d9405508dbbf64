#pragma once

// An array's shape as messages write it: "[2, 3, 4]". One definition for the tensors the policy
// checks and the numpy arrays a policy server sends.

#include <cstdint>
#include <string>
#include <vector>

namespace grids {

inline std::string shapeText(const std::vector<std::int64_t> &shape)
{
    std::string text = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
}

} // namespace grids
