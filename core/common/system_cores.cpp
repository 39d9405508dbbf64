#include "common/system_cores.h"

#include <sched.h>

#include <algorithm>
#include <thread>

namespace grids {

int usableCores()
{
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    if (sched_getaffinity(0, sizeof allowed, &allowed) == 0)
        return std::max(1, CPU_COUNT(&allowed));
    // More processors than a cpu_set_t holds (1024), or no affinity to read.
    return std::max(1, int(std::thread::hardware_concurrency()));
}

} // namespace grids
