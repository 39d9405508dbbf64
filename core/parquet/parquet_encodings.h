#pragma once

// Byte-level decoders of the Parquet format: page decompression and the RLE / bit-packing hybrid
// used for levels, booleans and dictionary indices. Internal to core/parquet; errors are
// std::runtime_error with a short reason that the caller prefixes with the file and column.

#include "parquet/parquet_metadata.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace grids::parquet {

// Decompresses one page (or the values part of a v2 page) into exactly `uncompressedSize` bytes.
// Supports UNCOMPRESSED, SNAPPY, GZIP and ZSTD; throws for any other codec or a size mismatch.
std::vector<std::uint8_t> decompress(Codec codec,
                                     const std::uint8_t *data,
                                     std::size_t size,
                                     std::size_t uncompressedSize);

// Appends `count` values of the RLE / bit-packed hybrid encoding (bit width 0..32) to `out`.
// Returns the number of bytes read. Throws when the runs end before `count` values.
template <typename Int>
std::size_t decodeHybrid(const std::uint8_t *data,
                         std::size_t size,
                         int bitWidth,
                         std::int64_t count,
                         std::vector<Int> &out);

// The number of bits needed for values up to maxValue (0 for 0).
int bitWidthFor(std::uint32_t maxValue);

} // namespace grids::parquet
