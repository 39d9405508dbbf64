#include "parquet/parquet_file.h"

#include "common/error.h"
#include "common/little_endian.h"
#include "parquet/parquet_encodings.h"
#include "parquet/parquet_metadata.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace grids::parquet {
namespace {

static_assert(sizeof(float) == 4 && sizeof(double) == 8, "IEEE 754 floats expected");

constexpr char kMagic[4] = {'P', 'A', 'R', '1'};
constexpr char kEncryptedMagic[4] = {'P', 'A', 'R', 'E'};
// Guards against footers and pages that claim absurd sizes: nothing this large is allocated.
constexpr std::int64_t kMaxPageBytes = std::int64_t(1) << 30;
constexpr std::int64_t kMaxPageEntries = std::int64_t(1) << 28;
constexpr int kMaxSchemaDepth = 64;

template <typename T>
std::size_t readFixed(const std::uint8_t *data, std::size_t size, std::int64_t n, std::vector<T> &out)
{
    const std::size_t bytes = std::size_t(n) * sizeof(T);
    if (bytes > size)
        throw std::runtime_error("PLAIN values end early");
    if (bytes == 0) // memcpy may not be given the null pointers of empty buffers
        return 0;
    const std::size_t old = out.size();
    out.resize(old + std::size_t(n));
    std::memcpy(out.data() + old, data, bytes);
    return bytes;
}

// PLAIN encoding of n values; returns the bytes used.
std::size_t decodePlain(const std::uint8_t *data, std::size_t size, std::int64_t n, int typeLength,
                        TypedValues &out)
{
    switch (out.type) {
    case ValueType::Boolean: {
        if (std::size_t((n + 7) / 8) > size)
            throw std::runtime_error("PLAIN booleans end early");
        for (std::int64_t i = 0; i < n; ++i)
            out.booleans.push_back(std::uint8_t((data[i / 8] >> (i % 8)) & 1));
        return std::size_t((n + 7) / 8);
    }
    case ValueType::Int32: return readFixed(data, size, n, out.int32s);
    case ValueType::Int64: return readFixed(data, size, n, out.int64s);
    case ValueType::Float: return readFixed(data, size, n, out.floats);
    case ValueType::Double: return readFixed(data, size, n, out.doubles);
    case ValueType::Bytes: {
        std::size_t pos = 0;
        for (std::int64_t i = 0; i < n; ++i) {
            std::size_t length = std::size_t(typeLength);
            if (typeLength == 0) { // BYTE_ARRAY: a 4-byte length before each value
                if (size - pos < 4)
                    throw std::runtime_error("PLAIN byte arrays end early");
                length = readLE32(data + pos);
                pos += 4;
            }
            if (length > size - pos)
                throw std::runtime_error("PLAIN byte array runs past its page");
            out.bytes.emplace_back(reinterpret_cast<const char *>(data + pos), length);
            pos += length;
        }
        return pos;
    }
    }
    return 0;
}

ValueType valueTypeOf(PhysicalType type)
{
    switch (type) {
    case PhysicalType::Boolean: return ValueType::Boolean;
    case PhysicalType::Int32: return ValueType::Int32;
    case PhysicalType::Int64: return ValueType::Int64;
    case PhysicalType::Float: return ValueType::Float;
    case PhysicalType::Double: return ValueType::Double;
    default: return ValueType::Bytes;
    }
}

// Where a column chunk's decoding stands between pages.
struct ChunkState
{
    const ColumnInfo *column;
    std::int64_t rowBegin, rowEnd;
    std::int64_t row = -1; // index of the row being read (the last one started)
    std::optional<TypedValues> dictionary;
    ColumnValues out;
};

} // namespace

std::size_t TypedValues::size() const
{
    switch (type) {
    case ValueType::Boolean: return booleans.size();
    case ValueType::Int32: return int32s.size();
    case ValueType::Int64: return int64s.size();
    case ValueType::Float: return floats.size();
    case ValueType::Double: return doubles.size();
    case ValueType::Bytes: return bytes.size();
    }
    return 0;
}

void TypedValues::append(const TypedValues &from, std::size_t i)
{
    switch (type) {
    case ValueType::Boolean: booleans.push_back(from.booleans[i]); break;
    case ValueType::Int32: int32s.push_back(from.int32s[i]); break;
    case ValueType::Int64: int64s.push_back(from.int64s[i]); break;
    case ValueType::Float: floats.push_back(from.floats[i]); break;
    case ValueType::Double: doubles.push_back(from.doubles[i]); break;
    case ValueType::Bytes: bytes.push_back(from.bytes[i]); break;
    }
}

void TypedValues::appendZero()
{
    switch (type) {
    case ValueType::Boolean: booleans.push_back(0); break;
    case ValueType::Int32: int32s.push_back(0); break;
    case ValueType::Int64: int64s.push_back(0); break;
    case ValueType::Float: floats.push_back(0.f); break;
    case ValueType::Double: doubles.push_back(0.0); break;
    case ValueType::Bytes: bytes.emplace_back(); break;
    }
}

double ColumnValues::number(std::int64_t e) const
{
    switch (column.type) {
    case ValueType::Boolean: return booleans[std::size_t(e)];
    case ValueType::Int32: return int32s[std::size_t(e)];
    case ValueType::Int64: return double(int64s[std::size_t(e)]);
    case ValueType::Float: return floats[std::size_t(e)];
    case ValueType::Double: return doubles[std::size_t(e)];
    case ValueType::Bytes: break;
    }
    throw std::logic_error("ColumnValues::number on a byte-array column");
}

ParquetFile::~ParquetFile()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

void ParquetFile::fail(const std::string &what) const
{
    throw badInput(m_path + ": " + what);
}

std::unique_ptr<ParquetFile> ParquetFile::open(const std::string &path)
{
    std::unique_ptr<ParquetFile> file(new ParquetFile);
    file->m_path = path;
    file->m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (file->m_fd < 0)
        file->fail(std::string("cannot open (") + std::strerror(errno) + ")");
    struct stat st{};
    if (::fstat(file->m_fd, &st) != 0 || !S_ISREG(st.st_mode))
        file->fail("not a regular file");
    file->m_size = std::int64_t(st.st_size);
    file->readFooter();
    file->buildColumns();
    return file;
}

namespace {

void readExactly(int fd, std::int64_t offset, std::size_t size, std::uint8_t *into, const std::string &path)
{
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = ::pread(fd, into + done, size - done, off_t(offset + std::int64_t(done)));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            throw badInput(path + ": cannot read " + std::to_string(size) + " bytes at offset " +
                           std::to_string(offset) + (n < 0 ? std::string(" (") + std::strerror(errno) + ")"
                                                            : std::string(" (file ends)")));
        done += std::size_t(n);
    }
}

} // namespace

void ParquetFile::readFooter()
{
    if (m_size < 12)
        fail("too short to be a Parquet file (" + std::to_string(m_size) + " bytes)");
    std::uint8_t head[4], tail[8];
    readExactly(m_fd, 0, 4, head, m_path);
    readExactly(m_fd, m_size - 8, 8, tail, m_path);
    if (std::memcmp(tail + 4, kEncryptedMagic, 4) == 0)
        fail("is an encrypted Parquet file (not supported)");
    if (std::memcmp(head, kMagic, 4) != 0)
        fail("not a Parquet file (no PAR1 magic at the start)");
    if (std::memcmp(tail + 4, kMagic, 4) != 0)
        fail("truncated or corrupt Parquet file (no PAR1 magic at the end)");
    const std::int64_t footerSize = readLE32(tail);
    if (footerSize <= 0 || footerSize > m_size - 12)
        fail("corrupt Parquet footer (its length " + std::to_string(footerSize) +
             " does not fit in the file)");
    std::vector<std::uint8_t> footer(static_cast<std::size_t>(footerSize));
    readExactly(m_fd, m_size - 8 - footerSize, footer.size(), footer.data(), m_path);
    try {
        m_meta = std::make_unique<FileMetaData>(decodeFileMetaData(footer.data(), footer.size()));
    } catch (const std::exception &e) {
        fail(std::string("corrupt Parquet footer: ") + e.what());
    }
    std::int64_t start = 0;
    for (const RowGroup &group : m_meta->rowGroups) {
        if (group.numRows < 0)
            fail("corrupt Parquet footer (a row group has a negative row count)");
        m_rowGroupStarts.push_back(start);
        start += group.numRows;
    }
    if (start != m_meta->numRows)
        fail("corrupt Parquet footer (row groups hold " + std::to_string(start) +
             " rows, the footer says " + std::to_string(m_meta->numRows) + ")");
}

void ParquetFile::buildColumns()
{
    const auto &schema = m_meta->schema;
    if (schema.empty())
        fail("corrupt Parquet footer (empty schema)");
    std::size_t next = 1;
    struct Level
    {
        int definition = 0, repetition = 0, repeatedDefinition = 0;
    };
    std::vector<std::string> parts;
    // Depth-first walk of the flattened schema: each group is followed by its children.
    auto walk = [&](auto &&self, int children, Level level, int depth) -> void {
        if (depth > kMaxSchemaDepth)
            fail("corrupt Parquet schema (nested deeper than " + std::to_string(kMaxSchemaDepth) + ")");
        for (int c = 0; c < children; ++c) {
            if (next >= schema.size())
                fail("corrupt Parquet schema (a group claims more children than there are elements)");
            const SchemaElement &e = schema[next++];
            Level inner = level;
            const Repetition repetition = e.repetition.value_or(Repetition::Required);
            if (repetition == Repetition::Optional) {
                ++inner.definition;
            } else if (repetition == Repetition::Repeated) {
                ++inner.definition;
                ++inner.repetition;
                inner.repeatedDefinition = inner.definition;
            } else if (repetition != Repetition::Required) {
                fail("corrupt Parquet schema (field '" + e.name + "' has an unknown repetition)");
            }
            parts.push_back(e.name);
            if (e.numChildren > 0) {
                self(self, e.numChildren, inner, depth + 1);
            } else {
                if (!e.type)
                    fail("corrupt Parquet schema (field '" + e.name + "' has neither a type nor children)");
                ColumnInfo info;
                info.parts = parts;
                for (const auto &part : parts)
                    info.path += (info.path.empty() ? "" : ".") + part;
                info.type = valueTypeOf(*e.type);
                info.physicalType = name(*e.type);
                info.typeLength = e.type == PhysicalType::FixedLenByteArray ? e.typeLength : 0;
                if (e.type == PhysicalType::FixedLenByteArray && e.typeLength <= 0)
                    fail("corrupt Parquet schema (field '" + e.name + "' has no fixed length)");
                info.maxDefinition = inner.definition;
                info.maxRepetition = inner.repetition;
                info.repeatedDefinition = inner.repeatedDefinition;
                info.isString = e.type == PhysicalType::ByteArray && e.convertedType == 0; // UTF8
                m_columns.push_back(std::move(info));
            }
            parts.pop_back();
        }
    };
    walk(walk, schema.front().numChildren, Level{}, 0);
    if (next != schema.size())
        fail("corrupt Parquet schema (" + std::to_string(schema.size() - next) +
             " elements outside the root's children)");
    for (const RowGroup &group : m_meta->rowGroups)
        if (group.columns.size() != m_columns.size())
            fail("corrupt Parquet footer (a row group has " + std::to_string(group.columns.size()) +
                 " column chunks for " + std::to_string(m_columns.size()) + " columns)");
}

std::int64_t ParquetFile::numRows() const
{
    return m_meta->numRows;
}

int ParquetFile::numRowGroups() const
{
    return int(m_meta->rowGroups.size());
}

std::int64_t ParquetFile::rowGroupRows(int rowGroup) const
{
    return m_meta->rowGroups.at(std::size_t(rowGroup)).numRows;
}

std::int64_t ParquetFile::rowGroupStart(int rowGroup) const
{
    return m_rowGroupStarts.at(std::size_t(rowGroup));
}

std::string ParquetFile::createdBy() const
{
    return m_meta->createdBy;
}

const ColumnInfo *ParquetFile::findColumn(const std::string &path) const
{
    for (const auto &column : m_columns)
        if (column.path == path)
            return &column;
    return nullptr;
}

std::vector<const ColumnInfo *> ParquetFile::leavesOf(const std::string &field) const
{
    std::vector<const ColumnInfo *> leaves;
    for (const auto &column : m_columns)
        if (column.parts.front() == field)
            leaves.push_back(&column);
    return leaves;
}

namespace {

// Decodes the levels and values of one data page and appends the entries of the requested rows.
class PageDecoder
{
public:
    explicit PageDecoder(ChunkState &state)
        : m_state(state)
        , m_column(*state.column)
    {}

    void decodeV1(const PageHeader &header, const std::vector<std::uint8_t> &page)
    {
        const DataPageHeader &h = *header.dataPage;
        checkCount(h.numValues);
        const std::uint8_t *p = page.data();
        std::size_t left = page.size();
        std::vector<std::int16_t> rep, def;
        auto levels = [&](int maxLevel, Encoding encoding, std::vector<std::int16_t> &out) {
            if (maxLevel == 0)
                return;
            if (encoding != Encoding::Rle)
                throw std::runtime_error(std::string("levels encoded as ") + name(encoding) +
                                         " are not supported (only RLE)");
            if (left < 4)
                throw std::runtime_error("page ends before its levels");
            const std::size_t length = readLE32(p);
            if (length > left - 4)
                throw std::runtime_error("levels run past the page");
            decodeHybrid(p + 4, length, bitWidthFor(std::uint32_t(maxLevel)), h.numValues, out);
            p += 4 + length;
            left -= 4 + length;
        };
        levels(m_column.maxRepetition, h.repetitionLevelEncoding, rep);
        levels(m_column.maxDefinition, h.definitionLevelEncoding, def);
        assemble(h.numValues, rep, def, h.encoding, p, left);
    }

    void decodeV2(const PageHeader &header, const std::uint8_t *body, std::size_t size, Codec codec)
    {
        const DataPageHeaderV2 &h = *header.dataPageV2;
        checkCount(h.numValues);
        if (h.repetitionLevelsByteLength < 0 || h.definitionLevelsByteLength < 0 ||
            std::size_t(h.repetitionLevelsByteLength) + std::size_t(h.definitionLevelsByteLength) > size)
            throw std::runtime_error("page v2 level lengths do not fit in the page");
        std::vector<std::int16_t> rep, def;
        const std::uint8_t *p = body;
        if (m_column.maxRepetition > 0)
            decodeHybrid(p, std::size_t(h.repetitionLevelsByteLength),
                         bitWidthFor(std::uint32_t(m_column.maxRepetition)), h.numValues, rep);
        p += h.repetitionLevelsByteLength;
        if (m_column.maxDefinition > 0)
            decodeHybrid(p, std::size_t(h.definitionLevelsByteLength),
                         bitWidthFor(std::uint32_t(m_column.maxDefinition)), h.numValues, def);
        p += h.definitionLevelsByteLength;
        const std::size_t levelBytes = std::size_t(p - body);
        const std::size_t valueBytes = size - levelBytes;
        const std::int64_t uncompressedValues = std::int64_t(header.uncompressedPageSize) - std::int64_t(levelBytes);
        if (uncompressedValues < 0)
            throw std::runtime_error("page v2 is smaller than its levels");
        if (h.isCompressed && codec != Codec::Uncompressed) {
            const auto values = decompress(codec, p, valueBytes, std::size_t(uncompressedValues));
            assemble(h.numValues, rep, def, h.encoding, values.data(), values.size());
        } else {
            assemble(h.numValues, rep, def, h.encoding, p, valueBytes);
        }
    }

private:
    void checkCount(std::int32_t n)
    {
        if (n < 0 || n > kMaxPageEntries)
            throw std::runtime_error("page claims " + std::to_string(n) + " values");
    }

    std::int64_t countPresent(std::int64_t n, const std::vector<std::int16_t> &def) const
    {
        if (m_column.maxDefinition == 0)
            return n;
        std::int64_t present = 0;
        for (const std::int16_t d : def) {
            if (d < 0 || d > m_column.maxDefinition)
                throw std::runtime_error("definition level " + std::to_string(d) + " above its maximum");
            present += d == m_column.maxDefinition;
        }
        return present;
    }

    TypedValues decodeValues(std::int64_t present, Encoding encoding, const std::uint8_t *p, std::size_t size)
    {
        TypedValues values;
        values.type = m_column.type;
        if (encoding == Encoding::Plain) {
            decodePlain(p, size, present, m_column.typeLength, values);
        } else if (encoding == Encoding::RleDictionary || encoding == Encoding::PlainDictionary) {
            if (!m_state.dictionary)
                throw std::runtime_error("dictionary-encoded page without a dictionary page");
            std::vector<std::uint32_t> indices;
            if (present > 0) {
                if (size < 1)
                    throw std::runtime_error("dictionary page data is empty");
                decodeHybrid(p + 1, size - 1, p[0], present, indices);
            }
            const std::size_t dictionarySize = m_state.dictionary->size();
            for (const std::uint32_t i : indices) {
                if (i >= dictionarySize)
                    throw std::runtime_error("dictionary index " + std::to_string(i) + " past the " +
                                             std::to_string(dictionarySize) + "-entry dictionary");
            }
            for (const std::uint32_t i : indices)
                values.append(*m_state.dictionary, i);
        } else if (encoding == Encoding::Rle && m_column.type == ValueType::Boolean) {
            if (size < 4 || readLE32(p) > size - 4)
                throw std::runtime_error("RLE booleans run past the page");
            decodeHybrid(p + 4, readLE32(p), 1, present, values.booleans);
        } else {
            throw std::runtime_error(std::string(name(encoding)) + " encoding is not supported (" +
                                     "GridS Studio reads PLAIN, dictionary and RLE)");
        }
        return values;
    }

    void assemble(std::int64_t n,
                  const std::vector<std::int16_t> &rep,
                  const std::vector<std::int16_t> &def,
                  Encoding encoding,
                  const std::uint8_t *p,
                  std::size_t size)
    {
        const std::int64_t present = countPresent(n, def);
        const TypedValues values = decodeValues(present, encoding, p, size);
        ColumnValues &out = m_state.out;
        std::size_t next = 0; // the next non-null value
        for (std::int64_t i = 0; i < n; ++i) {
            const int r = m_column.maxRepetition > 0 ? rep[std::size_t(i)] : 0;
            const int d = m_column.maxDefinition > 0 ? def[std::size_t(i)] : 0;
            if (r > m_column.maxRepetition)
                throw std::runtime_error("repetition level " + std::to_string(r) + " above its maximum");
            if (r == 0) {
                ++m_state.row;
                if (inRange()) {
                    out.rowOffsets.push_back(out.entries());
                    if (m_column.maxRepetition > 0)
                        out.rowIsNull.push_back(d < m_column.repeatedDefinition - 1);
                }
            } else if (m_state.row < 0) {
                throw std::runtime_error("the first value continues a list that never started");
            }
            const bool isEntry = m_column.maxRepetition == 0 || d >= m_column.repeatedDefinition;
            const bool isValue = d == m_column.maxDefinition;
            if (isEntry && inRange()) {
                out.valid.push_back(isValue);
                if (isValue)
                    out.append(values, next);
                else
                    out.appendZero();
            }
            next += isValue;
        }
    }

    bool inRange() const { return m_state.row >= m_state.rowBegin && m_state.row < m_state.rowEnd; }

    ChunkState &m_state;
    const ColumnInfo &m_column;
};

} // namespace

ColumnValues ParquetFile::read(int rowGroup, const std::string &columnPath, std::int64_t rowBegin,
                               std::int64_t rowEnd)
{
    if (rowGroup < 0 || rowGroup >= numRowGroups())
        throw usageError(m_path + ": row group " + std::to_string(rowGroup) + " out of range");
    const ColumnInfo *found = findColumn(columnPath);
    if (!found)
        fail("has no column '" + columnPath + "'");
    const ColumnInfo &column = *found;
    const auto index = std::size_t(found - m_columns.data()); // its chunk in each row group
    const std::string where = "column '" + columnPath + "'";
    auto columnFail = [&](const std::string &what) { fail(where + ": " + what); };

    const RowGroup &group = m_meta->rowGroups[std::size_t(rowGroup)];
    const std::int64_t rows = group.numRows;
    if (rowEnd < 0 || rowEnd > rows)
        rowEnd = rows;
    if (rowBegin < 0 || rowBegin > rowEnd)
        throw usageError(m_path + ": rows " + std::to_string(rowBegin) + ".." + std::to_string(rowEnd) +
                         " out of range for " + where);

    const ColumnChunk &chunk = group.columns[index];
    if (chunk.encrypted)
        columnFail("is encrypted (not supported)");
    if (!chunk.filePath.empty())
        columnFail("lives in another file ('" + chunk.filePath + "'; not supported)");
    if (!chunk.metaData)
        columnFail("has no column metadata");
    const ColumnMetaData &meta = *chunk.metaData;
    if (meta.pathInSchema != column.parts)
        fail("corrupt Parquet footer (column chunk " + std::to_string(index) +
             " does not match the schema's column '" + columnPath + "')");
    if (meta.type == PhysicalType::Int96)
        columnFail("is INT96 (legacy timestamps; not supported)");
    if (meta.type < PhysicalType::Boolean || meta.type > PhysicalType::FixedLenByteArray ||
        valueTypeOf(meta.type) != column.type)
        columnFail(std::string("chunk type ") + name(meta.type) + " differs from the schema's " +
                   column.physicalType);
    if (column.maxRepetition > 1)
        columnFail("is a list of lists (nested lists are not supported)");

    std::int64_t start = meta.dataPageOffset;
    if (meta.dictionaryPageOffset && *meta.dictionaryPageOffset >= 4 && *meta.dictionaryPageOffset < start)
        start = *meta.dictionaryPageOffset;
    const std::int64_t end = start + meta.totalCompressedSize;
    if (start < 4 || meta.totalCompressedSize < 0 || end > m_size - 8)
        columnFail("column chunk lies outside the file (offset " + std::to_string(start) + ", " +
                   std::to_string(meta.totalCompressedSize) + " bytes; truncated file?)");

    m_stats = ReadStats{};
    ChunkState state{&column, rowBegin, rowEnd, -1, std::nullopt, ColumnValues{}};
    state.out.column = column;
    state.out.type = column.type;
    PageDecoder decoder(state);
    std::int64_t pos = start;
    std::vector<std::uint8_t> buffer;
    try {
        while (pos < end && state.row + 1 < rowEnd + (column.maxRepetition > 0 ? 1 : 0)) {
            // Page headers are small; read a window and widen it if the header does not fit.
            std::size_t window = std::size_t(std::min<std::int64_t>(end - pos, 4096));
            PageHeader header;
            std::size_t headerSize = 0;
            for (;;) {
                buffer.resize(window);
                readExactly(m_fd, pos, window, buffer.data(), m_path);
                try {
                    header = decodePageHeader(buffer.data(), window, headerSize);
                    break;
                } catch (const std::runtime_error &) {
                    if (std::int64_t(window) >= end - pos)
                        throw;
                    window = std::size_t(std::min<std::int64_t>(end - pos, std::int64_t(window) * 4));
                }
            }
            if (header.compressedPageSize < 0 || header.uncompressedPageSize < 0 ||
                header.uncompressedPageSize > kMaxPageBytes ||
                std::int64_t(headerSize) + header.compressedPageSize > end - pos)
                throw std::runtime_error("page sizes do not fit in the column chunk");
            const std::int64_t body = pos + std::int64_t(headerSize);
            pos = body + header.compressedPageSize;
            auto readBody = [&] {
                std::vector<std::uint8_t> bytes(std::size_t(header.compressedPageSize));
                readExactly(m_fd, body, bytes.size(), bytes.data(), m_path);
                return bytes;
            };
            switch (header.type) {
            case PageType::DictionaryPage: {
                if (!header.dictionaryPage)
                    throw std::runtime_error("dictionary page without its header");
                const auto &h = *header.dictionaryPage;
                if (h.encoding != Encoding::Plain && h.encoding != Encoding::PlainDictionary)
                    throw std::runtime_error(std::string("dictionary encoded as ") + name(h.encoding) +
                                             " is not supported");
                if (h.numValues < 0 || h.numValues > kMaxPageEntries)
                    throw std::runtime_error("dictionary claims " + std::to_string(h.numValues) + " values");
                const auto raw = readBody();
                const auto page = decompress(meta.codec, raw.data(), raw.size(),
                                             std::size_t(header.uncompressedPageSize));
                ++m_stats.dictionaryPages;
                state.dictionary = TypedValues{};
                state.dictionary->type = column.type;
                decodePlain(page.data(), page.size(), h.numValues, column.typeLength, *state.dictionary);
                break;
            }
            case PageType::DataPage:
            case PageType::DataPageV2: {
                const bool v2 = header.type == PageType::DataPageV2;
                if ((v2 && !header.dataPageV2) || (!v2 && !header.dataPage))
                    throw std::runtime_error("data page without its header");
                const std::int32_t values = v2 ? header.dataPageV2->numValues : header.dataPage->numValues;
                // Outside lists a page holds one entry per row, so pages before the range are skipped
                // unread.
                if (column.maxRepetition == 0 && state.row + 1 + values <= rowBegin) {
                    state.row += values;
                    ++m_stats.pagesSkipped;
                    break;
                }
                const auto raw = readBody();
                ++(v2 ? m_stats.dataPagesV2 : m_stats.dataPagesV1);
                if (v2) {
                    decoder.decodeV2(header, raw.data(), raw.size(), meta.codec);
                } else {
                    const auto page = decompress(meta.codec, raw.data(), raw.size(),
                                                 std::size_t(header.uncompressedPageSize));
                    decoder.decodeV1(header, page);
                }
                break;
            }
            case PageType::IndexPage: break;
            default: throw std::runtime_error("unknown page type " + std::to_string(int(header.type)));
            }
        }
    } catch (const Error &) {
        throw;
    } catch (const std::exception &e) {
        columnFail(std::string(e.what()) + " (row group " + std::to_string(rowGroup) + ")");
    }
    const std::int64_t rowsRead = state.row + 1;
    if (rowsRead < rowEnd || (rowEnd == rows && rowsRead != rows))
        columnFail("holds " + std::to_string(rowsRead) + " rows in row group " + std::to_string(rowGroup) +
                   ", its footer says " + std::to_string(rows) + " (truncated or corrupt?)");
    state.out.rowOffsets.push_back(state.out.entries());
    return std::move(state.out);
}

} // namespace grids::parquet
