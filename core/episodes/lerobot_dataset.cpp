#include "episodes/lerobot_dataset.h"

#include "common/error.h"
#include "episodes/lerobot_meta.h"
#include "episodes/timed_video.h"
#include "parquet/parquet_file.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <fstream>
#include <list>
#include <map>

namespace fs = std::filesystem;

namespace grids {
namespace {

// How many parquet files, decoded row-group columns and open videos a dataset keeps at hand:
// enough for every camera of the episode on screen and its neighbour.
constexpr std::size_t kOpenParquetFiles = 4;
constexpr std::size_t kCachedColumns = 24;
constexpr std::size_t kOpenVideos = 8;

// A small least-recently-used map.
template <typename Key, typename Value>
class Lru
{
public:
    explicit Lru(std::size_t capacity)
        : m_capacity(capacity)
    {}
    Value *find(const Key &key)
    {
        for (auto it = m_items.begin(); it != m_items.end(); ++it)
            if (it->first == key) {
                m_items.splice(m_items.begin(), m_items, it);
                return &m_items.front().second;
            }
        return nullptr;
    }
    Value &insert(const Key &key, Value value)
    {
        m_items.emplace_front(key, std::move(value));
        if (m_items.size() > m_capacity)
            m_items.pop_back();
        return m_items.front().second;
    }

private:
    std::size_t m_capacity;
    std::list<std::pair<Key, Value>> m_items;
};

std::string join(const fs::path &root, const std::string &relative)
{
    return (root / relative).string();
}

class LeRobotDataset final : public EpisodeFile
{
public:
    explicit LeRobotDataset(const std::string &folder)
        : m_path(folder)
        , m_meta(readLeRobotMeta(folder))
        , m_parquets(kOpenParquetFiles)
        , m_columns(kCachedColumns)
        , m_videos(kOpenVideos)
    {
        for (const LeRobotEpisode &e : m_meta.episodes) {
            EpisodeInfo info;
            info.key = e.key;
            info.length = e.length;
            for (const LeRobotCamera &camera : m_meta.cameras)
                info.views.push_back({camera.key, camera.width, camera.height});
            info.instruction = e.task;
            info.actionDim = m_meta.action ? m_meta.action->width : 0;
            info.actionNames = m_meta.action ? m_meta.action->names : std::vector<std::string>{};
            if (m_meta.state) {
                info.stateDim = m_meta.state->width;
                info.stateKeys = {m_meta.state->key};
            }
            info.fps = m_meta.fps;
            m_episodes.push_back(std::move(info));
        }
        // What meta/ promises is checked against the first episode, so that a dataset whose
        // info.json lies fails when it opens, not on some later frame.
        if (!m_episodes.empty())
            frame(0, 0);
    }

    const std::string &path() const override { return m_path; }
    std::string format() const override { return "lerobot-" + m_meta.version; }
    const std::vector<EpisodeInfo> &episodes() const override { return m_episodes; }

    Frame frame(std::size_t episode, std::int64_t t) override
    {
        checkFrame(episode, t);
        const LeRobotEpisode &e = m_meta.episodes[episode];
        const RowAt at = locate(e, t);
        Frame out;
        out.index = t;
        out.instruction = e.task;
        if (m_meta.state)
            out.state = vectorAt(at, *m_meta.state);
        if (m_meta.action)
            out.action = vectorAt(at, *m_meta.action);
        double timestamp = -1;
        for (std::size_t c = 0; c < m_meta.cameras.size(); ++c) {
            const LeRobotCamera &camera = m_meta.cameras[c];
            if (camera.isVideo) {
                if (timestamp < 0)
                    timestamp = timestampAt(at, t);
                out.views.push_back(videoFrame(e, c, timestamp));
            } else {
                out.views.push_back(storedImage(at, camera));
            }
        }
        return out;
    }

    Track actions(std::size_t episode) override
    {
        checkFrame(episode, 0);
        if (!m_meta.action)
            return {};
        return track(m_meta.episodes[episode], *m_meta.action);
    }

    std::optional<Track> lowDim(std::size_t episode, const std::string &key) override
    {
        checkFrame(episode, 0);
        for (const LeRobotVector &vector : m_meta.vectors)
            if (vector.key == key)
                return track(m_meta.episodes[episode], vector);
        return std::nullopt;
    }

private:
    struct OpenParquet
    {
        std::shared_ptr<parquet::ParquetFile> file;
        // Episode index → its first row in the file and its row count (v3.0 files hold many).
        std::map<std::int64_t, std::pair<std::int64_t, std::int64_t>> episodeRows;
    };

    struct RowAt
    {
        std::shared_ptr<parquet::ParquetFile> file;
        int rowGroup = 0;
        std::int64_t row = 0; // within the row group
    };

    OpenParquet &parquetFile(const std::string &path)
    {
        if (OpenParquet *open = m_parquets.find(path))
            return *open;
        std::error_code ec;
        if (!fs::exists(path, ec))
            throw badInput(path + ": missing (listed by the dataset's meta/)");
        OpenParquet open;
        open.file = parquet::ParquetFile::open(path);
        return m_parquets.insert(path, std::move(open));
    }

    // Where frame t of an episode is: file, row group and row.
    RowAt locate(const LeRobotEpisode &e, std::int64_t t)
    {
        const std::string path = join(m_path, e.dataFile);
        OpenParquet &open = parquetFile(path);
        auto rows = open.episodeRows.find(e.index);
        if (rows == open.episodeRows.end()) {
            findEpisodeRows(open, path, e.index);
            rows = open.episodeRows.find(e.index);
            if (rows == open.episodeRows.end())
                throw badInput(path + ": holds no rows of episode " + std::to_string(e.index));
        }
        if (rows->second.second != e.length)
            throw badInput(path + ": holds " + std::to_string(rows->second.second) + " rows of episode " +
                           std::to_string(e.index) + ", meta/ says its length is " + std::to_string(e.length));
        const std::int64_t row = rows->second.first + t;
        RowAt at{open.file, 0, row};
        while (at.rowGroup + 1 < open.file->numRowGroups() && open.file->rowGroupStart(at.rowGroup + 1) <= row)
            ++at.rowGroup;
        at.row = row - open.file->rowGroupStart(at.rowGroup);
        return at;
    }

    // Reads the file's episode_index column once: each episode's contiguous rows.
    void findEpisodeRows(OpenParquet &open, const std::string &path, std::int64_t episode)
    {
        parquet::ParquetFile &file = *open.file;
        if (!file.findColumn("episode_index")) {
            if (m_meta.version.rfind("v3", 0) == 0)
                throw badInput(path + ": has no episode_index column");
            open.episodeRows[episode] = {0, file.numRows()}; // v2: one file per episode
            return;
        }
        std::int64_t row = 0;
        std::int64_t current = -1;
        for (int g = 0; g < file.numRowGroups(); ++g) {
            const parquet::ColumnValues values = numeric(file.read(g, "episode_index"), path);
            for (std::int64_t r = 0; r < values.rows(); ++r, ++row) {
                if (!values.valid[std::size_t(r)])
                    throw badInput(path + ": episode_index is null in row " + std::to_string(row));
                const auto index = std::int64_t(values.number(r));
                if (index != current) {
                    if (open.episodeRows.count(index))
                        throw badInput(path + ": rows of episode " + std::to_string(index) +
                                       " are not contiguous");
                    open.episodeRows[index] = {row, 0};
                    current = index;
                }
                ++open.episodeRows[index].second;
            }
        }
    }

    const parquet::ColumnValues &column(const RowAt &at, const std::string &leaf)
    {
        const std::string key = at.file->path() + '\n' + std::to_string(at.rowGroup) + '\n' + leaf;
        if (const parquet::ColumnValues *cached = m_columns.find(key))
            return *cached;
        if (!at.file->findColumn(leaf))
            throw badInput(at.file->path() + ": has no column '" + leaf + "' (meta/info.json lists it)");
        return m_columns.insert(key, at.file->read(at.rowGroup, leaf));
    }

    // A column read as numbers must hold numbers (ColumnValues::number refuses bytes).
    template <typename Values>
    static Values &&numeric(Values &&values, const std::string &path)
    {
        if (values.column.type == parquet::ValueType::Bytes)
            throw badInput(path + ": column '" + values.column.path + "' is not numeric");
        return std::forward<Values>(values);
    }

    std::vector<float> vectorAt(const RowAt &at, const LeRobotVector &vector)
    {
        const parquet::ColumnValues &values = column(at, leafColumn(*at.file, vector.key));
        return rowValues(values, at.row, vector, at.file->path());
    }

    // One row of a vector feature, checked against the width meta/info.json gives it.
    static std::vector<float> rowValues(const parquet::ColumnValues &values, std::int64_t row,
                                        const LeRobotVector &vector, const std::string &path)
    {
        const std::int64_t begin = values.rowOffsets[std::size_t(row)];
        const std::int64_t end = values.rowOffsets[std::size_t(row) + 1];
        if (end - begin != vector.width)
            throw badInput(path + ": " + vector.key + " has " + std::to_string(end - begin) +
                           " values in a row, meta/info.json gives it shape [" + std::to_string(vector.width) +
                           "]");
        numeric(values, path);
        std::vector<float> out(std::size_t(vector.width));
        for (std::int64_t e = begin; e < end; ++e) {
            if (!values.valid[std::size_t(e)] || (values.column.maxRepetition > 0 && values.rowIsNull[std::size_t(row)]))
                throw badInput(path + ": " + vector.key + " has a null value");
            out[std::size_t(e - begin)] = float(values.number(e));
        }
        return out;
    }

    // The leaf column that holds a vector feature: its list's element, or itself when scalar.
    std::string leafColumn(const parquet::ParquetFile &file, const std::string &key) const
    {
        const auto leaves = file.leavesOf(key);
        if (leaves.size() != 1)
            throw badInput(file.path() + ": " +
                           (leaves.empty() ? "has no column '" + key + "' (meta/info.json lists it)"
                                           : "column '" + key + "' is not a list of numbers"));
        return leaves.front()->path;
    }

    Track track(const LeRobotEpisode &e, const LeRobotVector &vector)
    {
        Track out;
        out.cols = vector.width;
        out.rows = e.length;
        out.values.reserve(std::size_t(e.length * vector.width));
        std::int64_t t = 0;
        while (t < e.length) {
            const RowAt at = locate(e, t);
            const parquet::ColumnValues &values = column(at, leafColumn(*at.file, vector.key));
            for (std::int64_t r = at.row; r < values.rows() && t < e.length; ++r, ++t) {
                const auto row = rowValues(values, r, vector, at.file->path());
                out.values.insert(out.values.end(), row.begin(), row.end());
            }
        }
        return out;
    }

    double timestampAt(const RowAt &at, std::int64_t t)
    {
        if (!at.file->findColumn("timestamp"))
            return double(t) / m_meta.fps; // LeRobot's frames are at frame_index / fps
        const parquet::ColumnValues &values = numeric(column(at, "timestamp"), at.file->path());
        if (!values.valid[std::size_t(at.row)])
            throw badInput(at.file->path() + ": timestamp is null");
        return values.number(at.row);
    }

    cv::Mat videoFrame(const LeRobotEpisode &e, std::size_t camera, double timestamp)
    {
        const LeRobotCamera &c = m_meta.cameras[camera];
        const std::string path = join(m_path, e.videoFiles[camera]);
        TimedVideo *video = nullptr;
        if (auto *open = m_videos.find(path)) {
            video = open->get();
        } else {
            std::error_code ec;
            if (!fs::exists(path, ec))
                throw badInput(path + ": missing (the video of " + c.key + " for " + e.key + ")");
            video = m_videos.insert(path, std::make_unique<TimedVideo>(path)).get();
            if (video->width() != c.width || video->height() != c.height)
                throw badInput(path + ": frames are " + std::to_string(video->width()) + "x" +
                               std::to_string(video->height()) + ", meta/info.json gives " + c.key + " as " +
                               std::to_string(c.width) + "x" + std::to_string(c.height));
        }
        // Half a frame either way: the nearest frame is the one meant.
        return video->frameAt(e.videoFrom[camera] + timestamp, 0.5 / m_meta.fps);
    }

    cv::Mat storedImage(const RowAt &at, const LeRobotCamera &camera)
    {
        const std::string leaf = camera.key + ".bytes";
        if (!at.file->findColumn(leaf))
            throw badInput(at.file->path() + ": has no column '" + leaf + "' (meta/info.json lists image " +
                           camera.key + ")");
        // Images are large: read just this row (pages before it are skipped), never cached.
        const parquet::ColumnValues bytes = at.file->read(at.rowGroup, leaf, at.row, at.row + 1);
        std::string encoded = bytes.valid[0] ? bytes.bytes[0] : std::string();
        if (encoded.empty()) {
            const std::string pathLeaf = camera.key + ".path";
            std::string relative;
            if (at.file->findColumn(pathLeaf)) {
                const auto paths = at.file->read(at.rowGroup, pathLeaf, at.row, at.row + 1);
                if (paths.valid[0])
                    relative = paths.bytes[0];
            }
            if (relative.empty())
                throw badInput(at.file->path() + ": image " + camera.key + " has neither bytes nor a path");
            const fs::path file = fs::path(relative).is_absolute() ? fs::path(relative) : m_path / fs::path(relative);
            std::ifstream in(file, std::ios::binary);
            if (!in)
                throw badInput(file.string() + ": missing (image " + camera.key + " of " + at.file->path() + ")");
            encoded.assign(std::istreambuf_iterator<char>(in), {});
        }
        const cv::Mat raw(1, int(encoded.size()), CV_8UC1, encoded.data());
        cv::Mat image = cv::imdecode(raw, cv::IMREAD_COLOR);
        if (image.empty())
            throw badInput(at.file->path() + ": image " + camera.key + " is not a readable PNG or JPEG");
        if (image.cols != camera.width || image.rows != camera.height)
            throw badInput(at.file->path() + ": image " + camera.key + " is " + std::to_string(image.cols) + "x" +
                           std::to_string(image.rows) + ", meta/info.json says " + std::to_string(camera.width) +
                           "x" + std::to_string(camera.height));
        cv::cvtColor(image, image, cv::COLOR_BGR2RGB);
        return image;
    }

    std::string m_path;
    LeRobotMeta m_meta;
    std::vector<EpisodeInfo> m_episodes;
    Lru<std::string, OpenParquet> m_parquets;
    Lru<std::string, parquet::ColumnValues> m_columns;
    Lru<std::string, std::unique_ptr<TimedVideo>> m_videos;
};

} // namespace

bool isLeRobotDataset(const std::string &folder)
{
    std::error_code ec;
    return fs::is_regular_file(fs::path(folder) / "meta" / "info.json", ec);
}

std::unique_ptr<EpisodeFile> openLeRobotDataset(const std::string &folder)
{
    return std::make_unique<LeRobotDataset>(folder);
}

} // namespace grids
