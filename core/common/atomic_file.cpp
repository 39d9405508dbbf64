#include "common/atomic_file.h"

#include "common/error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <unistd.h>

namespace grids {

void writeFileAtomically(const std::string &path, const std::string &content)
{
    const std::string partial = path + ".partial";
    FILE *file = std::fopen(partial.c_str(), "wb");
    if (!file)
        throw Error(Error::Kind::Other, path + ": cannot write (" + std::strerror(errno) + ")");
    const bool written = std::fwrite(content.data(), 1, content.size(), file) == content.size() &&
                         std::fflush(file) == 0 && ::fsync(fileno(file)) == 0;
    const bool closed = std::fclose(file) == 0;
    std::error_code ec;
    if (!written || !closed) {
        std::filesystem::remove(partial, ec);
        throw Error(Error::Kind::Other, path + ": write failed (disk full?)");
    }
    std::filesystem::rename(partial, path, ec);
    if (ec) {
        std::filesystem::remove(partial, ec);
        throw Error(Error::Kind::Other, path + ": cannot rename the finished file into place");
    }
}

} // namespace grids
