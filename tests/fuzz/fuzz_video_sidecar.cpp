// Fuzzes the video sidecar parser: the first byte is the video's frame count, the rest is the
// sidecar's text.

#include "episodes/video_reader.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1)
        return 0;
    const std::int64_t frames = data[0];
    const std::string text(reinterpret_cast<const char *>(data + 1), size - 1);
    const std::string source = "clip.json";
    grids::fuzz::expectReadOrRefusal(source, [&] {
        const grids::VideoSidecar sidecar = grids::parseVideoSidecar(source, text, frames);
        for (const grids::Track *track : {&sidecar.actions, &sidecar.state})
            if (track->rows != 0 && std::int64_t(track->values.size()) != track->rows * track->cols)
                std::abort(); // a table must be exactly rows × cols
    });
    return 0;
}
