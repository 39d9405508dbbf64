#pragma once

#include <opencv2/core/mat.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace grids {

// A T×D table of floats (actions, low-dimensional observations), row-major.
struct Track
{
    std::int64_t rows = 0;
    int cols = 0;
    std::vector<float> values;

    float at(std::int64_t row, int col) const { return values[std::size_t(row) * cols + col]; }
    std::vector<float> row(std::int64_t r) const
    {
        auto begin = values.begin() + std::ptrdiff_t(r) * cols;
        return {begin, begin + cols};
    }
};

// The view name of a video whose sidecar does not name it.
inline const char *const kUnnamedView = "video";

struct ViewInfo
{
    // "agentview_rgb", "eye_in_hand_rgb"; a video without a sidecar naming its view gets
    // kUnnamedView. A checkpoint matches views by name; a lone view that matches none takes
    // the checkpoint's first view.
    std::string name;
    int width = 0;
    int height = 0;
};

// What is known about one episode without reading its frames.
struct EpisodeInfo
{
    std::string key; // "demo_3" in an HDF5 file, the file name for a video
    std::int64_t length = 0;
    std::vector<ViewInfo> views;
    std::string instruction;
    int actionDim = 0;                  // 0 when the episode carries no actions
    std::vector<std::string> actionNames; // one per action dimension when the format names them
    int stateDim = 0;                   // sum of the widths of stateKeys
    std::vector<std::string> stateKeys; // low-dim observations concatenated, in order, into state
    std::optional<bool> success;        // known for recorded rollouts
    double fps = 0; // frames per second when the format says (LeRobot, a video); 0 unknown
};

// The rate an episode plays and exports at: its own when the format says, else 20 Hz (LIBERO and
// the tabletop suite record at 20 Hz but do not store it).
inline double playbackFps(const EpisodeInfo &info)
{
    return info.fps > 0 ? info.fps : 20.0;
}

// One time step: every view upright, RGB, 8-bit (CV_8UC3), in EpisodeInfo::views order.
struct Frame
{
    std::int64_t index = 0;
    std::vector<cv::Mat> views;
    std::vector<float> state;  // empty when the episode has no state
    std::vector<float> action; // the demonstration's action; empty when none
    std::string instruction;
};

// One file holding one or more episodes. Opening reads metadata only; frames are read on
// demand. An EpisodeFile is used by one thread at a time (readers keep a decoder position).
class EpisodeFile
{
public:
    virtual ~EpisodeFile() = default;

    virtual const std::string &path() const = 0;
    virtual std::string format() const = 0; // "libero-hdf5", "video", "lerobot-v2.1", …
    virtual const std::vector<EpisodeInfo> &episodes() const = 0;

    // Throws Error{Usage} for an index or frame out of range, Error{BadInput} when the file
    // cannot be read there.
    virtual Frame frame(std::size_t episode, std::int64_t t) = 0;
    // The whole demonstration action track (T×A); empty when the episode has none.
    virtual Track actions(std::size_t episode) = 0;
    // A low-dimensional observation by its key (HDF5: obs/<key>, T rows), whether or not it is
    // part of the state; nullopt when the episode has none. Throws Error{BadInput} when the
    // dataset exists but is not a numeric T×D table.
    virtual std::optional<Track> lowDim(std::size_t episode, const std::string &key)
    {
        checkFrame(episode, 0);
        (void)key;
        return std::nullopt;
    }

    // Index of the episode with this key; throws Error{Usage} naming the file and the key.
    std::size_t indexOf(const std::string &key) const;

protected:
    void checkFrame(std::size_t episode, std::int64_t t) const;
};

// Opens one episode file, choosing the reader by content (HDF5 signature) and extension, or a
// LeRobot dataset folder (one that has meta/info.json) as one file of many episodes.
// Throws Error{BadInput} with a one-line message naming the file.
std::unique_ptr<EpisodeFile> openEpisodeFile(const std::string &path);

// True for names the folder scan treats as episode files (.hdf5, .h5, and video extensions).
bool looksLikeEpisodeFile(const std::string &path);

struct OpenedEpisodes
{
    std::vector<std::unique_ptr<EpisodeFile>> files;
    std::vector<std::string> errors; // one line per file in a folder that failed to open
};

// A file, a LeRobot dataset folder, or another folder opened as every episode file directly inside
// it (sorted by name).
// Throws Error{BadInput} for a missing path, an empty folder, or a single file that fails.
OpenedEpisodes openEpisodes(const std::string &path);

} // namespace grids
