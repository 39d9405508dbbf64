#include "model/zip_entry_sizes.h"

#include "common/error.h"
#include "common/little_endian.h"

#include <algorithm>
#include <vector>

namespace grids {
namespace {

// Record sizes and signatures of the zip format (PKWARE's APPNOTE).
constexpr std::uint32_t kEndSignature = 0x06054b50;
constexpr std::size_t kEndSize = 22;
constexpr std::uint32_t kZip64LocatorSignature = 0x07064b50;
constexpr std::size_t kZip64LocatorSize = 20;
constexpr std::uint32_t kZip64EndSignature = 0x06064b50;
constexpr std::size_t kZip64EndSize = 56;
constexpr std::uint32_t kEntrySignature = 0x02014b50;
constexpr std::size_t kEntrySize = 46;
constexpr std::uint16_t kZip64ExtraId = 0x0001;
constexpr std::uint32_t kSizeInZip64Extra = 0xffffffff;
// The end record is followed by a comment of at most 65535 bytes, so it is searched for there.
constexpr std::uint64_t kEndSearchSpan = 65535 + kEndSize;
// Deflate codes at most 258 bytes in 2 bits: no stream inflates to more than 1032 times its size.
constexpr std::uint64_t kDeflateMaxRatio = 1032;
constexpr std::uint16_t kStored = 0;
constexpr std::uint16_t kDeflated = 8;
// miniz reads the whole central directory into memory; one larger than this is not a checkpoint's.
constexpr std::uint64_t kMaxDirectoryBytes = 64 << 20;

class Archive
{
public:
    Archive(const std::string &source, std::uint64_t size, const ZipReadAt &readAt)
        : m_source(source)
        , m_size(size)
        , m_readAt(readAt)
    {
    }
    std::uint64_t size() const { return m_size; }

    std::vector<std::uint8_t> read(std::uint64_t offset, std::uint64_t count, const char *what) const
    {
        if (offset > m_size || count > m_size - offset)
            refuse(std::string(what) + " lies past the end of the file");
        std::vector<std::uint8_t> bytes(count);
        if (count > 0 && m_readAt(offset, bytes.data(), count) != count)
            refuse(std::string("cannot read its ") + what);
        return bytes;
    }

    [[noreturn]] void refuse(const std::string &why) const
    {
        throw badInput(m_source + ": not a TorchScript checkpoint (its zip directory: " + why + ")");
    }

private:
    const std::string &m_source;
    std::uint64_t m_size;
    const ZipReadAt &m_readAt;
};

// The offset of the end record: the last signature with a whole record after it, as miniz takes.
std::uint64_t findEndRecord(const Archive &archive)
{
    if (archive.size() < kEndSize)
        archive.refuse("the file is too short to be a zip archive");
    const std::uint64_t start = archive.size() - std::min(archive.size(), kEndSearchSpan);
    const std::vector<std::uint8_t> tail = archive.read(start, archive.size() - start, "end record");
    for (std::size_t i = tail.size() - kEndSize + 1; i-- > 0;)
        if (readLE32(tail.data() + i) == kEndSignature)
            return start + i;
    archive.refuse("no end of central directory record");
}

struct Directory
{
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
    std::uint64_t entries = 0;
};

// Where the central directory is and how many entries it holds: from the end record, or from the
// zip64 end record where a zip64 locator precedes it (as miniz decides).
Directory findDirectory(const Archive &archive)
{
    const std::uint64_t endOffset = findEndRecord(archive);
    const std::vector<std::uint8_t> end = archive.read(endOffset, kEndSize, "end record");
    Directory directory{readLE32(end.data() + 16), readLE32(end.data() + 12), readLE16(end.data() + 10)};
    if (endOffset >= kZip64LocatorSize + kZip64EndSize) {
        const std::vector<std::uint8_t> locator =
            archive.read(endOffset - kZip64LocatorSize, kZip64LocatorSize, "zip64 locator");
        if (readLE32(locator.data()) == kZip64LocatorSignature) {
            const std::uint64_t zip64Offset = readLE64(locator.data() + 8);
            const std::vector<std::uint8_t> zip64 = archive.read(zip64Offset, kZip64EndSize, "zip64 end record");
            if (readLE32(zip64.data()) == kZip64EndSignature)
                directory = {readLE64(zip64.data() + 48), readLE64(zip64.data() + 40), readLE64(zip64.data() + 32)};
        }
    }
    if (directory.size > kMaxDirectoryBytes)
        archive.refuse("a central directory of " + std::to_string(directory.size) + " bytes");
    if (directory.entries > directory.size / kEntrySize)
        archive.refuse(std::to_string(directory.entries) + " entries in a central directory of " +
                       std::to_string(directory.size) + " bytes");
    return directory;
}

struct Sizes
{
    std::uint64_t compressed = 0;
    std::uint64_t uncompressed = 0;
};

// An entry's sizes, 64-bit ones from its zip64 extra field where the 32-bit fields say so.
Sizes entrySizes(const Archive &archive, const std::uint8_t *entry, const std::uint8_t *extra, std::size_t extraSize)
{
    Sizes sizes{readLE32(entry + 20), readLE32(entry + 24)};
    if (sizes.compressed != kSizeInZip64Extra && sizes.uncompressed != kSizeInZip64Extra)
        return sizes;
    while (extraSize >= 4) {
        const std::uint16_t id = readLE16(extra);
        const std::size_t fieldSize = readLE16(extra + 2);
        if (fieldSize + 4 > extraSize)
            archive.refuse("an extra field runs past its entry");
        if (id == kZip64ExtraId) {
            const std::uint8_t *field = extra + 4;
            std::size_t left = fieldSize;
            for (std::uint64_t *value : {&sizes.uncompressed, &sizes.compressed}) {
                if (*value != kSizeInZip64Extra)
                    continue;
                if (left < 8)
                    archive.refuse("a zip64 extra field too short for its sizes");
                *value = readLE64(field);
                field += 8;
                left -= 8;
            }
            return sizes;
        }
        extra += 4 + fieldSize;
        extraSize -= 4 + fieldSize;
    }
    return sizes;
}

} // namespace

void checkZipEntrySizes(const std::string &source, std::uint64_t archiveSize, const ZipReadAt &readAt)
{
    const Archive archive(source, archiveSize, readAt);
    const Directory directory = findDirectory(archive);
    const std::vector<std::uint8_t> bytes = archive.read(directory.offset, directory.size, "central directory");
    std::size_t at = 0;
    for (std::uint64_t index = 0; index < directory.entries; ++index) {
        if (bytes.size() - at < kEntrySize || readLE32(bytes.data() + at) != kEntrySignature)
            archive.refuse("entry " + std::to_string(index) + " is damaged");
        const std::uint8_t *entry = bytes.data() + at;
        const std::size_t nameSize = readLE16(entry + 28);
        const std::size_t extraSize = readLE16(entry + 30);
        const std::size_t total = kEntrySize + nameSize + extraSize + readLE16(entry + 32);
        if (total > bytes.size() - at)
            archive.refuse("entry " + std::to_string(index) + " runs past the central directory");
        const std::string name = Error::oneLine(std::string(reinterpret_cast<const char *>(entry + kEntrySize), nameSize));
        const std::uint16_t method = readLE16(entry + 10);
        const Sizes sizes = entrySizes(archive, entry, entry + kEntrySize + nameSize, extraSize);
        if (method != kStored && method != kDeflated)
            archive.refuse("'" + name + "' uses compression method " + std::to_string(method) +
                           "; only stored and deflated records can be read");
        const std::uint64_t compressed = std::min(sizes.compressed, archive.size());
        const std::uint64_t limit = method == kStored ? archive.size() : compressed * kDeflateMaxRatio + kDeflateMaxRatio;
        if (sizes.uncompressed > limit)
            archive.refuse("'" + name + "' claims " + std::to_string(sizes.uncompressed) + " bytes, more than its " +
                           std::to_string(sizes.compressed) + " compressed bytes can hold");
        at += total;
    }
}

} // namespace grids
