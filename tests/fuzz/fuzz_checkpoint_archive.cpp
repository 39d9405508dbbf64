// Fuzzes the checkpoint's zip archive as read for its grids.json, then the JSON's validation:
// the input is the whole checkpoint file.

#include "fuzz_support.h"
#include "model/checkpoint_archive.h"
#include "model/checkpoint_info.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string bytes(reinterpret_cast<const char *>(data), size);
    const std::string source = "model.pt";
    grids::fuzz::expectReadOrRefusal(source, [&] {
        grids::parseCheckpointJson(source, grids::readCheckpointJsonFromBytes(source, bytes));
    });
    return 0;
}
