// Fuzzes the workspace opener: the input is a workspace database file, opened (schema checks and
// migrations) and read through every listing.

#include "fuzz_support.h"
#include "store/workspace.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const auto folder = grids::fuzz::scratchFolder();
    const std::string path = (folder / "workspace.sqlite").string();
    for (const char *suffix : {"-wal", "-shm", "-journal"})
        std::filesystem::remove(path + suffix);
    grids::fuzz::writeBytes(path, data, size);
    grids::fuzz::expectReadOrRefusal(path, [&] {
        grids::Workspace workspace(path);
        workspace.annotations();
        workspace.trainingRuns();
        workspace.plots();
        for (const grids::RunRecord &run : workspace.runs()) {
            workspace.frameResults(run.id);
            workspace.rolloutResults(run.id);
        }
    });
    return 0;
}
