#include "parquet/parquet_encodings.h"

#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <stdexcept>
#include <string>

namespace grids::parquet {
namespace {

std::vector<std::uint8_t> inflateGzip(const std::uint8_t *data, std::size_t size, std::size_t expected)
{
    std::vector<std::uint8_t> out(expected);
    z_stream stream{};
    // 15 + 32: accept both gzip and zlib headers (writers differ).
    if (inflateInit2(&stream, 15 + 32) != Z_OK)
        throw std::runtime_error("zlib could not start");
    stream.next_in = const_cast<Bytef *>(data);
    stream.avail_in = uInt(size);
    stream.next_out = out.data();
    stream.avail_out = uInt(expected);
    int status = Z_OK;
    // Concatenated gzip members decode one after another.
    while (status == Z_OK || (status == Z_STREAM_END && stream.avail_in > 0 && stream.avail_out > 0)) {
        if (status == Z_STREAM_END)
            inflateReset(&stream);
        status = inflate(&stream, Z_FINISH);
        if (status == Z_BUF_ERROR && stream.avail_out == 0)
            break;
    }
    const std::size_t produced = expected - stream.avail_out;
    inflateEnd(&stream);
    if ((status != Z_STREAM_END && status != Z_BUF_ERROR) || produced != expected)
        throw std::runtime_error("GZIP data is corrupt or has the wrong size");
    return out;
}

} // namespace

std::vector<std::uint8_t> decompress(Codec codec,
                                     const std::uint8_t *data,
                                     std::size_t size,
                                     std::size_t uncompressedSize)
{
    switch (codec) {
    case Codec::Uncompressed:
        if (size != uncompressedSize)
            throw std::runtime_error("uncompressed page sizes disagree");
        return {data, data + size};
    case Codec::Snappy: {
        std::size_t length = 0;
        const auto *in = reinterpret_cast<const char *>(data);
        if (!snappy::GetUncompressedLength(in, size, &length) || length != uncompressedSize)
            throw std::runtime_error("SNAPPY data is corrupt or has the wrong size");
        std::vector<std::uint8_t> out(length);
        if (!snappy::RawUncompress(in, size, reinterpret_cast<char *>(out.data())))
            throw std::runtime_error("SNAPPY data is corrupt");
        return out;
    }
    case Codec::Zstd: {
        std::vector<std::uint8_t> out(uncompressedSize);
        const std::size_t n = ZSTD_decompress(out.data(), out.size(), data, size);
        if (ZSTD_isError(n) || n != uncompressedSize)
            throw std::runtime_error(std::string("ZSTD data is corrupt or has the wrong size") +
                                     (ZSTD_isError(n) ? std::string(" (") + ZSTD_getErrorName(n) + ")"
                                                      : std::string()));
        return out;
    }
    case Codec::Gzip: return inflateGzip(data, size, uncompressedSize);
    default: break;
    }
    throw std::runtime_error(std::string("compression ") + name(codec) +
                             " is not supported (GridS Studio reads UNCOMPRESSED, SNAPPY, GZIP, ZSTD)");
}

int bitWidthFor(std::uint32_t maxValue)
{
    int width = 0;
    while (maxValue != 0) {
        ++width;
        maxValue >>= 1;
    }
    return width;
}

template <typename Int>
std::size_t decodeHybrid(const std::uint8_t *data,
                         std::size_t size,
                         int bitWidth,
                         std::int64_t count,
                         std::vector<Int> &out)
{
    if (bitWidth < 0 || bitWidth > 32)
        throw std::runtime_error("bit width " + std::to_string(bitWidth) + " is out of range");
    const std::size_t byteWidth = std::size_t(bitWidth + 7) / 8;
    const std::uint64_t mask = bitWidth == 32 ? 0xffffffffull : ((1ull << bitWidth) - 1);
    std::size_t pos = 0;
    std::int64_t left = count;
    out.reserve(out.size() + std::size_t(count));
    while (left > 0) {
        // ULEB128 run header.
        std::uint64_t header = 0;
        for (int shift = 0;; shift += 7) {
            if (pos >= size || shift > 63)
                throw std::runtime_error("RLE/bit-packed data ends early");
            const std::uint8_t b = data[pos++];
            header |= std::uint64_t(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
                break;
        }
        if (header & 1) {
            // Bit-packed run of (header >> 1) groups of 8 values, least significant bit first.
            const std::uint64_t values = (header >> 1) * 8;
            const std::int64_t take = std::int64_t(std::min<std::uint64_t>(values, std::uint64_t(left)));
            // The last run may stop short of its padding: need only the bytes of the values used.
            const std::size_t runBytes = std::size_t((values * std::uint64_t(bitWidth) + 7) / 8);
            const std::size_t needBytes = std::size_t((std::uint64_t(take) * bitWidth + 7) / 8);
            if (needBytes > size - pos)
                throw std::runtime_error("RLE/bit-packed data ends early");
            std::uint64_t bitPos = 0;
            for (std::int64_t i = 0; i < take; ++i) {
                std::uint64_t v = 0;
                for (int got = 0; got < bitWidth;) {
                    const std::size_t byte = pos + std::size_t(bitPos / 8);
                    const int offset = int(bitPos % 8);
                    const int n = std::min(8 - offset, bitWidth - got);
                    v |= std::uint64_t((data[byte] >> offset) & ((1u << n) - 1)) << got;
                    got += n;
                    bitPos += std::uint64_t(n);
                }
                out.push_back(Int(v & mask));
            }
            pos += std::min(runBytes, size - pos);
            left -= take;
        } else {
            const std::uint64_t repeat = header >> 1;
            if (byteWidth > size - pos)
                throw std::runtime_error("RLE/bit-packed data ends early");
            std::uint64_t v = 0;
            for (std::size_t i = 0; i < byteWidth; ++i)
                v |= std::uint64_t(data[pos + i]) << (8 * i);
            pos += byteWidth;
            if (v > mask)
                throw std::runtime_error("RLE value wider than its bit width");
            if (repeat == 0)
                throw std::runtime_error("RLE run of length 0");
            const std::int64_t take = std::int64_t(std::min<std::uint64_t>(repeat, std::uint64_t(left)));
            out.insert(out.end(), std::size_t(take), Int(v));
            left -= take;
        }
    }
    return pos;
}

template std::size_t decodeHybrid<std::int16_t>(const std::uint8_t *, std::size_t, int, std::int64_t,
                                                std::vector<std::int16_t> &);
template std::size_t decodeHybrid<std::uint32_t>(const std::uint8_t *, std::size_t, int, std::int64_t,
                                                 std::vector<std::uint32_t> &);
template std::size_t decodeHybrid<std::uint8_t>(const std::uint8_t *, std::size_t, int, std::int64_t,
                                                std::vector<std::uint8_t> &);

} // namespace grids::parquet
