// Fuzzes the LeRobot dataset opener: the input is a dataset's meta/ folder, its files separated
// by the line "--8<--": info.json, episodes.jsonl, tasks.jsonl (v2.x), then tasks.parquet and
// episodes/chunk-000/file-000.parquet (v3.0). Every file present is written, then the folder is
// opened as an episode file.

#include "episodes/episode.h"
#include "fuzz_support.h"

#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static const char *const kFiles[] = {"info.json", "episodes.jsonl", "tasks.jsonl", "tasks.parquet",
                                         "episodes/chunk-000/file-000.parquet"};
    const auto folder = grids::fuzz::scratchFolder() / "dataset";
    std::filesystem::remove_all(folder);
    std::filesystem::create_directories(folder / "meta/episodes/chunk-000");
    const std::string_view input(reinterpret_cast<const char *>(data), size);
    const std::string_view separator = "\n--8<--\n";
    std::size_t from = 0;
    for (const char *name : kFiles) {
        if (from > input.size())
            break;
        const std::size_t end = std::min(input.find(separator, from), input.size());
        grids::fuzz::writeBytes(folder / "meta" / name, data + from, end - from);
        from = end + separator.size();
    }
    const std::string path = folder.string();
    grids::fuzz::expectReadOrRefusal(path, [&] {
        const auto file = grids::openEpisodeFile(path);
        file->episodes();
    });
    return 0;
}
