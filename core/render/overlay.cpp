#include "render/overlay.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <string>

namespace grids::render {

cv::Scalar attentionColour(double relative)
{
    // Viridis at five stops, linearly interpolated (RGB).
    static const double stops[5][3] = {
        {68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
    const double t = std::clamp(relative, 0.0, 1.0) * 4.0;
    const int i = std::min(3, int(t));
    const double f = t - i;
    return cv::Scalar(stops[i][0] + f * (stops[i + 1][0] - stops[i][0]),
                      stops[i][1] + f * (stops[i + 1][1] - stops[i][1]),
                      stops[i][2] + f * (stops[i + 1][2] - stops[i][2]));
}

std::vector<float> viewAttention(const FrameResult &result, std::size_t view)
{
    std::size_t first = 0;
    for (std::size_t v = 0; v < view; ++v)
        first += result.views[v].coords.size();
    const std::size_t count = result.views.at(view).coords.size();
    if (result.attention.size() < first + count)
        return {};
    return {result.attention.begin() + std::ptrdiff_t(first),
            result.attention.begin() + std::ptrdiff_t(first + count)};
}

namespace {
constexpr auto kHeatmapColours = cv::COLORMAP_INFERNO;

// Markers and their numbers scale with the image: legible on a 384-pixel view and on a 1080p one.
int markerRadius(cv::Size size)
{
    return std::max(2, int(std::round(std::min(size.width, size.height) / 64.0)));
}

double labelScale(cv::Size size)
{
    return 0.35 * std::min(size.width, size.height) / 512.0;
}

// Blends a 0..1 float map of the image's size onto it through an OpenCV colour map.
void blendMap(cv::Mat &rgb, const cv::Mat &map, double opacity, int colourMap)
{
    cv::Mat map8, coloured;
    map.convertTo(map8, CV_8U, 255.0);
    cv::applyColorMap(map8, coloured, colourMap); // BGR
    cv::cvtColor(coloured, coloured, cv::COLOR_BGR2RGB);
    cv::Mat blended(rgb.size(), CV_8UC3);
    for (int y = 0; y < rgb.rows; ++y)
        for (int x = 0; x < rgb.cols; ++x) {
            const float a = float(opacity) * map.at<float>(y, x);
            const cv::Vec3b p = rgb.at<cv::Vec3b>(y, x), q = coloured.at<cv::Vec3b>(y, x);
            for (int c = 0; c < 3; ++c)
                blended.at<cv::Vec3b>(y, x)[c] =
                    cv::saturate_cast<uchar>((1 - a) * p[c] + a * q[c]);
        }
    rgb = blended;
}
} // namespace

cv::Mat samplingDensity(const std::vector<std::array<float, 2>> &coords,
                        cv::Size size,
                        const OverlayStyle &style)
{
    ViewSelection samples;
    samples.coords = coords;
    return attentionMap(samples, std::vector<float>(coords.size(), 1.0f), size, style);
}

void drawDensity(cv::Mat &rgb, const cv::Mat &density, double opacity)
{
    if (density.empty() || rgb.empty())
        return;
    cv::Mat map;
    cv::resize(density, map, rgb.size(), 0, 0, cv::INTER_LINEAR);
    blendMap(rgb, map, opacity, cv::COLORMAP_VIRIDIS);
}

cv::Mat attentionMap(const ViewSelection &selection,
                     const std::vector<float> &attention,
                     cv::Size size,
                     const OverlayStyle &style)
{
    cv::Mat map = cv::Mat::zeros(size, CV_32F);
    if (attention.size() != selection.coords.size() || attention.empty())
        return map;
    const double sigma = 0.5 * double(size.width) / std::max(1, style.gridWidth);
    const int reach = int(std::ceil(3 * sigma));
    for (std::size_t k = 0; k < attention.size(); ++k) {
        const double cx = selection.coords[k][0] * size.width;
        const double cy = selection.coords[k][1] * size.height;
        for (int y = std::max(0, int(cy) - reach); y < std::min(size.height, int(cy) + reach + 1);
             ++y)
            for (int x = std::max(0, int(cx) - reach);
                 x < std::min(size.width, int(cx) + reach + 1); ++x) {
                const double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
                map.at<float>(y, x) +=
                    float(attention[k] * std::exp(-(dx * dx + dy * dy) / (2 * sigma * sigma)));
            }
    }
    double maximum = 0;
    cv::minMaxLoc(map, nullptr, &maximum);
    if (maximum > 0)
        map /= maximum;
    return map;
}

void drawSelection(cv::Mat &rgb,
                   const ViewSelection &selection,
                   const std::vector<float> &attention,
                   const OverlayStyle &style)
{
    const double W = rgb.cols, H = rgb.rows;
    if (style.heatmap)
        blendMap(rgb, attentionMap(selection, attention, rgb.size(), style), style.heatmapOpacity,
                 kHeatmapColours);
    const double cellW = W / std::max(1, style.gridWidth),
                 cellH = H / std::max(1, style.gridHeight);
    if (style.grid) {
        for (int i = 1; i < style.gridWidth; ++i)
            cv::line(rgb, cv::Point(int(i * cellW), 0), cv::Point(int(i * cellW), rgb.rows - 1),
                     cv::Scalar(255, 255, 255), 1);
        for (int j = 1; j < style.gridHeight; ++j)
            cv::line(rgb, cv::Point(0, int(j * cellH)), cv::Point(rgb.cols - 1, int(j * cellH)),
                     cv::Scalar(255, 255, 255), 1);
    }
    if (style.cells)
        for (int cell : selection.cells) {
            const int i = cell % style.gridWidth, j = cell / style.gridWidth;
            cv::rectangle(rgb, cv::Point(int(i * cellW), int(j * cellH)),
                          cv::Point(int((i + 1) * cellW) - 1, int((j + 1) * cellH) - 1),
                          cv::Scalar(255, 255, 0), 1);
        }
    if (style.cells && !selection.groups.empty()) {
        // Merge groups: each token's cells tinted with one colour of a repeating set, so that
        // which cells went into which token can be told apart; single cells get an outline.
        static const cv::Scalar tints[] = {{230, 159, 0},  {86, 180, 233}, {0, 158, 115},
                                           {240, 228, 66}, {0, 114, 178},  {213, 94, 0},
                                           {204, 121, 167}};
        cv::Mat tinted = rgb.clone();
        for (std::size_t k = 0; k < selection.groups.size(); ++k) {
            const auto &group = selection.groups[k];
            for (int cell : group) {
                const int i = cell % style.gridWidth, j = cell / style.gridWidth;
                const cv::Rect box(int(i * cellW), int(j * cellH),
                                   std::max(1, int((i + 1) * cellW) - int(i * cellW)),
                                   std::max(1, int((j + 1) * cellH) - int(j * cellH)));
                if (group.size() == 1)
                    cv::rectangle(rgb, box, cv::Scalar(255, 255, 0), 1);
                else
                    cv::rectangle(tinted, box, tints[k % 7], cv::FILLED);
            }
        }
        cv::addWeighted(rgb, 0.65, tinted, 0.35, 0.0, rgb);
    }
    if (!style.markers)
        return;
    const double peak =
        attention.empty() ? 0 : *std::max_element(attention.begin(), attention.end());
    const int radius = markerRadius(rgb.size());
    for (std::size_t k = 0; k < selection.coords.size(); ++k) {
        const cv::Point centre(int(std::floor(selection.coords[k][0] * W)),
                               int(std::floor(selection.coords[k][1] * H)));
        const double relative = peak > 0 && k < attention.size() ? attention[k] / peak : 1.0;
        cv::circle(rgb, centre, radius + 1, cv::Scalar(0, 0, 0), cv::FILLED, cv::LINE_AA);
        cv::circle(rgb, centre, radius, attentionColour(relative), cv::FILLED, cv::LINE_AA);
    }
    // Numbers only where they can be read: large enough images, not a dense grid of them.
    if (!style.numbers || std::min(W, H) < 256 || selection.coords.size() > 64)
        return;
    const double scale = labelScale(rgb.size());
    const std::vector<cv::Rect> boxes = markerLabelBoxes(selection.coords, rgb.size());
    for (std::size_t k = 0; k < boxes.size(); ++k)
        if (!boxes[k].empty())
            cv::putText(rgb, std::to_string(k), cv::Point(boxes[k].x, boxes[k].y + boxes[k].height),
                        cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(255, 255, 255), 1, cv::LINE_AA);
}

std::vector<cv::Rect> markerLabelBoxes(const std::vector<std::array<float, 2>> &coords,
                                       cv::Size size)
{
    const int radius = markerRadius(size);
    const double scale = labelScale(size);
    const cv::Rect image(cv::Point(), size);
    std::vector<cv::Rect> boxes(coords.size()), placed;
    for (std::size_t k = 0; k < coords.size(); ++k) {
        int baseline = 0;
        const cv::Size text =
            cv::getTextSize(std::to_string(k), cv::FONT_HERSHEY_SIMPLEX, scale, 1, &baseline);
        const cv::Point corner(int(std::floor(coords[k][0] * size.width)) + radius + 1,
                               int(std::floor(coords[k][1] * size.height)) - radius - 1 -
                                   text.height);
        const cv::Rect box(corner, text);
        // A label that would cover another, or leave the image, is left out: a cluster of
        // tokens shows a few readable numbers rather than a pile of unreadable ones.
        if ((box & image) != box)
            continue;
        if (std::any_of(placed.begin(), placed.end(),
                        [&](const cv::Rect &other) { return !(box & other).empty(); }))
            continue;
        placed.push_back(box);
        boxes[k] = box;
    }
    return boxes;
}

cv::Mat attentionColourBar(cv::Size size)
{
    cv::Mat ramp(1, size.width, CV_8U);
    for (int x = 0; x < size.width; ++x)
        ramp.at<std::uint8_t>(0, x) = cv::saturate_cast<std::uint8_t>(255.0 * x / std::max(1, size.width - 1));
    cv::Mat bgr, rgb;
    cv::applyColorMap(ramp, bgr, kHeatmapColours);
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    cv::Mat bar;
    cv::resize(rgb, bar, size, 0, 0, cv::INTER_NEAREST);
    return bar;
}

} // namespace grids::render
