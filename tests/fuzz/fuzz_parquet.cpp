// Fuzzes the Parquet reader: the input is a Parquet file, whose footer is read and then every
// column of every row group (a few of each at most).

#include "fuzz_support.h"
#include "parquet/parquet_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string path = (grids::fuzz::scratchFolder() / "input.parquet").string();
    grids::fuzz::writeBytes(path, data, size);
    grids::fuzz::expectReadOrRefusal(path, [&] {
        const auto file = grids::parquet::ParquetFile::open(path);
        const int groups = std::min(file->numRowGroups(), 4);
        for (int g = 0; g < groups; ++g) {
            const std::int64_t rows = file->rowGroupRows(g);
            for (std::size_t c = 0; c < file->columns().size() && c < 16; ++c) {
                const auto values = file->read(g, file->columns()[c].path);
                if (values.rows() != rows)
                    std::abort(); // a column has one entry list per row of its group
                // A range inside the group, as the LeRobot reader asks for one episode's rows.
                if (rows > 2)
                    file->read(g, file->columns()[c].path, 1, rows - 1);
            }
        }
    });
    return 0;
}
