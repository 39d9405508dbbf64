#include "episodes/lerobot_meta.h"

#include "common/error.h"
#include "common/json_fields.h"
#include "parquet/parquet_file.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

namespace fs = std::filesystem;
using nlohmann::ordered_json;

namespace grids {
namespace {

// Columns every LeRobot frame has that are bookkeeping, not observations.
const std::set<std::string> kBookkeeping = {"timestamp", "frame_index", "episode_index", "index",
                                            "task_index"};

std::string episodeKey(std::int64_t index)
{
    char key[32];
    std::snprintf(key, sizeof key, "episode_%06lld", static_cast<long long>(index));
    return key;
}

ordered_json readJsonFile(const fs::path &path)
{
    std::ifstream in(path);
    if (!in)
        throw badInput(path.string() + ": missing");
    const auto json = ordered_json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded() || !json.is_object())
        throw badInput(path.string() + ": not a JSON object");
    return json;
}

// JSON Lines: one object per non-empty line.
std::vector<ordered_json> readJsonLines(const fs::path &path)
{
    std::ifstream in(path);
    if (!in)
        throw badInput(path.string() + ": missing");
    std::vector<ordered_json> lines;
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.find_first_not_of(" \t\r") == std::string::npos)
            continue;
        auto json = ordered_json::parse(line, nullptr, false);
        if (json.is_discarded() || !json.is_object())
            throw badInput(path.string() + ": line " + std::to_string(number) + " is not a JSON object");
        lines.push_back(std::move(json));
    }
    return lines;
}

std::int64_t integerField(const ordered_json &object, const char *key, const std::string &source)
{
    const auto it = object.find(key);
    if (it == object.end() || !it->is_number_integer())
        throw badInput(source + ": \"" + key + "\" is missing or not an integer");
    return it->get<std::int64_t>();
}

// Cameras and vectors from info.json's features.
// A 1-D feature's element names: "names" is a list of `width` strings, or (LeRobot's motor
// features) an object holding one such list, e.g. {"motors": ["x", "y", …]}. Anything else, or a
// list of another length, names nothing: names are for display and never fail a dataset.
std::vector<std::string> elementNames(const ordered_json &feature, std::int64_t width)
{
    const auto names = feature.find("names");
    if (names == feature.end())
        return {};
    const ordered_json *list = &*names;
    if (list->is_object() && list->size() == 1)
        list = &list->begin().value();
    if (!list->is_array() || std::int64_t(list->size()) != width)
        return {};
    std::vector<std::string> out;
    for (const auto &name : *list) {
        if (!name.is_string())
            return {};
        out.push_back(name.get<std::string>());
    }
    return out;
}

void readFeatures(const ordered_json &features, const std::string &source, LeRobotMeta &meta)
{
    if (!features.is_object())
        throw badInput(source + ": \"features\" is missing or not an object");
    for (const auto &[key, feature] : features.items()) {
        if (!feature.is_object())
            throw badInput(source + ": feature " + key + " is not an object");
        const std::string dtype = optionalString(feature, "dtype", source);
        const auto shapeIt = feature.find("shape");
        std::vector<std::int64_t> shape;
        if (shapeIt != feature.end() && shapeIt->is_array())
            for (const auto &d : *shapeIt)
                shape.push_back(d.is_number_integer() ? d.get<std::int64_t>() : -1);
        const bool positive = std::all_of(shape.begin(), shape.end(), [](std::int64_t d) { return d > 0; });
        if (dtype == "video" || dtype == "image") {
            if (shape.size() != 3 || !positive)
                throw badInput(source + ": feature " + key + " needs a 3-D shape (height, width, channels)");
            // Channels first when the names say so, or when only the first axis can be channels.
            std::string first;
            if (const auto names = feature.find("names"); names != feature.end() && names->is_array() &&
                                                          !names->empty() && names->front().is_string())
                first = names->front().get<std::string>();
            const bool channelsFirst = first.rfind("channel", 0) == 0 || first == "c" ||
                                       (first.empty() && shape[0] == 3 && shape[2] != 3);
            LeRobotCamera camera;
            camera.key = key;
            camera.isVideo = dtype == "video";
            camera.height = int(channelsFirst ? shape[1] : shape[0]);
            camera.width = int(channelsFirst ? shape[2] : shape[1]);
            const std::int64_t channels = channelsFirst ? shape[0] : shape[2];
            if (channels != 3)
                throw badInput(source + ": feature " + key + " has " + std::to_string(channels) +
                               " channels (RGB images have 3)");
            meta.cameras.push_back(camera);
            continue;
        }
        static const std::set<std::string> numeric = {"float32", "float64", "int64", "int32", "int16",
                                                      "int8", "uint8", "bool", "float16"};
        if (!numeric.count(dtype) || kBookkeeping.count(key) || shape.size() != 1 || !positive)
            continue; // strings, multi-dimensional tensors: not part of the Episode model
        meta.vectors.push_back({key, int(shape[0]), elementNames(feature, shape[0])});
    }
    auto find = [&](std::initializer_list<const char *> keys) -> std::optional<LeRobotVector> {
        for (const char *key : keys)
            for (const auto &vector : meta.vectors)
                if (vector.key == key)
                    return vector;
        return std::nullopt;
    };
    meta.state = find({"observation.state", "state"});
    meta.action = find({"action", "actions"});
}

std::vector<std::string> tasksFromJsonLines(const fs::path &path)
{
    std::map<std::int64_t, std::string> byIndex;
    for (const auto &line : readJsonLines(path))
        byIndex[integerField(line, "task_index", path.string())] = optionalString(line, "task", path.string());
    std::vector<std::string> tasks;
    for (const auto &[index, task] : byIndex) {
        if (index != std::int64_t(tasks.size()))
            throw badInput(path.string() + ": task indices are not 0..N-1");
        tasks.push_back(task);
    }
    return tasks;
}

void readEpisodesV2(const fs::path &root, const ordered_json &info, const std::string &infoPath, LeRobotMeta &meta)
{
    const fs::path episodesPath = root / "meta" / "episodes.jsonl";
    const std::string dataPath = optionalString(info, "data_path", infoPath);
    // LeRobot writes "video_path": null for datasets without videos.
    const std::string videoPath = optionalString(info, "video_path", infoPath);
    if (dataPath.empty())
        throw badInput(infoPath + ": \"data_path\" is missing");
    const std::int64_t chunkSize = info.contains("chunks_size") ? integerField(info, "chunks_size", infoPath) : 1000;
    if (chunkSize <= 0)
        throw badInput(infoPath + ": \"chunks_size\" must be positive");
    std::vector<std::string> tasks;
    if (fs::exists(root / "meta" / "tasks.jsonl"))
        tasks = tasksFromJsonLines(root / "meta" / "tasks.jsonl");
    for (const auto &line : readJsonLines(episodesPath)) {
        LeRobotEpisode e;
        e.index = integerField(line, "episode_index", episodesPath.string());
        e.length = integerField(line, "length", episodesPath.string());
        if (e.index < 0 || e.length <= 0)
            throw badInput(episodesPath.string() + ": episode " + std::to_string(e.index) +
                           " has a negative index or no frames");
        if (const auto t = line.find("tasks"); t != line.end() && t->is_array() && !t->empty() &&
                                               t->front().is_string())
            e.task = t->front().get<std::string>();
        else if (const auto ti = line.find("task_index"); ti != line.end() && ti->is_number_integer() &&
                                                         ti->get<std::size_t>() < tasks.size())
            e.task = tasks[ti->get<std::size_t>()];
        e.key = episodeKey(e.index);
        const std::int64_t chunk = e.index / chunkSize;
        e.dataFile = fillPathTemplate(dataPath, {{"episode_chunk", chunk, ""}, {"episode_index", e.index, ""}},
                                      infoPath);
        for (const LeRobotCamera &camera : meta.cameras) {
            if (camera.isVideo && videoPath.empty())
                throw badInput(infoPath + ": \"video_path\" is missing but " + camera.key + " is a video");
            e.videoFiles.push_back(camera.isVideo ? fillPathTemplate(videoPath,
                                                                     {{"episode_chunk", chunk, ""},
                                                                      {"video_key", 0, camera.key},
                                                                      {"episode_index", e.index, ""}},
                                                                     infoPath)
                                                  : std::string());
            e.videoFrom.push_back(0.0);
        }
        meta.episodes.push_back(std::move(e));
    }
}

// A whole column of a small metadata parquet as numbers (null → NaN) or first strings.
std::vector<double> numberColumn(parquet::ParquetFile &file, const std::string &field)
{
    const auto leaves = file.leavesOf(field);
    if (leaves.size() != 1 || leaves.front()->maxRepetition != 0 ||
        leaves.front()->type == parquet::ValueType::Bytes)
        throw badInput(file.path() + ": column '" + field + "' is missing or not a number");
    std::vector<double> out;
    for (int g = 0; g < file.numRowGroups(); ++g) {
        const auto values = file.read(g, leaves.front()->path);
        for (std::int64_t e = 0; e < values.entries(); ++e)
            out.push_back(values.valid[std::size_t(e)] ? values.number(e) : std::nan(""));
    }
    return out;
}

// A string column, or the first string of a list-of-strings column, per row.
std::vector<std::string> firstStringColumn(parquet::ParquetFile &file, const std::string &field)
{
    const auto leaves = file.leavesOf(field);
    if (leaves.size() != 1 || leaves.front()->type != parquet::ValueType::Bytes)
        throw badInput(file.path() + ": column '" + field + "' is missing or not text");
    std::vector<std::string> out;
    for (int g = 0; g < file.numRowGroups(); ++g) {
        const auto values = file.read(g, leaves.front()->path);
        for (std::int64_t r = 0; r < values.rows(); ++r) {
            const std::int64_t e = values.rowOffsets[std::size_t(r)];
            const bool has = e < values.rowOffsets[std::size_t(r) + 1] && values.valid[std::size_t(e)];
            out.push_back(has ? values.bytes[std::size_t(e)] : std::string());
        }
    }
    return out;
}

std::int64_t wholeNumber(double value, const std::string &path, const std::string &column, std::size_t row)
{
    if (!std::isfinite(value) || value != std::floor(value))
        throw badInput(path + ": column '" + column + "' is null or not a whole number in row " + std::to_string(row));
    return std::int64_t(value);
}

void readEpisodesV3(const fs::path &root, const ordered_json &info, const std::string &infoPath, LeRobotMeta &meta)
{
    const std::string dataPath = optionalString(info, "data_path", infoPath);
    const std::string videoPath = optionalString(info, "video_path", infoPath);
    if (dataPath.empty())
        throw badInput(infoPath + ": \"data_path\" is missing");
    const fs::path folder = root / "meta" / "episodes";
    std::vector<fs::path> files;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file() && it->path().extension() == ".parquet")
            files.push_back(it->path());
    if (files.empty())
        throw badInput(folder.string() + ": missing or holds no episode parquet files");
    std::sort(files.begin(), files.end());
    for (const fs::path &path : files) {
        auto file = parquet::ParquetFile::open(path.string());
        const std::string where = path.string();
        const auto index = numberColumn(*file, "episode_index");
        const auto length = numberColumn(*file, "length");
        const auto dataChunk = numberColumn(*file, "data/chunk_index");
        const auto dataFile = numberColumn(*file, "data/file_index");
        const auto tasks = firstStringColumn(*file, "tasks");
        std::vector<std::vector<double>> videoChunk, videoFile, videoFrom;
        for (const LeRobotCamera &camera : meta.cameras) {
            if (!camera.isVideo) {
                videoChunk.emplace_back(index.size(), 0.0);
                videoFile.emplace_back(index.size(), 0.0);
                videoFrom.emplace_back(index.size(), 0.0);
                continue;
            }
            const std::string prefix = "videos/" + camera.key + "/";
            videoChunk.push_back(numberColumn(*file, prefix + "chunk_index"));
            videoFile.push_back(numberColumn(*file, prefix + "file_index"));
            videoFrom.push_back(numberColumn(*file, prefix + "from_timestamp"));
        }
        for (std::size_t r = 0; r < index.size(); ++r) {
            LeRobotEpisode e;
            e.index = wholeNumber(index[r], where, "episode_index", r);
            e.length = wholeNumber(length[r], where, "length", r);
            if (e.index < 0 || e.length <= 0)
                throw badInput(where + ": episode " + std::to_string(e.index) + " has a negative index or no frames");
            e.key = episodeKey(e.index);
            e.task = tasks[r];
            e.dataFile = fillPathTemplate(dataPath,
                                          {{"chunk_index", wholeNumber(dataChunk[r], where, "data/chunk_index", r), ""},
                                           {"file_index", wholeNumber(dataFile[r], where, "data/file_index", r), ""}},
                                          infoPath);
            for (std::size_t c = 0; c < meta.cameras.size(); ++c) {
                const LeRobotCamera &camera = meta.cameras[c];
                if (!camera.isVideo) {
                    e.videoFiles.emplace_back();
                    e.videoFrom.push_back(0.0);
                    continue;
                }
                if (videoPath.empty())
                    throw badInput(infoPath + ": \"video_path\" is missing but " + camera.key + " is a video");
                const std::string column = "videos/" + camera.key + "/";
                e.videoFiles.push_back(fillPathTemplate(
                    videoPath,
                    {{"video_key", 0, camera.key},
                     {"chunk_index", wholeNumber(videoChunk[c][r], where, column + "chunk_index", r), ""},
                     {"file_index", wholeNumber(videoFile[c][r], where, column + "file_index", r), ""}},
                    infoPath));
                if (!std::isfinite(videoFrom[c][r]) || videoFrom[c][r] < 0)
                    throw badInput(where + ": column '" + column + "from_timestamp' is null or negative in row " +
                                   std::to_string(r));
                e.videoFrom.push_back(videoFrom[c][r]);
            }
            meta.episodes.push_back(std::move(e));
        }
    }
}

} // namespace

std::string fillPathTemplate(const std::string &pattern,
                             const std::vector<TemplateField> &fields,
                             const std::string &source)
{
    constexpr int kMaxFieldWidth = 255;
    std::string out;
    std::size_t pos = 0;
    while (pos < pattern.size()) {
        const std::size_t open = pattern.find('{', pos);
        if (open == std::string::npos) {
            out += pattern.substr(pos);
            break;
        }
        const std::size_t close = pattern.find('}', open);
        if (close == std::string::npos)
            throw badInput(source + ": path template '" + pattern + "' has an unclosed '{'");
        out += pattern.substr(pos, open - pos);
        const std::string spec = pattern.substr(open + 1, close - open - 1);
        const std::size_t colon = spec.find(':');
        const std::string name = spec.substr(0, colon);
        const auto field = std::find_if(fields.begin(), fields.end(),
                                        [&](const TemplateField &f) { return f.name == name; });
        if (field == fields.end())
            throw badInput(source + ": path template '" + pattern + "' uses an unknown field {" + name + "}");
        if (!field->text.empty()) {
            out += field->text;
        } else {
            // Python's format spec as LeRobot uses it: "03d" pads with zeros to 3 digits.
            int width = 0;
            if (colon != std::string::npos) {
                const std::string format = spec.substr(colon + 1);
                if (format.empty() || format.back() != 'd' ||
                    format.find_first_not_of("0123456789") != format.size() - 1)
                    throw badInput(source + ": path template '" + pattern + "' has an unsupported format {" +
                                   spec + "}");
                // A file name has at most 255 bytes: a wider field is a damaged template (and
                // one of 10^9 digits would be a gigabyte of zeros).
                const std::string widthDigits = format.substr(0, format.size() - 1);
                width = widthDigits.size() > 3 ? kMaxFieldWidth + 1
                                               : (widthDigits.empty() ? 0 : std::stoi(widthDigits));
                if (width > kMaxFieldWidth)
                    throw badInput(source + ": path template '" + pattern + "' pads {" + spec +
                                   "} wider than a file name can be (" +
                                   std::to_string(kMaxFieldWidth) + " characters)");
            }
            std::string digits = std::to_string(field->number);
            if (int(digits.size()) < width)
                digits.insert(0, std::size_t(width) - digits.size(), '0');
            out += digits;
        }
        pos = close + 1;
    }
    return out;
}

namespace {

LeRobotMeta readMeta(const std::string &folder)
{
    const fs::path root(folder);
    const fs::path infoPath = root / "meta" / "info.json";
    const std::string source = infoPath.string();
    const ordered_json info = readJsonFile(infoPath);
    LeRobotMeta meta;
    meta.version = optionalString(info, "codebase_version", source);
    if (meta.version.empty())
        throw badInput(source + ": \"codebase_version\" is missing");
    const auto fps = info.find("fps");
    if (fps == info.end() || !fps->is_number() || fps->get<double>() <= 0)
        throw badInput(source + ": \"fps\" is missing or not a positive number");
    meta.fps = fps->get<double>();
    readFeatures(info.contains("features") ? info["features"] : ordered_json(), source, meta);
    if (meta.cameras.empty())
        throw badInput(source + ": no image or video features (GridS Studio needs at least one camera)");
    if (meta.version == "v2.0" || meta.version == "v2.1")
        readEpisodesV2(root, info, source, meta);
    else if (meta.version == "v3.0")
        readEpisodesV3(root, info, source, meta);
    else
        throw badInput(source + ": LeRobot codebase_version " + meta.version +
                       " is not supported (GridS Studio reads v2.0, v2.1 and v3.0)");
    std::sort(meta.episodes.begin(), meta.episodes.end(),
              [](const LeRobotEpisode &a, const LeRobotEpisode &b) { return a.index < b.index; });
    for (std::size_t i = 1; i < meta.episodes.size(); ++i)
        if (meta.episodes[i].index == meta.episodes[i - 1].index)
            throw badInput(folder + "/meta: episode " + std::to_string(meta.episodes[i].index) + " is listed twice");
    if (meta.episodes.empty())
        throw badInput(folder + "/meta: lists no episodes");
    return meta;
}

} // namespace

LeRobotMeta readLeRobotMeta(const std::string &folder)
{
    try {
        return readMeta(folder);
    } catch (const nlohmann::json::exception &e) {
        // A field of an unexpected JSON type that the checks above did not foresee.
        throw badInput(folder + "/meta: unexpected JSON (" + e.what() + ")");
    }
}

} // namespace grids
