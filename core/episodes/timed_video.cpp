#include "episodes/timed_video.h"

#include "common/error.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
}

#include <cmath>
#include <cstdio>
#include <mutex>

namespace grids {
namespace {

// Sequential reads decode forward instead of seeking while the requested time is at most this far
// ahead of the last decoded frame (a seek costs a key frame and everything after it).
constexpr double kDecodeForwardSeconds = 1.0;

std::string avError(int code)
{
    char text[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(code, text, sizeof text);
    return text;
}

std::string seconds(double s)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.4f s", s);
    return text;
}

} // namespace

struct TimedVideo::State
{
    AVFormatContext *format = nullptr;
    AVCodecContext *codec = nullptr;
    AVPacket *packet = nullptr;
    AVFrame *decoded = nullptr;
    // The last two frames decoded, in presentation order: a time between them is answered by the
    // nearer one without decoding.
    AVFrame *previous = nullptr;
    AVFrame *last = nullptr;
    double previousTime = 0, lastTime = 0;
    bool hasPrevious = false, hasLast = false;
    bool endOfStream = false;
    SwsContext *scaler = nullptr;
    int stream = -1;
    double timeBase = 0;

    ~State()
    {
        sws_freeContext(scaler);
        av_frame_free(&decoded);
        av_frame_free(&previous);
        av_frame_free(&last);
        av_packet_free(&packet);
        avcodec_free_context(&codec);
        avformat_close_input(&format);
    }
};

TimedVideo::TimedVideo(const std::string &path)
    : m_path(path)
    , m_state(std::make_unique<State>())
{
    // FFmpeg's own log lines would break the CLI's one-line errors; ours say what went wrong.
    static std::once_flag quiet;
    std::call_once(quiet, [] { av_log_set_level(AV_LOG_QUIET); });
    State &s = *m_state;
    if (int rc = avformat_open_input(&s.format, path.c_str(), nullptr, nullptr); rc < 0)
        throw badInput(path + ": cannot open video (" + avError(rc) + ")");
    if (int rc = avformat_find_stream_info(s.format, nullptr); rc < 0)
        throw badInput(path + ": cannot read video streams (" + avError(rc) + ")");
    const AVCodec *decoder = nullptr;
    s.stream = av_find_best_stream(s.format, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0);
    if (s.stream < 0 || !decoder)
        throw badInput(path + ": no decodable video stream" +
                       (s.stream == AVERROR_DECODER_NOT_FOUND ? std::string(" (no decoder for its codec)")
                                                              : std::string()));
    const AVStream *stream = s.format->streams[s.stream];
    s.timeBase = av_q2d(stream->time_base);
    s.codec = avcodec_alloc_context3(decoder);
    s.packet = av_packet_alloc();
    s.decoded = av_frame_alloc();
    s.previous = av_frame_alloc();
    s.last = av_frame_alloc();
    if (!s.codec || !s.packet || !s.decoded || !s.previous || !s.last)
        throw Error(Error::Kind::Other, path + ": out of memory opening the video");
    if (int rc = avcodec_parameters_to_context(s.codec, stream->codecpar); rc < 0)
        throw badInput(path + ": bad codec parameters (" + avError(rc) + ")");
    if (int rc = avcodec_open2(s.codec, decoder, nullptr); rc < 0)
        throw badInput(path + ": cannot start the " + decoder->name + " decoder (" + avError(rc) + ")");
    if (s.codec->width <= 0 || s.codec->height <= 0)
        throw badInput(path + ": video has no picture size");
}

TimedVideo::~TimedVideo() = default;

int TimedVideo::width() const
{
    return m_state->codec->width;
}

int TimedVideo::height() const
{
    return m_state->codec->height;
}

double TimedVideo::fps() const
{
    const AVRational rate = m_state->format->streams[m_state->stream]->avg_frame_rate;
    return rate.den > 0 ? av_q2d(rate) : 0.0;
}

double TimedVideo::duration() const
{
    const AVStream *stream = m_state->format->streams[m_state->stream];
    if (stream->duration != AV_NOPTS_VALUE)
        return double(stream->duration) * m_state->timeBase;
    return m_state->format->duration != AV_NOPTS_VALUE ? double(m_state->format->duration) / AV_TIME_BASE
                                                       : 0.0;
}

std::string TimedVideo::codec() const
{
    return m_state->codec->codec ? m_state->codec->codec->name : "";
}

cv::Mat TimedVideo::frameAt(double target, double tolerance)
{
    State &s = *m_state;

    // Decodes the next frame in presentation order into s.last (the old one moves to previous).
    auto decodeNext = [&]() -> bool {
        for (;;) {
            const int got = avcodec_receive_frame(s.codec, s.decoded);
            if (got == 0) {
                const std::int64_t pts = s.decoded->best_effort_timestamp != AV_NOPTS_VALUE
                                             ? s.decoded->best_effort_timestamp
                                             : s.decoded->pts;
                if (pts == AV_NOPTS_VALUE)
                    throw badInput(m_path + ": a frame has no timestamp");
                if (s.hasLast) {
                    av_frame_unref(s.previous);
                    av_frame_move_ref(s.previous, s.last);
                    s.previousTime = s.lastTime;
                    s.hasPrevious = true;
                }
                av_frame_move_ref(s.last, s.decoded);
                s.lastTime = double(pts) * s.timeBase;
                s.hasLast = true;
                return true;
            }
            if (got == AVERROR_EOF) {
                s.endOfStream = true;
                return false;
            }
            if (got != AVERROR(EAGAIN))
                throw badInput(m_path + ": cannot decode (" + avError(got) + ")");
            // The decoder wants input: the next packet of our stream, or the end of the stream.
            for (;;) {
                const int read = av_read_frame(s.format, s.packet);
                if (read < 0) {
                    avcodec_send_packet(s.codec, nullptr); // drain
                    break;
                }
                if (s.packet->stream_index != s.stream) {
                    av_packet_unref(s.packet);
                    continue;
                }
                const int sent = avcodec_send_packet(s.codec, s.packet);
                av_packet_unref(s.packet);
                if (sent < 0 && sent != AVERROR(EAGAIN))
                    throw badInput(m_path + ": corrupt video data (" + avError(sent) + ")");
                break;
            }
        }
    };

    auto seekTo = [&](double time) {
        const auto timestamp = std::int64_t(std::floor(std::max(0.0, time) / s.timeBase));
        if (av_seek_frame(s.format, s.stream, timestamp, AVSEEK_FLAG_BACKWARD) < 0 &&
            av_seek_frame(s.format, s.stream, 0, AVSEEK_FLAG_BACKWARD | AVSEEK_FLAG_ANY) < 0)
            throw badInput(m_path + ": cannot seek to " + seconds(time));
        avcodec_flush_buffers(s.codec);
        s.hasLast = s.hasPrevious = s.endOfStream = false;
    };

    const bool between = s.hasPrevious && s.previousTime <= target && target <= s.lastTime;
    const bool shortlyAhead = s.hasLast && target > s.lastTime && target - s.lastTime <= kDecodeForwardSeconds;
    const bool atLast = s.hasLast && std::abs(target - s.lastTime) <= 1e-9;
    if (!between && !shortlyAhead && !atLast && !(s.endOfStream && s.hasLast && target >= s.lastTime)) {
        seekTo(target);
        if (!decodeNext())
            throw badInput(m_path + ": no frame at or after " + seconds(target) + " (empty video?)");
        if (s.lastTime > target + tolerance) {
            // The seek landed after the time (a sparse index): start from the beginning instead.
            seekTo(0);
            decodeNext();
        }
    }
    while (s.hasLast && s.lastTime < target && !s.endOfStream && decodeNext()) {
    }
    if (!s.hasLast)
        throw badInput(m_path + ": no decodable frame");
    // The nearer of the frames on either side of the time.
    AVFrame *chosen = s.last;
    double chosenTime = s.lastTime;
    if (s.hasPrevious && s.previousTime <= target &&
        std::abs(target - s.previousTime) < std::abs(s.lastTime - target)) {
        chosen = s.previous;
        chosenTime = s.previousTime;
    }
    if (std::abs(chosenTime - target) > tolerance) {
        if (target > chosenTime && s.endOfStream)
            throw badInput(m_path + ": time " + seconds(target) + " is past the end of the video (last frame at " +
                           seconds(chosenTime) + ")");
        throw badInput(m_path + ": no frame at " + seconds(target) + " (nearest at " + seconds(chosenTime) + ")");
    }

    cv::Mat rgb(chosen->height, chosen->width, CV_8UC3);
    s.scaler = sws_getCachedContext(s.scaler, chosen->width, chosen->height, AVPixelFormat(chosen->format),
                                    chosen->width, chosen->height, AV_PIX_FMT_RGB24, SWS_BILINEAR, nullptr,
                                    nullptr, nullptr);
    if (!s.scaler)
        throw badInput(m_path + ": cannot convert its pixel format to RGB");
    std::uint8_t *planes[1] = {rgb.data};
    const int strides[1] = {int(rgb.step[0])};
    sws_scale(s.scaler, chosen->data, chosen->linesize, 0, chosen->height, planes, strides);
    return rgb;
}

} // namespace grids
