#pragma once

// What a LeRobot dataset's meta/ folder says, read into plain structs: the features that map onto
// the Episode model, and per episode its length, task and where its rows and videos are.
// Internal to the LeRobot reader.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace grids {

struct LeRobotCamera
{
    std::string key; // the feature's name: "observation.images.top", "image"
    bool isVideo = false; // dtype "video" (mp4 files) or "image" (PNG/JPEG bytes in the parquet)
    int width = 0, height = 0;
};

struct LeRobotVector
{
    std::string key; // "observation.state", "action", …
    int width = 0;
    std::vector<std::string> names; // per element, when the feature's "names" give them
};

struct LeRobotEpisode
{
    std::int64_t index = 0;
    std::string key; // "episode_000003"
    std::int64_t length = 0;
    std::string task;
    std::string dataFile;                // relative to the dataset folder
    std::vector<std::string> videoFiles; // per camera (empty for image cameras)
    std::vector<double> videoFrom;       // per camera: the episode's first time in its video
};

struct LeRobotMeta
{
    std::string version; // "v2.0", "v2.1", "v3.0"
    double fps = 0;
    std::vector<LeRobotCamera> cameras;        // in meta/info.json's order
    std::vector<LeRobotVector> vectors;        // every 1-D numeric feature
    std::optional<LeRobotVector> state, action; // observation.state / state, action / actions
    std::vector<LeRobotEpisode> episodes;      // by episode index
};

// Reads meta/info.json and the episode list (v2.x: meta/episodes.jsonl and meta/tasks.jsonl;
// v3.0: meta/episodes/*/*.parquet and meta/tasks.parquet). Throws Error{BadInput} naming the
// meta file that is missing or wrong.
LeRobotMeta readLeRobotMeta(const std::string &folder);

// Fills a LeRobot path template ("data/chunk-{episode_chunk:03d}/episode_{episode_index:06d}.parquet")
// with integer and text fields; throws Error{BadInput} naming `source` for an unknown field.
struct TemplateField
{
    std::string name;
    std::int64_t number = 0;
    std::string text; // used when not empty
};
std::string fillPathTemplate(const std::string &pattern,
                             const std::vector<TemplateField> &fields,
                             const std::string &source);

} // namespace grids
