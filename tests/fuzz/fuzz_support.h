#pragma once

// What every harness shares: a scratch file for readers that take a path, and the rule that a
// reader may refuse its input only with the project's one-line error naming the input.

#include "common/error.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace grids::fuzz {

// A folder of this process's own, removed at exit: readers that take a path read the input from a
// file in it. In memory (/dev/shm) where there is one, since every execution writes the input;
// else under TMPDIR or /tmp.
inline const std::filesystem::path &scratchFolder()
{
    static const std::filesystem::path folder = [] {
        const char *tmp = std::getenv("TMPDIR");
        std::error_code ec;
        const std::filesystem::path base = std::filesystem::is_directory("/dev/shm", ec) ? "/dev/shm"
                                           : tmp && *tmp                                 ? tmp
                                                                                         : "/tmp";
        std::filesystem::path path = base / ("grids-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(path);
        std::atexit([] {
            std::error_code ec;
            std::filesystem::remove_all(scratchFolder(), ec);
        });
        return path;
    }();
    return folder;
}

inline void writeBytes(const std::filesystem::path &path, const std::uint8_t *data, std::size_t size)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char *>(data), std::streamsize(size));
    if (!out) {
        std::fprintf(stderr, "fuzz: cannot write %s\n", path.c_str());
        std::abort();
    }
}

// Runs `read` on an input; a grids::Error of kind BadInput that names `source` (its file name at
// least) is a refusal, and fine. Anything else that escapes (another exception type, an error that does not say which file)
// is a bug: the harness aborts so that the fuzzer keeps the input.
template <typename Read>
void expectReadOrRefusal(const std::string &source, Read &&read)
{
    try {
        read();
    } catch (const grids::Error &e) {
        const std::string message = e.what();
        const std::string name = std::filesystem::path(source).filename().string();
        if (e.kind() != grids::Error::Kind::BadInput || message.find(name) == std::string::npos ||
            message.find('\n') != std::string::npos) {
            std::fprintf(stderr, "fuzz: not a one-line bad-input error naming %s: %s\n", source.c_str(),
                         message.c_str());
            std::abort();
        }
        static const bool verbose = std::getenv("GRIDS_FUZZ_VERBOSE") != nullptr;
        if (verbose) // to see which seeds are refused, and why
            std::fprintf(stderr, "refused: %s\n", message.c_str());
    }
}

} // namespace grids::fuzz
