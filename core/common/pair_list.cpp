#include "common/pair_list.h"

#include "common/error.h"

namespace grids {

std::vector<std::pair<std::string, std::string>>
parsePairList(const std::string &text, const std::string &setting, const std::string &meaning)
{
    std::vector<std::pair<std::string, std::string>> pairs;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t comma = std::min(text.find(',', pos), text.size());
        const std::string pair = text.substr(pos, comma - pos);
        const std::size_t equals = pair.find('=');
        if (equals == std::string::npos || equals == 0 || equals + 1 == pair.size())
            throw settingError(setting, "'" + pair + "' is not " + meaning);
        pairs.push_back({pair.substr(0, equals), pair.substr(equals + 1)});
        pos = comma + 1;
    }
    return pairs;
}

} // namespace grids
