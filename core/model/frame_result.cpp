#include "model/frame_result.h"

namespace grids {

int selectionForView(const std::vector<ViewSelection> &selections,
                     const std::string &viewName,
                     std::size_t viewIndex)
{
    for (std::size_t k = 0; k < selections.size(); ++k)
        if (selections[k].view == viewName)
            return int(k);
    return selections.size() == 1 && viewIndex == 0 ? 0 : -1;
}

} // namespace grids
