// Fuzzes grids.json validation (CHECKPOINT.md): the input is the JSON text.

#include "fuzz_support.h"
#include "model/checkpoint_info.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char *>(data), size);
    const std::string source = "model.pt";
    grids::fuzz::expectReadOrRefusal(source, [&] {
        const grids::CheckpointInfo info = grids::parseCheckpointJson(source, text);
        // What validation promises the rest of the application.
        if (info.views.empty() || info.gridHeight <= 0 || info.gridWidth <= 0 || info.tokenDim <= 0 ||
            info.actionDim <= 0 || info.actionHorizon <= 0)
            std::abort();
    });
    return 0;
}
