#include "render/video_export.h"

#include "common/error.h"
#include "episodes/episode.h"
#include "model/policy.h"

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace grids::render {
namespace {

// The heads-up lines under a row: what runs, then the predicted action.
std::vector<std::string> hudLines(std::int64_t t,
                                  std::int64_t length,
                                  const FrameResult &r,
                                  const std::string &checkpoint)
{
    std::string action = "action";
    char value[16];
    for (float a : r.actions.row(0)) {
        std::snprintf(value, sizeof value, " %+.2f", a);
        action += value;
    }
    return {"frame " + std::to_string(t) + "/" + std::to_string(length - 1) + "  " + r.method +
                " " + std::to_string(r.budget) + " tok/view  " + checkpoint,
            action};
}

// Each line in the HUD band at the top of `band`, shrunk to the band's width: a narrow export
// (one small view) keeps its text whole rather than cut off at the right edge.
void drawHud(cv::Mat band, const std::vector<std::string> &lines)
{
    constexpr double kScale = 0.45;
    constexpr int kMargin = 6;
    const int lineHeight = kHudHeight / int(lines.size());
    for (std::size_t i = 0; i < lines.size(); ++i) {
        int baseline = 0;
        const cv::Size size =
            cv::getTextSize(lines[i], cv::FONT_HERSHEY_SIMPLEX, kScale, 1, &baseline);
        const double scale =
            std::min(kScale, kScale * double(band.cols - 2 * kMargin) / std::max(1, size.width));
        cv::putText(band, lines[i], cv::Point(kMargin, int(i + 1) * lineHeight - 6),
                    cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(240, 240, 240), 1, cv::LINE_AA);
    }
}

// One checkpoint's row: every view with the overlay, and the heads-up line under them.
cv::Mat drawRow(const Frame &frame,
                const EpisodeInfo &info,
                Policy &policy,
                const std::string &method,
                int budget,
                const std::string &cacheKey,
                const VideoExportOptions &o,
                std::int64_t t)
{
    const FrameResult result = policy.run(frame, info.views, method, budget, cacheKey);
    const int S = o.viewSize;
    cv::Mat row(S + (o.hud ? kHudHeight : 0), S * int(frame.views.size()), CV_8UC3,
                cv::Scalar(20, 20, 20));
    OverlayStyle style = o.style;
    style.gridWidth = policy.info().gridWidth;
    style.gridHeight = policy.info().gridHeight;
    for (std::size_t v = 0; v < frame.views.size(); ++v) {
        cv::Mat view;
        cv::resize(frame.views[v], view, cv::Size(S, S), 0, 0, cv::INTER_NEAREST);
        if (const int k = selectionForView(result.views, info.views[v].name, v); k >= 0)
            drawSelection(view, result.views[std::size_t(k)], viewAttention(result, std::size_t(k)),
                          style);
        view.copyTo(row(cv::Rect(int(v) * S, 0, S, S)));
    }
    if (o.hud)
        drawHud(row(cv::Rect(0, S, row.cols, kHudHeight)),
                hudLines(t, info.length, result, policy.info().name));
    return row;
}

} // namespace

VideoExportResult
exportVideo(Policy &policy, Policy *compare, const VideoExportOptions &o, const Progress &progress)
{
    namespace fs = std::filesystem;
    if (fs::path(o.out).extension() != ".mp4")
        throw usageError(o.out + ": annotated videos are written as .mp4 (H.264)");
    if (o.viewSize < 32 || o.viewSize % 2 != 0)
        throw usageError("view size must be an even number of pixels, at least 32");
    OpenedEpisodes opened = openEpisodes(o.episodesPath);
    renameViews(opened, o.viewRenames);
    EpisodeFile *file = nullptr;
    std::size_t episode = 0;
    for (const auto &candidate : opened.files)
        for (std::size_t e = 0; e < candidate->episodes().size() && !file; ++e)
            if (o.episodeKey.empty() || candidate->episodes()[e].key == o.episodeKey)
                file = candidate.get(), episode = e;
    if (!file)
        throw usageError(o.episodesPath + ": no episode " + o.episodeKey);
    const EpisodeInfo &info = file->episodes()[episode];
    const std::string method = !o.method.empty() ? o.method : policy.info().ownMethod();
    const int budget = o.budget > 0 ? o.budget : policy.info().budgetDefault;
    const std::string compareMethod = !compare                   ? std::string()
                                      : !o.compareMethod.empty() ? o.compareMethod
                                                                 : compare->info().ownMethod();
    const int compareBudget = !compare              ? 0
                              : o.compareBudget > 0 ? o.compareBudget
                                                    : compare->info().budgetDefault;

    const std::string partial =
        (fs::path(o.out).parent_path() / (fs::path(o.out).stem().string() + ".partial.mp4"))
            .string();
    cv::VideoWriter writer;
    VideoExportResult result;
    auto cleanUp = [&] {
        writer.release();
        std::error_code ec;
        fs::remove(partial, ec);
    };
    try {
        for (std::int64_t t = 0; t < info.length; ++t) {
            if (progress.cancelled())
                throw Error(Error::Kind::Cancelled,
                            o.out + ": export cancelled; nothing was written");
            const Frame frame = file->frame(episode, t);
            const std::string key = file->path() + "|" + info.key + "|" + std::to_string(t);
            cv::Mat canvas = drawRow(frame, info, policy, method, budget, key, o, t);
            if (compare)
                cv::vconcat(canvas,
                            drawRow(frame, info, *compare, compareMethod, compareBudget, key, o, t),
                            canvas);
            if (!writer.isOpened()) {
                result.width = canvas.cols;
                result.fps = o.fps > 0 ? o.fps : playbackFps(info);
                result.height = canvas.rows;
                writer.open(partial, cv::CAP_FFMPEG, cv::VideoWriter::fourcc('a', 'v', 'c', '1'),
                            result.fps, canvas.size());
                if (!writer.isOpened())
                    throw Error(Error::Kind::Other,
                                o.out + ": this OpenCV build cannot encode H.264 MP4");
            }
            cv::Mat bgr;
            cv::cvtColor(canvas, bgr, cv::COLOR_RGB2BGR);
            writer.write(bgr);
            ++result.frames;
            progress(t + 1, info.length, "frame " + std::to_string(t));
        }
        writer.release();
        std::error_code ec;
        fs::rename(partial, o.out, ec);
        if (ec)
            throw Error(Error::Kind::Other, o.out + ": cannot move the finished video into place");
    } catch (...) {
        cleanUp();
        throw;
    }
    return result;
}

} // namespace grids::render
