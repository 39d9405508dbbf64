#include "model/probe.h"

#include "common/error.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace grids {

std::string Probe::key() const
{
    std::ostringstream key;
    if (instruction)
        key << "instruction=" << *instruction << ";";
    if (occludedView >= 0)
        key << "occlude=" << occludedView << ":" << box[0] << "," << box[1] << "," << box[2] << ","
            << box[3];
    return key.str();
}

Frame applyProbe(const Frame &frame, const Probe &probe)
{
    Frame probed = frame;
    if (probe.instruction)
        probed.instruction = *probe.instruction;
    if (probe.occludedView < 0)
        return probed;
    if (std::size_t(probe.occludedView) >= frame.views.size())
        throw Error(Error::Kind::Usage,
                    "probe: the frame has no view " + std::to_string(probe.occludedView));
    cv::Mat &view = probed.views[std::size_t(probe.occludedView)];
    view = view.clone(); // the original frame's pixels are shared, never written
    auto pixel = [](float v, int size) {
        return std::clamp(int(std::lround(double(v) * size)), 0, size);
    };
    const int x0 = pixel(std::min(probe.box[0], probe.box[2]), view.cols),
              x1 = pixel(std::max(probe.box[0], probe.box[2]), view.cols),
              y0 = pixel(std::min(probe.box[1], probe.box[3]), view.rows),
              y1 = pixel(std::max(probe.box[1], probe.box[3]), view.rows);
    if (x1 > x0 && y1 > y0)
        view(cv::Rect(x0, y0, x1 - x0, y1 - y0)).setTo(cv::Scalar(128, 128, 128));
    return probed;
}

} // namespace grids
