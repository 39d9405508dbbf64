// Fuzzes the LIBERO HDF5 reader in this process: the input is an episode file, opened and read at
// its first and last frames, with its action track and a low-dimensional observation. (Programs
// read HDF5 files in a separate process first, episodes/hdf5_check.h, because of what libhdf5
// does with some of these inputs; here the reader itself is what is tried.)

#include "episodes/libero_hdf5_reader.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string path = (grids::fuzz::scratchFolder() / "input.hdf5").string();
    grids::fuzz::writeBytes(path, data, size);
    grids::fuzz::expectReadOrRefusal(path, [&] {
        const auto file = grids::openLiberoHdf5(path);
        const auto &episodes = file->episodes();
        for (std::size_t e = 0; e < episodes.size() && e < 4; ++e) {
            if (episodes[e].length <= 0)
                continue;
            file->frame(e, 0);
            file->frame(e, episodes[e].length - 1);
            file->actions(e);
            file->lowDim(e, "joint_states");
        }
    });
    return 0;
}
