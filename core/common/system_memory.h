#pragma once

#include <cstdint>
#include <optional>

namespace grids {

// Memory the system can give a process now without swapping (Linux: MemAvailable in
// /proc/meminfo), in bytes; nullopt where it cannot be told.
std::optional<std::int64_t> availableMemoryBytes();

} // namespace grids
