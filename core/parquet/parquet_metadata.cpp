// Decodes Parquet's Thrift metadata with libthrift's compact protocol. This is the only file that
// includes Thrift headers: the structures are read field by field (ids from the Parquet format
// specification) into the plain structs of parquet_metadata.h, and every field we do not use is
// skipped, so metadata written by newer writers (statistics, page indexes, geospatial types, …)
// still decodes.

#include "parquet/parquet_metadata.h"

#include <thrift/TConfiguration.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TVirtualTransport.h>

#include <climits>
#include <cstring>
#include <stdexcept>

namespace grids::parquet {
namespace {

using apache::thrift::TConfiguration;
using apache::thrift::protocol::TType;

// A read-only transport over bytes in memory. It tells Thrift how many bytes there are, so that
// Thrift refuses a list or string longer than the whole buffer before allocating for it. (Bytes
// read are not counted off: Thrift's string reader checks the length again after reading it.)
class MemoryTransport : public apache::thrift::transport::TVirtualTransport<MemoryTransport>
{
public:
    MemoryTransport(const std::uint8_t *data, std::size_t size)
        : TVirtualTransport(std::make_shared<TConfiguration>(INT_MAX))
        , m_begin(data)
        , m_pos(data)
        , m_end(data + size)
    {
        resetConsumedMessageSize(long(size));
    }

    std::uint32_t read(std::uint8_t *buf, std::uint32_t len)
    {
        const std::uint32_t n = std::uint32_t(std::min<std::size_t>(len, std::size_t(m_end - m_pos)));
        std::memcpy(buf, m_pos, n);
        m_pos += n;
        return n;
    }

    std::size_t consumed() const { return std::size_t(m_pos - m_begin); }

private:
    const std::uint8_t *m_begin, *m_pos, *m_end;
};

using Protocol = apache::thrift::protocol::TCompactProtocolT<MemoryTransport>;

// Calls onField(id, type) for each field of a struct; the callback returns false for a field it
// does not read, which is then skipped.
template <typename OnField>
void readStruct(Protocol &in, OnField onField)
{
    std::string ignored;
    in.readStructBegin(ignored);
    for (;;) {
        TType type;
        std::int16_t id;
        in.readFieldBegin(ignored, type, id);
        if (type == apache::thrift::protocol::T_STOP)
            break;
        if (!onField(id, type))
            in.skip(type);
        in.readFieldEnd();
    }
    in.readStructEnd();
}

template <typename ReadElement>
void readList(Protocol &in, ReadElement readElement)
{
    TType elementType;
    std::uint32_t size;
    in.readListBegin(elementType, size);
    for (std::uint32_t i = 0; i < size; ++i)
        readElement();
    in.readListEnd();
}

std::int32_t readI32(Protocol &in)
{
    std::int32_t v;
    in.readI32(v);
    return v;
}

std::int64_t readI64(Protocol &in)
{
    std::int64_t v;
    in.readI64(v);
    return v;
}

std::string readString(Protocol &in)
{
    std::string v;
    in.readBinary(v);
    return v;
}

bool readBool(Protocol &in)
{
    bool v;
    in.readBool(v);
    return v;
}

template <typename Enum>
Enum readEnum(Protocol &in)
{
    return Enum(readI32(in));
}

SchemaElement readSchemaElement(Protocol &in)
{
    SchemaElement e;
    readStruct(in, [&](std::int16_t id, TType type) {
        switch (id) {
        case 1: e.type = readEnum<PhysicalType>(in); return true;
        case 2: e.typeLength = readI32(in); return true;
        case 3: e.repetition = readEnum<Repetition>(in); return true;
        case 4: e.name = readString(in); return true;
        case 5: e.numChildren = readI32(in); return true;
        case 6: e.convertedType = readI32(in); return true;
        default: return false;
        }
    });
    return e;
}

ColumnMetaData readColumnMetaData(Protocol &in)
{
    ColumnMetaData m;
    readStruct(in, [&](std::int16_t id, TType) {
        switch (id) {
        case 1: m.type = readEnum<PhysicalType>(in); return true;
        case 3: readList(in, [&] { m.pathInSchema.push_back(readString(in)); }); return true;
        case 4: m.codec = readEnum<Codec>(in); return true;
        case 5: m.numValues = readI64(in); return true;
        case 7: m.totalCompressedSize = readI64(in); return true;
        case 9: m.dataPageOffset = readI64(in); return true;
        case 11: m.dictionaryPageOffset = readI64(in); return true;
        default: return false;
        }
    });
    return m;
}

ColumnChunk readColumnChunk(Protocol &in)
{
    ColumnChunk c;
    readStruct(in, [&](std::int16_t id, TType) {
        switch (id) {
        case 1: c.filePath = readString(in); return true;
        case 3: c.metaData = readColumnMetaData(in); return true;
        case 8: // crypto_metadata
        case 9: // encrypted_column_metadata
            c.encrypted = true;
            return false;
        default: return false;
        }
    });
    return c;
}

RowGroup readRowGroup(Protocol &in)
{
    RowGroup g;
    readStruct(in, [&](std::int16_t id, TType) {
        switch (id) {
        case 1: readList(in, [&] { g.columns.push_back(readColumnChunk(in)); }); return true;
        case 3: g.numRows = readI64(in); return true;
        default: return false;
        }
    });
    return g;
}

KeyValue readKeyValue(Protocol &in)
{
    KeyValue kv;
    readStruct(in, [&](std::int16_t id, TType) {
        switch (id) {
        case 1: kv.key = readString(in); return true;
        case 2: kv.value = readString(in); return true;
        default: return false;
        }
    });
    return kv;
}

PageHeader readPageHeader(Protocol &in)
{
    PageHeader h;
    readStruct(in, [&](std::int16_t id, TType) {
        switch (id) {
        case 1: h.type = readEnum<PageType>(in); return true;
        case 2: h.uncompressedPageSize = readI32(in); return true;
        case 3: h.compressedPageSize = readI32(in); return true;
        case 5:
            h.dataPage.emplace();
            readStruct(in, [&](std::int16_t field, TType) {
                switch (field) {
                case 1: h.dataPage->numValues = readI32(in); return true;
                case 2: h.dataPage->encoding = readEnum<Encoding>(in); return true;
                case 3: h.dataPage->definitionLevelEncoding = readEnum<Encoding>(in); return true;
                case 4: h.dataPage->repetitionLevelEncoding = readEnum<Encoding>(in); return true;
                default: return false;
                }
            });
            return true;
        case 7:
            h.dictionaryPage.emplace();
            readStruct(in, [&](std::int16_t field, TType) {
                switch (field) {
                case 1: h.dictionaryPage->numValues = readI32(in); return true;
                case 2: h.dictionaryPage->encoding = readEnum<Encoding>(in); return true;
                default: return false;
                }
            });
            return true;
        case 8:
            h.dataPageV2.emplace();
            readStruct(in, [&](std::int16_t field, TType) {
                auto &v2 = *h.dataPageV2;
                switch (field) {
                case 1: v2.numValues = readI32(in); return true;
                case 2: v2.numNulls = readI32(in); return true;
                case 3: v2.numRows = readI32(in); return true;
                case 4: v2.encoding = readEnum<Encoding>(in); return true;
                case 5: v2.definitionLevelsByteLength = readI32(in); return true;
                case 6: v2.repetitionLevelsByteLength = readI32(in); return true;
                case 7: v2.isCompressed = readBool(in); return true;
                default: return false;
                }
            });
            return true;
        default: return false;
        }
    });
    return h;
}

// Runs a decoder and turns Thrift's exceptions into std::runtime_error with its reason.
template <typename Decode>
auto decodeWith(const std::uint8_t *data, std::size_t size, Decode decode)
{
    auto transport = std::make_shared<MemoryTransport>(data, size);
    // Limits: no string or list can be longer than the bytes there are.
    const auto limit = std::int32_t(std::min<std::size_t>(size, INT_MAX));
    Protocol in(transport, limit, limit);
    try {
        return decode(in, *transport);
    } catch (const apache::thrift::TException &e) {
        throw std::runtime_error(std::string("invalid Thrift structure (") + e.what() + ")");
    }
}

} // namespace

FileMetaData decodeFileMetaData(const std::uint8_t *data, std::size_t size)
{
    return decodeWith(data, size, [](Protocol &in, MemoryTransport &) {
        FileMetaData f;
        readStruct(in, [&](std::int16_t id, TType) {
            switch (id) {
            case 1: f.version = readI32(in); return true;
            case 2: readList(in, [&] { f.schema.push_back(readSchemaElement(in)); }); return true;
            case 3: f.numRows = readI64(in); return true;
            case 4: readList(in, [&] { f.rowGroups.push_back(readRowGroup(in)); }); return true;
            case 5: readList(in, [&] { f.keyValueMetadata.push_back(readKeyValue(in)); }); return true;
            case 6: f.createdBy = readString(in); return true;
            default: return false;
            }
        });
        return f;
    });
}

PageHeader decodePageHeader(const std::uint8_t *data, std::size_t size, std::size_t &headerSize)
{
    return decodeWith(data, size, [&](Protocol &in, MemoryTransport &transport) {
        PageHeader h = readPageHeader(in);
        headerSize = transport.consumed();
        return h;
    });
}

const char *name(PhysicalType type)
{
    switch (type) {
    case PhysicalType::Boolean: return "BOOLEAN";
    case PhysicalType::Int32: return "INT32";
    case PhysicalType::Int64: return "INT64";
    case PhysicalType::Int96: return "INT96";
    case PhysicalType::Float: return "FLOAT";
    case PhysicalType::Double: return "DOUBLE";
    case PhysicalType::ByteArray: return "BYTE_ARRAY";
    case PhysicalType::FixedLenByteArray: return "FIXED_LEN_BYTE_ARRAY";
    }
    return "an unknown physical type";
}

const char *name(Codec codec)
{
    switch (codec) {
    case Codec::Uncompressed: return "UNCOMPRESSED";
    case Codec::Snappy: return "SNAPPY";
    case Codec::Gzip: return "GZIP";
    case Codec::Lzo: return "LZO";
    case Codec::Brotli: return "BROTLI";
    case Codec::Lz4: return "LZ4";
    case Codec::Zstd: return "ZSTD";
    case Codec::Lz4Raw: return "LZ4_RAW";
    }
    return "an unknown codec";
}

const char *name(Encoding encoding)
{
    switch (encoding) {
    case Encoding::Plain: return "PLAIN";
    case Encoding::PlainDictionary: return "PLAIN_DICTIONARY";
    case Encoding::Rle: return "RLE";
    case Encoding::BitPacked: return "BIT_PACKED";
    case Encoding::DeltaBinaryPacked: return "DELTA_BINARY_PACKED";
    case Encoding::DeltaLengthByteArray: return "DELTA_LENGTH_BYTE_ARRAY";
    case Encoding::DeltaByteArray: return "DELTA_BYTE_ARRAY";
    case Encoding::RleDictionary: return "RLE_DICTIONARY";
    case Encoding::ByteStreamSplit: return "BYTE_STREAM_SPLIT";
    }
    return "an unknown encoding";
}

} // namespace grids::parquet
