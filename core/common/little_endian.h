#pragma once

// Unsigned integers stored little-endian in a byte buffer (file formats: Parquet, zip), read the
// same way on any host.

#include <cstdint>

namespace grids {

inline std::uint16_t readLE16(const std::uint8_t *p)
{
    return std::uint16_t(p[0] | p[1] << 8);
}

inline std::uint32_t readLE32(const std::uint8_t *p)
{
    return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
           std::uint32_t(p[3]) << 24;
}

inline std::uint64_t readLE64(const std::uint8_t *p)
{
    return std::uint64_t(readLE32(p)) | std::uint64_t(readLE32(p + 4)) << 32;
}

} // namespace grids
