// grids-hdf5-check FILE…: reads each HDF5 episode file's structure as opening it does
// (episodes/hdf5_check.h), so that the programs that run it learn whether libhdf5 can read the
// files without crashing, hanging or exhausting memory. For each file in turn it prints a line:
// "ok", or "refused<TAB>" and the one-line reason. A file it printed nothing for, when it ends,
// is one that libhdf5 failed on.

#include "common/error.h"
#include "episodes/hdf5_check.h"

#include <cstdio>
#include <exception>

#include <sys/resource.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: grids-hdf5-check FILE…\n");
        return 2;
    }
    // At most half the memory: a file whose header claims gigabytes ends this process (as a
    // failed allocation), not the machine's other work.
    const long pages = ::sysconf(_SC_PHYS_PAGES), pageSize = ::sysconf(_SC_PAGESIZE);
    if (pages > 0 && pageSize > 0) {
        const rlim_t half = rlim_t(pages) * rlim_t(pageSize) / 2;
        const rlimit limit{half, half};
        ::setrlimit(RLIMIT_AS, &limit);
    }
    for (int i = 1; i < argc; ++i) {
        try {
            grids::readLiberoHdf5Structure(argv[i]);
            std::printf("ok\n");
        } catch (const grids::Error &e) {
            std::printf("refused\t%s\n", e.what());
        } catch (const std::exception &e) {
            std::printf("refused\t%s: %s\n", argv[i], e.what());
        }
        std::fflush(stdout);
    }
    return 0;
}
