#pragma once

// The parts of Parquet's file metadata (the Thrift structures of the format specification) that
// GridS Studio reads. Field meanings follow the specification; anything not listed here is
// skipped while decoding. Internal to core/parquet.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace grids::parquet {

// Physical types, with the specification's numbers.
enum class PhysicalType : std::int32_t {
    Boolean = 0,
    Int32 = 1,
    Int64 = 2,
    Int96 = 3,
    Float = 4,
    Double = 5,
    ByteArray = 6,
    FixedLenByteArray = 7,
};

enum class Repetition : std::int32_t { Required = 0, Optional = 1, Repeated = 2 };

enum class Codec : std::int32_t {
    Uncompressed = 0,
    Snappy = 1,
    Gzip = 2,
    Lzo = 3,
    Brotli = 4,
    Lz4 = 5,
    Zstd = 6,
    Lz4Raw = 7,
};

enum class Encoding : std::int32_t {
    Plain = 0,
    PlainDictionary = 2,
    Rle = 3,
    BitPacked = 4,
    DeltaBinaryPacked = 5,
    DeltaLengthByteArray = 6,
    DeltaByteArray = 7,
    RleDictionary = 8,
    ByteStreamSplit = 9,
};

enum class PageType : std::int32_t { DataPage = 0, IndexPage = 1, DictionaryPage = 2, DataPageV2 = 3 };

const char *name(PhysicalType type);
const char *name(Codec codec);
const char *name(Encoding encoding);

struct SchemaElement
{
    std::optional<PhysicalType> type; // absent for groups
    std::int32_t typeLength = 0;
    std::optional<Repetition> repetition; // absent only for the root
    std::string name;
    std::int32_t numChildren = 0;
    std::optional<std::int32_t> convertedType;
};

struct ColumnMetaData
{
    PhysicalType type = PhysicalType::Boolean;
    std::vector<std::string> pathInSchema;
    Codec codec = Codec::Uncompressed;
    std::int64_t numValues = 0;
    std::int64_t totalCompressedSize = 0;
    std::int64_t dataPageOffset = 0;
    std::optional<std::int64_t> dictionaryPageOffset;
};

struct ColumnChunk
{
    std::string filePath; // set when the chunk lives in another file (refused)
    std::optional<ColumnMetaData> metaData;
    bool encrypted = false;
};

struct RowGroup
{
    std::vector<ColumnChunk> columns;
    std::int64_t numRows = 0;
};

struct KeyValue
{
    std::string key;
    std::string value;
};

struct FileMetaData
{
    std::int32_t version = 0;
    std::vector<SchemaElement> schema; // depth-first, the root first
    std::int64_t numRows = 0;
    std::vector<RowGroup> rowGroups;
    std::vector<KeyValue> keyValueMetadata;
    std::string createdBy;
};

struct DataPageHeader
{
    std::int32_t numValues = 0;
    Encoding encoding = Encoding::Plain;
    Encoding definitionLevelEncoding = Encoding::Rle;
    Encoding repetitionLevelEncoding = Encoding::Rle;
};

struct DictionaryPageHeader
{
    std::int32_t numValues = 0;
    Encoding encoding = Encoding::Plain;
};

struct DataPageHeaderV2
{
    std::int32_t numValues = 0;
    std::int32_t numNulls = 0;
    std::int32_t numRows = 0;
    Encoding encoding = Encoding::Plain;
    std::int32_t definitionLevelsByteLength = 0;
    std::int32_t repetitionLevelsByteLength = 0;
    bool isCompressed = true;
};

struct PageHeader
{
    PageType type = PageType::DataPage;
    std::int32_t uncompressedPageSize = 0;
    std::int32_t compressedPageSize = 0;
    std::optional<DataPageHeader> dataPage;
    std::optional<DictionaryPageHeader> dictionaryPage;
    std::optional<DataPageHeaderV2> dataPageV2;
};

// Decoders of the Thrift compact protocol encoding (through Debian's libthrift). Both throw
// std::runtime_error with a short reason when the bytes are not a valid structure.
FileMetaData decodeFileMetaData(const std::uint8_t *data, std::size_t size);
// Decodes a page header at the start of `data`; `headerSize` receives the bytes it used.
PageHeader decodePageHeader(const std::uint8_t *data, std::size_t size, std::size_t &headerSize);

} // namespace grids::parquet
