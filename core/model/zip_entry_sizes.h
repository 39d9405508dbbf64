#pragma once

// What a zip archive's entries claim to hold, checked before LibTorch reads the archive.
// LibTorch's zip reader (miniz) allocates an entry's uncompressed size as its central directory
// states it before inflating a byte, so a 2 kB file claiming a 2 GB record would be a 2 GB
// allocation (found by fuzzing). This finds the central directory as miniz does and refuses such
// claims first.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace grids {

// Reads up to `count` bytes at `offset` of the archive into `buffer`; returns how many it read.
using ZipReadAt = std::function<std::size_t(std::uint64_t offset, void *buffer, std::size_t count)>;

// Throws Error{BadInput} "SOURCE: not a TorchScript checkpoint (…)" when the archive of
// `archiveSize` bytes has no central directory LibTorch could read, an entry uses a compression
// other than stored or deflate, or an entry claims more bytes than it can hold: a stored entry
// more than the archive, a deflated one more than deflate's 1032:1 limit on its compressed bytes.
void checkZipEntrySizes(const std::string &source, std::uint64_t archiveSize, const ZipReadAt &readAt);

} // namespace grids
