#pragma once

#include <opencv2/core/mat.hpp>

#include <memory>
#include <string>

namespace grids {

// Frame-accurate random access to one video file by presentation time, through FFmpeg's
// libraries (AV1 by dav1d, H.264, anything Debian's FFmpeg decodes). A frame's time is its
// presentation timestamp in seconds, as LeRobot datasets give them. Seeks go to the key frame at
// or before the time and decode forward; reading the next frame in order decodes one frame.
// Used by one thread at a time.
class TimedVideo
{
public:
    // Opens the file and its first video stream. Throws Error{BadInput} naming the file.
    explicit TimedVideo(const std::string &path);
    ~TimedVideo();
    TimedVideo(const TimedVideo &) = delete;
    TimedVideo &operator=(const TimedVideo &) = delete;

    const std::string &path() const { return m_path; }
    int width() const;
    int height() const;
    double fps() const;      // the stream's average frame rate (0 when unknown)
    double duration() const; // seconds, from the container (0 when unknown)
    std::string codec() const;

    // The frame (RGB, CV_8UC3) presented nearest to `seconds`. Throws Error{BadInput} naming the
    // file when no frame lies within `tolerance` seconds of it (a time past the end included).
    cv::Mat frameAt(double seconds, double tolerance);

private:
    struct State;
    std::string m_path;
    std::unique_ptr<State> m_state;
};

} // namespace grids
