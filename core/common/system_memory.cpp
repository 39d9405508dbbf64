#include "common/system_memory.h"

#include <fstream>
#include <sstream>
#include <string>

namespace grids {

std::optional<std::int64_t> availableMemoryBytes()
{
    std::ifstream meminfo("/proc/meminfo");
    std::string line;
    while (std::getline(meminfo, line)) {
        std::istringstream fields(line);
        std::string key;
        std::int64_t kilobytes = 0;
        if (fields >> key >> kilobytes && key == "MemAvailable:")
            return kilobytes * 1024;
    }
    return std::nullopt;
}

} // namespace grids
