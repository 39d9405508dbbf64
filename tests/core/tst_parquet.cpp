// The Parquet reader reads exactly what two independent writers (DuckDB and hyparquet-writer,
// under Node.js) wrote: every codec, dictionary on and off, data pages v1 and v2, several row
// groups, nulls, fixed and variable lists, image structs. Whatever lies outside the supported
// subset, and every corrupt file, is refused with a one-line error naming file and column.

#include "common/error.h"
#include "fixtures.h"
#include "parquet/parquet_file.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QTest>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>

using namespace grids;
using nlohmann::json;

namespace {

std::string toHex(const std::string &bytes)
{
    static const char digits[] = "0123456789abcdef";
    std::string hex;
    for (const unsigned char c : bytes) {
        hex += digits[c >> 4];
        hex += digits[c & 15];
    }
    return hex;
}

// One entry as the fixture script writes values: INT64 as a decimal string, bytes as hex (UTF8
// strings as they are), FLOAT widened exactly to double.
json entryJson(const parquet::ColumnValues &v, std::int64_t e)
{
    if (!v.valid[std::size_t(e)])
        return nullptr;
    switch (v.column.type) {
    case parquet::ValueType::Boolean: return bool(v.booleans[std::size_t(e)]);
    case parquet::ValueType::Int32: return v.int32s[std::size_t(e)];
    case parquet::ValueType::Int64: return std::to_string(v.int64s[std::size_t(e)]);
    case parquet::ValueType::Float: return double(v.floats[std::size_t(e)]);
    case parquet::ValueType::Double: return v.doubles[std::size_t(e)];
    case parquet::ValueType::Bytes:
        return v.column.isString ? json(v.bytes[std::size_t(e)]) : json(toHex(v.bytes[std::size_t(e)]));
    }
    return nullptr;
}

json rowJson(const parquet::ColumnValues &v, std::int64_t r)
{
    const std::int64_t begin = v.rowOffsets[std::size_t(r)], end = v.rowOffsets[std::size_t(r) + 1];
    if (v.column.maxRepetition == 0)
        return entryJson(v, begin);
    if (v.rowIsNull[std::size_t(r)])
        return nullptr;
    json list = json::array();
    for (std::int64_t e = begin; e < end; ++e)
        list.push_back(entryJson(v, e));
    return list;
}

// The leaf column of an expected field: lists are read through their element column.
std::string leafOf(const std::string &field)
{
    return field == "fixed" || field == "vec" ? field + ".list.element" : field;
}

} // namespace

class TestParquet : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const auto run = fixtures::runNodeScript("write_fixtures.mjs", {m_dir.path()});
        QVERIFY2(run.ok, run.err.constData());
        std::ifstream in(path("expected.json"));
        m_expected = json::parse(in);
        QVERIFY(m_expected["files"].size() >= 7);
    }

    void readsWhatIndependentWritersWrote_data()
    {
        QTest::addColumn<int>("index");
        for (std::size_t i = 0; i < m_expected["files"].size(); ++i) {
            const json &f = m_expected["files"][i];
            if (!f.value("refused", false))
                QTest::newRow(f["file"].get<std::string>().c_str()) << int(i);
        }
    }

    void readsWhatIndependentWritersWrote()
    {
        QFETCH(int, index);
        const json &f = m_expected["files"][std::size_t(index)];
        auto file = parquet::ParquetFile::open(path(f["file"]));
        const json &rows = m_expected["rows"];
        QCOMPARE(file->numRows(), std::int64_t(rows.size()));
        QCOMPARE(file->numRowGroups(), int(f["rowGroupRows"].size()));
        QVERIFY(file->numRowGroups() > 1);
        for (int g = 0; g < file->numRowGroups(); ++g)
            QCOMPARE(file->rowGroupRows(g), f["rowGroupRows"][std::size_t(g)].get<std::int64_t>());

        for (const auto &[field, ignored] : rows[0].items()) {
            const std::string leaf = leafOf(field);
            QVERIFY2(file->findColumn(leaf), leaf.c_str());
            std::int64_t row = 0;
            for (int g = 0; g < file->numRowGroups(); ++g) {
                const parquet::ColumnValues values = file->read(g, leaf);
                QCOMPARE(values.rows(), file->rowGroupRows(g));
                for (std::int64_t r = 0; r < values.rows(); ++r, ++row) {
                    const json got = rowJson(values, r);
                    const json &want = rows[std::size_t(row)][field];
                    if (got != want)
                        QFAIL(qPrintable(QString("%1 row %2: read %3, written %4")
                                             .arg(QString::fromStdString(field))
                                             .arg(row)
                                             .arg(QString::fromStdString(got.dump()))
                                             .arg(QString::fromStdString(want.dump()))));
                }
            }
        }
    }

    // The fixtures must keep covering what the reader claims to read: a change to the writers'
    // options that loses a codec, an encoding or a page version fails here.
    void fixturesCoverTheSupportedSubset()
    {
        std::set<std::string> codecs, encodings;
        int v1 = 0, v2 = 0, dictionaries = 0;
        for (const json &f : m_expected["files"]) {
            if (f.value("refused", false))
                continue;
            for (const auto &[column, meta] : f["columns"].items()) {
                for (const auto &c : meta["compression"])
                    codecs.insert(c.get<std::string>());
                for (const auto &e : meta["encodings"])
                    encodings.insert(e.get<std::string>());
            }
            auto file = parquet::ParquetFile::open(path(f["file"]));
            for (const auto *column : {"task", "label", "flag", "vec.list.element"}) {
                file->read(0, column);
                v1 += file->lastReadStats().dataPagesV1;
                v2 += file->lastReadStats().dataPagesV2;
                dictionaries += file->lastReadStats().dictionaryPages;
            }
        }
        for (const char *codec : {"SNAPPY", "ZSTD", "GZIP", "UNCOMPRESSED"})
            QVERIFY2(codecs.count(codec), codec);
        for (const char *encoding : {"PLAIN", "PLAIN_DICTIONARY", "RLE_DICTIONARY", "RLE"})
            QVERIFY2(encodings.count(encoding), encoding);
        QVERIFY(v1 > 0);
        QVERIFY(v2 > 0);
        QVERIFY(dictionaries > 0);
    }

    void rowRangeSkipsEarlierPages()
    {
        auto file = parquet::ParquetFile::open(path("hyparquet_snappy.parquet"));
        const json &rows = m_expected["rows"];
        const std::int64_t start = file->rowGroupStart(1);
        for (const std::int64_t r : {std::int64_t(0), std::int64_t(777), file->rowGroupRows(1) - 1}) {
            const auto values = file->read(1, "f64", r, r + 1);
            QCOMPARE(values.rows(), std::int64_t(1));
            QCOMPARE(values.doubles[0], rows[std::size_t(start + r)]["f64"].get<double>());
            if (r > 100)
                QVERIFY(file->lastReadStats().pagesSkipped > 0);
        }
        // A range inside a list column reads whole rows.
        const auto lists = file->read(1, "vec.list.element", 10, 13);
        QCOMPARE(lists.rows(), std::int64_t(3));
        for (std::int64_t r = 0; r < 3; ++r)
            QVERIFY(rowJson(lists, r) == rows[std::size_t(start + 10 + r)]["vec"]);
    }

    void encodingsOutsideTheSubsetAreRefusedByName()
    {
        auto file = parquet::ParquetFile::open(path("duckdb_v2_delta.parquet"));
        Error::Kind kind{};
        const QString message = fixtures::errorOf([&] { file->read(0, "i64"); }, &kind);
        QCOMPARE(kind, Error::Kind::BadInput);
        QVERIFY2(message.contains("duckdb_v2_delta.parquet") && message.contains("'i64'") &&
                     message.contains("DELTA_BINARY_PACKED") && !message.contains('\n'),
                 qPrintable(message));
        QVERIFY(fixtures::errorOf([&] { file->read(0, "f32"); }).contains("BYTE_STREAM_SPLIT"));
        // The same file's dictionary-encoded column (data pages v2) reads exactly.
        const auto task = file->read(2, "task");
        const json &rows = m_expected["rows"];
        for (std::int64_t r = 0; r < task.rows(); ++r)
            QCOMPARE(task.int32s[std::size_t(r)],
                     rows[std::size_t(file->rowGroupStart(2) + r)]["task"].get<std::int32_t>());
    }

    void unknownColumnAndRowGroupAreErrors()
    {
        auto file = parquet::ParquetFile::open(path("duckdb_snappy.parquet"));
        QVERIFY(fixtures::errorOf([&] { file->read(0, "nope"); }).contains("no column 'nope'"));
        Error::Kind kind{};
        fixtures::errorOf([&] { file->read(99, "i32"); }, &kind);
        QCOMPARE(kind, Error::Kind::Usage);
    }

    void truncatedFileIsRefused()
    {
        const std::string whole = bytesOf("duckdb_snappy.parquet");
        const std::string cut = path("truncated.parquet");
        fixtures::writeBytes(cut, whole.substr(0, whole.size() / 2));
        const QString message = fixtures::errorOf([&] { parquet::ParquetFile::open(cut); });
        QVERIFY2(message.contains("truncated.parquet") && message.contains("truncated"), qPrintable(message));
        fixtures::writeBytes(cut, "PAR1");
        QVERIFY(fixtures::errorOf([&] { parquet::ParquetFile::open(cut); }).contains("too short"));
        fixtures::writeBytes(cut, fixtures::randomBytes(4096, 7));
        QVERIFY(fixtures::errorOf([&] { parquet::ParquetFile::open(cut); }).contains("not a Parquet file"));
    }

    void corruptFooterIsRefused()
    {
        std::string bytes = bytesOf("duckdb_snappy.parquet");
        const std::uint32_t footer = std::uint8_t(bytes[bytes.size() - 8]) |
                                     std::uint8_t(bytes[bytes.size() - 7]) << 8 |
                                     std::uint8_t(bytes[bytes.size() - 6]) << 16 |
                                     std::uint32_t(std::uint8_t(bytes[bytes.size() - 5])) << 24;
        const std::size_t footerStart = bytes.size() - 8 - footer;
        const std::string noise = fixtures::randomBytes(footer, 3);
        bytes.replace(footerStart, footer, noise);
        const std::string broken = path("corrupt_footer.parquet");
        fixtures::writeBytes(broken, bytes);
        const QString message = fixtures::errorOf([&] { parquet::ParquetFile::open(broken); });
        QVERIFY2(message.contains("corrupt_footer.parquet") && message.contains("corrupt Parquet footer"),
                 qPrintable(message));
        // A footer length that points before the start of the file.
        bytes = bytesOf("duckdb_snappy.parquet");
        bytes[bytes.size() - 5] = '\x7f';
        fixtures::writeBytes(broken, bytes);
        QVERIFY(fixtures::errorOf([&] { parquet::ParquetFile::open(broken); }).contains("does not fit"));
    }

    // Random damage anywhere in a file is either read or refused with an Error: never a crash,
    // a hang or another exception.
    void randomDamageIsReadOrRefused()
    {
        std::mt19937 random(11);
        for (const char *name : {"duckdb_zstd.parquet", "hyparquet_snappy.parquet",
                                 "duckdb_uncompressed_plain.parquet"}) {
            const std::string original = bytesOf(name);
            for (int trial = 0; trial < 60; ++trial) {
                std::string bytes = original;
                const int flips = 1 + int(random() % 8);
                // Half the trials damage the footer, half anywhere.
                const std::size_t from = trial % 2 ? bytes.size() - std::min<std::size_t>(bytes.size(), 3000) : 0;
                for (int i = 0; i < flips; ++i)
                    bytes[from + random() % (bytes.size() - from)] = char(random());
                const std::string damaged = path("damaged.parquet");
                fixtures::writeBytes(damaged, bytes);
                try {
                    auto file = parquet::ParquetFile::open(damaged);
                    for (int g = 0; g < file->numRowGroups(); ++g)
                        for (const auto &column : file->columns()) {
                            try {
                                file->read(g, column.path);
                            } catch (const Error &) {
                            }
                        }
                } catch (const Error &) {
                } catch (const std::exception &e) {
                    QFAIL(qPrintable(QString("%1 trial %2: %3").arg(name).arg(trial).arg(e.what())));
                }
            }
        }
    }

private:
    std::string path(const std::string &name) const
    {
        return m_dir.filePath(QString::fromStdString(name)).toStdString();
    }
    std::string bytesOf(const std::string &name) const
    {
        std::ifstream in(path(name), std::ios::binary);
        return {std::istreambuf_iterator<char>(in), {}};
    }

    QTemporaryDir m_dir;
    json m_expected;
};

QTEST_GUILESS_MAIN(TestParquet)
#include "tst_parquet.moc"
