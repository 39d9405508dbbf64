#pragma once

// A focused Parquet reader: what LeRobot datasets (and the writers that make them: pyarrow,
// DuckDB, hyparquet) put in their files, read exactly, and everything else refused with a one-line
// error that names the file, the column and what is unsupported.
//
// Supported: footer and schema; row groups and column chunks (only the columns asked for, one row
// group at a time); dictionary pages, data pages v1 and v2; PLAIN, PLAIN_DICTIONARY /
// RLE_DICTIONARY, RLE for levels and booleans; UNCOMPRESSED, SNAPPY, GZIP, ZSTD; BOOLEAN, INT32,
// INT64, FLOAT, DOUBLE, BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY; optional values, structs (each leaf is
// a column, e.g. "image.bytes") and one level of lists (3-level LIST with optional elements, or
// the legacy 2-level form). Refused: encrypted files, other encodings and codecs, INT96, lists of
// lists, column chunks in other files.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace grids::parquet {

struct FileMetaData;

enum class ValueType { Boolean, Int32, Int64, Float, Double, Bytes };

// One leaf column of the schema.
struct ColumnInfo
{
    std::string path;              // dotted: "observation.state.list.element", "image.bytes"
    std::vector<std::string> parts; // the same path, one schema name per part
    ValueType type = ValueType::Int64;
    const char *physicalType = ""; // as the file names it, for messages
    int typeLength = 0;            // FIXED_LEN_BYTE_ARRAY only
    int maxDefinition = 0;
    int maxRepetition = 0;         // 0 scalar (maybe in structs), 1 in a list
    int repeatedDefinition = 0;    // for lists: the definition level at which a list has an element
    bool isString = false;         // BYTE_ARRAY annotated as UTF8 / STRING
};

// Values of one type: of the arrays, the one `type` names is used.
struct TypedValues
{
    ValueType type = ValueType::Int64;
    std::vector<std::uint8_t> booleans;
    std::vector<std::int32_t> int32s;
    std::vector<std::int64_t> int64s;
    std::vector<float> floats;
    std::vector<double> doubles;
    std::vector<std::string> bytes;

    std::size_t size() const;
    // Appends value i of `from` (of the same type), or a zero / empty value.
    void append(const TypedValues &from, std::size_t i);
    void appendZero();
};

// The values of one leaf column over a range of rows. Row r covers the entries
// [rowOffsets[r], rowOffsets[r+1]): exactly one for a column outside lists, any number (0 for an
// empty or null list) inside one. Entry e is a value when valid[e], a null otherwise; the value
// arrays have one slot per entry (a zero or empty slot for a null), so entry e's value is at e.
struct ColumnValues : TypedValues
{
    ColumnInfo column;
    std::vector<std::int64_t> rowOffsets; // rows + 1
    std::vector<std::uint8_t> rowIsNull;  // lists only: 1 when the list itself is null
    std::vector<std::uint8_t> valid;

    std::int64_t rows() const { return std::int64_t(rowOffsets.size()) - 1; }
    std::int64_t entries() const { return std::int64_t(valid.size()); }
    // The entry's value as a double for any numeric type (exact for INT32, FLOAT, DOUBLE, and
    // INT64 up to 2^53). The entry must be valid.
    double number(std::int64_t entry) const;
};

// What the last ParquetFile::read decoded (tests and benchmarks check page skipping with it).
struct ReadStats
{
    int dictionaryPages = 0;
    int dataPagesV1 = 0;
    int dataPagesV2 = 0;
    int pagesSkipped = 0; // data pages before the row range, not read or decompressed
};

class ParquetFile
{
public:
    // Reads the footer. Throws Error{BadInput} naming the file for anything that is not a
    // readable Parquet file (missing magic, truncated, corrupt footer, encrypted).
    static std::unique_ptr<ParquetFile> open(const std::string &path);
    ~ParquetFile();
    ParquetFile(const ParquetFile &) = delete;
    ParquetFile &operator=(const ParquetFile &) = delete;

    const std::string &path() const { return m_path; }
    std::int64_t numRows() const;
    int numRowGroups() const;
    std::int64_t rowGroupRows(int rowGroup) const;
    // The first row of the row group within the file.
    std::int64_t rowGroupStart(int rowGroup) const;
    const std::vector<ColumnInfo> &columns() const { return m_columns; }
    // The leaf column with this dotted path, or nullptr.
    const ColumnInfo *findColumn(const std::string &path) const;
    // Leaf columns of a top-level field by its name, which may itself hold dots
    // ("observation.state" → its list's element column; "image" → image.bytes, image.path).
    std::vector<const ColumnInfo *> leavesOf(const std::string &field) const;
    std::string createdBy() const;

    // Reads rows [rowBegin, rowEnd) of one leaf column in one row group (rowEnd = -1: to the end
    // of the row group). For columns outside lists, pages wholly outside the range are skipped
    // without being decompressed. Throws Error{BadInput} naming the file and the column for
    // corrupt data or anything outside the supported subset.
    ColumnValues read(int rowGroup, const std::string &columnPath, std::int64_t rowBegin = 0,
                      std::int64_t rowEnd = -1);
    const ReadStats &lastReadStats() const { return m_stats; }

private:
    ParquetFile() = default;
    void readFooter();
    void buildColumns();
    [[noreturn]] void fail(const std::string &what) const;

    std::string m_path;
    int m_fd = -1;
    std::int64_t m_size = 0;
    std::unique_ptr<FileMetaData> m_meta;
    std::vector<ColumnInfo> m_columns;
    std::vector<std::int64_t> m_rowGroupStarts;
    ReadStats m_stats;
};

} // namespace grids::parquet
