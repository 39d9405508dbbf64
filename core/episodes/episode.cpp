#include "episodes/episode.h"

#include "common/error.h"
#include "episodes/hdf5_check.h"
#include "episodes/lerobot_dataset.h"
#include "episodes/libero_hdf5_reader.h"
#include "episodes/video_reader.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

namespace fs = std::filesystem;

namespace grids {
namespace {

std::string lowerExtension(const std::string &path)
{
    std::string ext = fs::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return ext;
}

bool hasHdf5Signature(const std::string &path)
{
    // HDF5 files start with this signature (at offset 0 for every file HDF5 writes by default).
    static const char signature[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
    std::ifstream in(path, std::ios::binary);
    char head[8] = {};
    in.read(head, 8);
    return in.gcount() == 8 && std::memcmp(head, signature, 8) == 0;
}

bool isHdf5Extension(const std::string &ext)
{
    return ext == ".hdf5" || ext == ".h5" || ext == ".he5";
}

bool isVideoExtension(const std::string &ext)
{
    static const char *videos[] = {".mp4", ".m4v",  ".mov", ".avi",
                                   ".mkv", ".webm", ".mpg", ".mpeg"};
    return std::any_of(std::begin(videos), std::end(videos),
                       [&](const char *v) { return ext == v; });
}

} // namespace

std::size_t EpisodeFile::indexOf(const std::string &key) const
{
    const auto &list = episodes();
    for (std::size_t i = 0; i < list.size(); ++i)
        if (list[i].key == key)
            return i;
    throw usageError(path() + ": no episode '" + key + "' (it has " + std::to_string(list.size()) +
                     " episodes, first '" + (list.empty() ? std::string() : list.front().key) +
                     "')");
}

void EpisodeFile::checkFrame(std::size_t episode, std::int64_t t) const
{
    const auto &list = episodes();
    if (episode >= list.size())
        throw usageError(path() + ": episode index " + std::to_string(episode) + " out of range");
    if (t < 0 || t >= list[episode].length)
        throw usageError(path() + ": frame " + std::to_string(t) + " outside " + list[episode].key +
                         " (0.." + std::to_string(list[episode].length - 1) + ")");
}

bool looksLikeEpisodeFile(const std::string &path)
{
    const std::string ext = lowerExtension(path);
    return isHdf5Extension(ext) || isVideoExtension(ext);
}

namespace {

// openEpisodeFile for a file whose HDF5 (if it is one) the helper has read.
std::unique_ptr<EpisodeFile> openCheckedEpisodeFile(const std::string &path)
{
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw badInput(path + ": no such file");
    if (fs::is_directory(path, ec)) {
        if (isLeRobotDataset(path))
            return openLeRobotDataset(path);
        throw badInput(path + ": is a folder, not an episode file (nor a LeRobot dataset: no meta/info.json)");
    }
    const std::string ext = lowerExtension(path);
    if (hasHdf5Signature(path))
        return openLiberoHdf5(path);
    if (isHdf5Extension(ext))
        throw badInput(path + ": not an HDF5 file (no HDF5 signature; truncated or corrupt?)");
    if (isVideoExtension(ext))
        return openVideoEpisode(path);
    throw badInput(path + ": unknown episode format (expected .hdf5/.h5 or a video such as .mp4)");
}

} // namespace

std::unique_ptr<EpisodeFile> openEpisodeFile(const std::string &path)
{
    std::error_code ec;
    if (fs::is_regular_file(path, ec) && hasHdf5Signature(path))
        checkHdf5InHelper(path);
    return openCheckedEpisodeFile(path);
}

OpenedEpisodes openEpisodes(const std::string &path)
{
    OpenedEpisodes opened;
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw badInput(path + ": no such file or folder");
    if (!fs::is_directory(path, ec) || isLeRobotDataset(path)) {
        opened.files.push_back(openEpisodeFile(path));
        return opened;
    }
    std::vector<std::string> candidates;
    for (const auto &entry : fs::directory_iterator(path, ec))
        if (entry.is_regular_file() && looksLikeEpisodeFile(entry.path().string()))
            candidates.push_back(entry.path().string());
    if (ec)
        throw badInput(path + ": cannot list folder (" + ec.message() + ")");
    if (candidates.empty())
        throw badInput(path + ": folder holds no episode files (.hdf5, .h5, .mp4, …)");
    std::sort(candidates.begin(), candidates.end());
    std::vector<std::string> hdf5Files;
    for (const auto &file : candidates)
        if (hasHdf5Signature(file))
            hdf5Files.push_back(file);
    // One helper reads every HDF5 file first (episodes/hdf5_check.h).
    const std::vector<std::string> refusals = checkHdf5FilesInHelper(hdf5Files);
    std::map<std::string, std::string> refusalOf;
    for (std::size_t i = 0; i < hdf5Files.size(); ++i)
        refusalOf[hdf5Files[i]] = refusals[i];
    for (const auto &file : candidates) {
        if (const auto it = refusalOf.find(file); it != refusalOf.end() && !it->second.empty()) {
            opened.errors.push_back(it->second);
            continue;
        }
        try {
            opened.files.push_back(openCheckedEpisodeFile(file));
        } catch (const Error &e) {
            opened.errors.push_back(e.what());
        }
    }
    return opened;
}

} // namespace grids
