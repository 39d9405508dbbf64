#include "episodes/video_reader.h"

#include "common/error.h"
#include "common/json_fields.h"

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>

namespace fs = std::filesystem;

namespace grids {
namespace {

// A sidecar table: a list of equally long number lists, one per frame.
Track readTable(const nlohmann::json &json,
                const char *key,
                std::int64_t frames,
                const std::string &sidecar)
{
    Track track;
    const auto it = json.find(key);
    if (it == json.end() || it->is_null())
        return track;
    auto bad = [&](const std::string &what) {
        return badInput(sidecar + ": \"" + key + "\" " + what);
    };
    if (!it->is_array())
        throw bad("must be a list of per-frame number lists");
    if (std::int64_t(it->size()) != frames)
        throw bad("has " + std::to_string(it->size()) + " rows but the video has " +
                  std::to_string(frames) + " frames");
    track.rows = frames;
    for (const auto &row : *it) {
        if (!row.is_array() || row.empty())
            throw bad("must be a list of non-empty number lists");
        if (track.cols == 0)
            track.cols = int(row.size());
        if (int(row.size()) != track.cols)
            throw bad("rows differ in length");
        for (const auto &value : row) {
            if (!value.is_number())
                throw bad("holds a value that is not a number");
            track.values.push_back(value.get<float>());
        }
    }
    return track;
}

class VideoEpisodeFile final : public EpisodeFile
{
public:
    explicit VideoEpisodeFile(std::string path)
        : m_path(std::move(path))
    {
        openCapture();
        EpisodeInfo info;
        info.key = fs::path(m_path).filename().string();
        info.length = m_frameCount;
        info.fps = m_fps;
        info.views.push_back({kUnnamedView, m_width, m_height});
        const std::string sidecar = findVideoSidecar(m_path);
        if (!sidecar.empty())
            readSidecar(sidecar, info);
        m_episodes.push_back(std::move(info));
    }

    const std::string &path() const override { return m_path; }
    std::string format() const override { return "video"; }
    const std::vector<EpisodeInfo> &episodes() const override { return m_episodes; }

    Frame frame(std::size_t episode, std::int64_t t) override
    {
        checkFrame(episode, t);
        Frame out;
        out.index = t;
        out.instruction = m_episodes.front().instruction;
        out.views.push_back(decode(t));
        if (m_state.rows > 0)
            out.state = m_state.row(t);
        if (m_actions.rows > 0)
            out.action = m_actions.row(t);
        return out;
    }

    Track actions(std::size_t episode) override
    {
        checkFrame(episode, 0);
        return m_actions;
    }

private:
    void openCapture()
    {
        if (!m_capture.open(m_path, cv::CAP_FFMPEG) || !m_capture.isOpened())
            throw badInput(m_path + ": cannot be decoded as a video (corrupt or unknown codec)");
        m_width = int(m_capture.get(cv::CAP_PROP_FRAME_WIDTH));
        m_height = int(m_capture.get(cv::CAP_PROP_FRAME_HEIGHT));
        m_frameCount = std::int64_t(m_capture.get(cv::CAP_PROP_FRAME_COUNT));
        // The stream's rate plays the episode in real time; an absurd one counts as unknown.
        if (const double fps = m_capture.get(cv::CAP_PROP_FPS); std::isfinite(fps) && fps > 0 && fps <= 1000)
            m_fps = fps;
        if (m_width <= 0 || m_height <= 0)
            throw badInput(m_path + ": video has no picture size (no video stream?)");
        if (m_frameCount <= 0)
            m_frameCount = countByDecoding();
        // The container's frame count is an estimate (duration × rate); trust only what the last
        // frame proves decodable, stepping back a few frames when the estimate overshoots.
        while (m_frameCount > 0 && !tryDecode(m_frameCount - 1, m_lastDecoded))
            --m_frameCount;
        if (m_frameCount <= 0)
            throw badInput(m_path + ": video has no decodable frames");
    }

    std::int64_t countByDecoding()
    {
        std::int64_t n = 0;
        m_capture.set(cv::CAP_PROP_POS_FRAMES, 0);
        while (m_capture.grab())
            ++n;
        m_nextIndex = -1;
        return n;
    }

    bool tryDecode(std::int64_t t, cv::Mat &rgb)
    {
        if (t != m_nextIndex)
            m_capture.set(cv::CAP_PROP_POS_FRAMES, double(t));
        cv::Mat bgr;
        if (!m_capture.read(bgr) || bgr.empty()) {
            m_nextIndex = -1;
            return false;
        }
        m_nextIndex = t + 1;
        cv::cvtColor(bgr, rgb, bgr.channels() == 1 ? cv::COLOR_GRAY2RGB : cv::COLOR_BGR2RGB);
        m_lastDecodedIndex = t;
        return true;
    }

    cv::Mat decode(std::int64_t t)
    {
        if (t == m_lastDecodedIndex && !m_lastDecoded.empty())
            return m_lastDecoded.clone();
        cv::Mat rgb;
        if (!tryDecode(t, rgb))
            throw badInput(m_path + ": cannot decode frame " + std::to_string(t));
        m_lastDecoded = rgb;
        return rgb.clone();
    }

    void readSidecar(const std::string &sidecar, EpisodeInfo &info)
    {
        std::ifstream in(sidecar, std::ios::binary);
        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        VideoSidecar parsed = parseVideoSidecar(sidecar, text, info.length);
        info.instruction = std::move(parsed.instruction);
        if (!parsed.view.empty())
            info.views.front().name = std::move(parsed.view);
        m_actions = std::move(parsed.actions);
        m_state = std::move(parsed.state);
        info.actionDim = m_actions.cols;
        info.stateDim = m_state.cols;
        info.stateKeys = std::move(parsed.stateKeys);
        info.success = parsed.success;
    }

    std::string m_path;
    cv::VideoCapture m_capture;
    int m_width = 0, m_height = 0;
    std::int64_t m_frameCount = 0;
    double m_fps = 0; // 0: the stream does not say
    std::int64_t m_nextIndex = 0;
    std::int64_t m_lastDecodedIndex = -1;
    cv::Mat m_lastDecoded;
    Track m_actions, m_state;
    std::vector<EpisodeInfo> m_episodes;
};

} // namespace

VideoSidecar parseVideoSidecar(const std::string &sidecar, const std::string &text, std::int64_t frames)
{
    const auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded() || !json.is_object())
        throw badInput(sidecar + ": not a JSON object");
    VideoSidecar out;
    out.instruction = optionalString(json, "instruction", sidecar);
    out.view = optionalString(json, "view", sidecar);
    out.actions = readTable(json, "actions", frames, sidecar);
    out.state = readTable(json, "state", frames, sidecar);
    if (const auto keys = json.find("state_keys"); keys != json.end() && keys->is_array())
        for (const auto &key : *keys)
            if (key.is_string())
                out.stateKeys.push_back(key.get<std::string>());
    if (const auto ok = json.find("success"); ok != json.end() && ok->is_boolean())
        out.success = ok->get<bool>();
    return out;
}

std::string findVideoSidecar(const std::string &videoPath)
{
    const fs::path video(videoPath);
    for (const fs::path &candidate :
         {fs::path(videoPath + ".json"), fs::path(video).replace_extension(".json")}) {
        std::error_code ec;
        if (fs::is_regular_file(candidate, ec))
            return candidate.string();
    }
    return {};
}

std::unique_ptr<EpisodeFile> openVideoEpisode(const std::string &path)
{
    // FFmpeg prints its own complaints ("moov atom not found") to stderr, which would break the
    // CLI's one-line errors; our exceptions say what went wrong instead. OpenCV reads this
    // variable once, when its FFmpeg backend starts, so set it before the first capture (and
    // leave a value the user chose, e.g. for debugging, alone).
    static std::once_flag quiet;
    std::call_once(quiet, [] { ::setenv("OPENCV_FFMPEG_LOGLEVEL", "-8", /*overwrite=*/0); });
    return std::make_unique<VideoEpisodeFile>(path);
}

} // namespace grids
