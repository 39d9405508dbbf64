#include "episodes/libero_hdf5_reader.h"

#include "common/error.h"
#include "episodes/hdf5_util.h"
#include "episodes/libero_layout.h"

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include <algorithm>
#include <filesystem>
#include <map>

namespace grids {
namespace {

using h5::Handle;

struct ViewDataset
{
    std::string name;
    int height = 0, width = 0;
};

// Where one demo's data lives; everything needed to read a frame without looking up names.
struct DemoLayout
{
    std::string group; // "data/demo_3"
    std::vector<std::string> viewPaths;
    std::vector<std::string> statePaths;
    std::vector<int> stateWidths;
    std::string actionsPath;
};

// Larger camera images than this are taken as a corrupt header rather than allocated.
constexpr std::uint64_t kMaxImageSide = 16384;
// Sizes no real episode has (ten million frames is days of control at 100 Hz): a file that
// declares them is refused before anything is allocated for it.
constexpr std::uint64_t kMaxFrames = 10'000'000, kMaxColumns = 4096;

bool isDemoName(const std::string &name)
{
    const std::string prefix = libero::kDemoPrefix;
    // At most 9 digits, so the number always fits and sorting never overflows.
    return name.size() > prefix.size() && name.size() <= prefix.size() + 9 &&
           name.compare(0, prefix.size(), prefix) == 0 &&
           std::all_of(name.begin() + std::ptrdiff_t(prefix.size()), name.end(),
                       [](unsigned char c) { return std::isdigit(c); });
}

long long demoNumber(const std::string &name)
{
    return std::stoll(name.substr(std::string(libero::kDemoPrefix).size()));
}

std::string fileName(const std::string &path)
{
    return std::filesystem::path(path).filename().string();
}

class LiberoHdf5File final : public EpisodeFile
{
public:
    explicit LiberoHdf5File(std::string path)
        : m_path(std::move(path))
    {
        open();
    }
    ~LiberoHdf5File() override
    {
        std::lock_guard lock(h5::libraryLock());
        m_openDatasets.clear();
        m_file.reset();
    }

    const std::string &path() const override { return m_path; }
    std::string format() const override { return "libero-hdf5"; }
    const std::vector<EpisodeInfo> &episodes() const override { return m_episodes; }

    Frame frame(std::size_t episode, std::int64_t t) override
    {
        checkFrame(episode, t);
        std::lock_guard lock(h5::libraryLock());
        const EpisodeInfo &info = m_episodes[episode];
        const DemoLayout &layout = m_layouts[episode];
        Frame out;
        out.index = t;
        out.instruction = info.instruction;
        for (std::size_t v = 0; v < info.views.size(); ++v) {
            cv::Mat image(info.views[v].height, info.views[v].width, CV_8UC3);
            readRows(layout.viewPaths[v], t, 1, H5T_NATIVE_UINT8, image.data);
            if (m_rotated)
                cv::rotate(image, image, cv::ROTATE_180);
            out.views.push_back(image);
        }
        for (std::size_t k = 0; k < layout.statePaths.size(); ++k) {
            std::vector<float> part(std::size_t(layout.stateWidths[k]));
            readRows(layout.statePaths[k], t, 1, H5T_NATIVE_FLOAT, part.data());
            out.state.insert(out.state.end(), part.begin(), part.end());
        }
        out.action.resize(std::size_t(info.actionDim));
        readRows(layout.actionsPath, t, 1, H5T_NATIVE_FLOAT, out.action.data());
        return out;
    }

    Track actions(std::size_t episode) override
    {
        checkFrame(episode, 0);
        std::lock_guard lock(h5::libraryLock());
        const EpisodeInfo &info = m_episodes[episode];
        Track track;
        track.rows = info.length;
        track.cols = info.actionDim;
        track.values.resize(std::size_t(track.rows) * std::size_t(track.cols));
        readRows(m_layouts[episode].actionsPath, 0, info.length, H5T_NATIVE_FLOAT,
                 track.values.data());
        return track;
    }

    std::optional<Track> lowDim(std::size_t episode, const std::string &key) override
    {
        checkFrame(episode, 0);
        std::lock_guard lock(h5::libraryLock());
        const EpisodeInfo &info = m_episodes[episode];
        const std::string path = m_layouts[episode].group + "/" + libero::kObsGroup + "/" + key;
        Track track;
        {
            Handle obs =
                h5::openGroup(m_file.get(), m_layouts[episode].group + "/" + libero::kObsGroup);
            Handle ds = obs ? h5::openDataset(obs.get(), key) : Handle();
            if (!ds)
                return std::nullopt;
            const auto shape = h5::shapeOf(ds.get());
            if (shape.size() != 2 || !h5::isNumeric(ds.get()) ||
                std::int64_t(shape[0]) != info.length)
                fail(path + " is not a numeric table with one row per frame");
            track.cols = int(shape[1]);
        }
        track.rows = info.length;
        track.values.resize(std::size_t(track.rows) * std::size_t(track.cols));
        readRows(path, 0, info.length, H5T_NATIVE_FLOAT, track.values.data());
        return track;
    }

private:
    [[noreturn]] void fail(const std::string &what) const
    {
        throw badInput(what + " of " + fileName(m_path));
    }

    void open()
    {
        std::lock_guard lock(h5::libraryLock());
        h5::silenceErrorStack();
        if (H5Fis_hdf5(m_path.c_str()) <= 0)
            throw badInput(m_path + ": not a readable HDF5 file (truncated or corrupt?)");
        m_file = Handle(H5Fopen(m_path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), &H5Fclose);
        if (!m_file)
            throw badInput(m_path + ": HDF5 file cannot be opened (truncated or corrupt?)");

        Handle data = h5::openGroup(m_file.get(), libero::kDataGroup);
        if (!data)
            throw badInput(m_path + ": no /data group (not a LIBERO/robomimic demonstration file)");

        m_rotated = H5Aexists(data.get(), libero::kProblemInfo) > 0 ||
                    H5Aexists(data.get(), libero::kBddlFile) > 0;
        const std::string fileInstruction = instructionFromProblemInfo(data.get());

        std::vector<std::string> demos;
        for (const auto &name : h5::childNames(data.get()))
            if (isDemoName(name))
                demos.push_back(name);
        if (demos.empty())
            throw badInput(m_path + ": no demo_<i> groups in /data");
        std::sort(demos.begin(), demos.end(), [](const std::string &a, const std::string &b) {
            return demoNumber(a) < demoNumber(b);
        });

        for (const auto &demo : demos)
            readDemo(data.get(), demo, fileInstruction);
    }

    std::string instructionFromProblemInfo(hid_t data) const
    {
        const auto info = h5::stringAttribute(data, libero::kProblemInfo);
        if (!info)
            return {};
        const auto json = nlohmann::json::parse(*info, nullptr, /*allow_exceptions=*/false);
        if (json.is_discarded() || !json.is_object())
            throw badInput(m_path + ": /data attribute problem_info is not a JSON object");
        const auto it = json.find("language_instruction");
        return it != json.end() && it->is_string() ? it->get<std::string>() : std::string();
    }

    void readDemo(hid_t data, const std::string &demo, const std::string &fileInstruction)
    {
        const std::string group = std::string(libero::kDataGroup) + "/" + demo;
        Handle demoGroup = h5::openGroup(data, demo);
        if (!demoGroup)
            fail(group + " is not a group");

        EpisodeInfo info;
        DemoLayout layout;
        info.key = demo;
        layout.group = group;

        Handle actions = h5::openDataset(demoGroup.get(), libero::kActions);
        if (!actions)
            fail("actions missing in " + group);
        const auto actionShape = h5::shapeOf(actions.get());
        if (actionShape.size() != 2 || !h5::isNumeric(actions.get()) || actionShape[1] == 0)
            fail(group + "/actions is not a numeric (T, A) table");
        if (actionShape[0] > kMaxFrames || actionShape[1] > kMaxColumns)
            fail(group + "/actions declares " + std::to_string(actionShape[0]) + " × " +
                 std::to_string(actionShape[1]) + " values (at most " +
                 std::to_string(kMaxFrames) + " frames of " + std::to_string(kMaxColumns) +
                 " are read)");
        info.length = std::int64_t(actionShape[0]);
        info.actionDim = int(actionShape[1]);
        layout.actionsPath = group + "/" + libero::kActions;
        if (info.length == 0)
            fail(group + " has no frames (actions has 0 rows)");

        Handle obs = h5::openGroup(demoGroup.get(), libero::kObsGroup);
        if (!obs)
            fail("obs group missing in " + group);
        const std::string obsPath = group + "/" + libero::kObsGroup;

        readViews(obs.get(), obsPath, info, layout);
        readState(obs.get(), obsPath, info, layout);

        if (auto own = h5::stringAttribute(demoGroup.get(), libero::kDemoInstruction))
            info.instruction = *own;
        else
            info.instruction = fileInstruction;
        if (auto success = h5::integerAttribute(demoGroup.get(), libero::kDemoSuccess))
            info.success = *success != 0;

        m_episodes.push_back(std::move(info));
        m_layouts.push_back(std::move(layout));
    }

    void readViews(hid_t obs, const std::string &obsPath, EpisodeInfo &info, DemoLayout &layout)
    {
        std::vector<ViewDataset> found;
        for (const auto &name : h5::childNames(obs)) {
            Handle ds = h5::openDataset(obs, name);
            if (!ds)
                continue;
            const auto shape = h5::shapeOf(ds.get());
            if (shape.size() == 4 && shape[3] == 3 && h5::isUint8(ds.get())) {
                if (shape[1] < 1 || shape[2] < 1 || shape[1] > kMaxImageSide ||
                    shape[2] > kMaxImageSide)
                    fail(obsPath + "/" + name + " has an implausible image size " +
                         std::to_string(shape[2]) + "x" + std::to_string(shape[1]));
                if (std::int64_t(shape[0]) != info.length)
                    fail(obsPath + "/" + name + " has " + std::to_string(shape[0]) +
                         " frames but actions has " + std::to_string(info.length));
                found.push_back({name, int(shape[1]), int(shape[2])});
            }
        }
        // The first demo decides the views; every later demo must have the same cameras.
        if (!m_episodes.empty()) {
            for (const auto &view : m_episodes.front().views) {
                const auto it = std::find_if(found.begin(), found.end(), [&](const ViewDataset &d) {
                    return d.name == view.name;
                });
                if (it == found.end())
                    fail(view.name + " missing in " + obsPath);
                info.views.push_back({it->name, it->width, it->height});
                layout.viewPaths.push_back(obsPath + "/" + it->name);
            }
            return;
        }
        if (found.empty())
            fail("no camera dataset (T, H, W, 3 uint8, e.g. agentview_rgb) in " + obsPath);
        auto rank = [](const std::string &name) {
            const auto &preferred = libero::kPreferredViews;
            return std::size_t(std::find(preferred.begin(), preferred.end(), name) -
                               preferred.begin());
        };
        std::sort(found.begin(), found.end(), [&](const ViewDataset &a, const ViewDataset &b) {
            return rank(a.name) != rank(b.name) ? rank(a.name) < rank(b.name) : a.name < b.name;
        });
        for (const auto &d : found) {
            info.views.push_back({d.name, d.width, d.height});
            layout.viewPaths.push_back(obsPath + "/" + d.name);
        }
    }

    void readState(hid_t obs, const std::string &obsPath, EpisodeInfo &info, DemoLayout &layout)
    {
        for (const auto &keys : libero::kStateKeySets) {
            std::vector<int> widths;
            for (const auto &key : keys) {
                Handle ds = h5::openDataset(obs, key);
                if (!ds)
                    break;
                const auto shape = h5::shapeOf(ds.get());
                if (shape.size() != 2 || !h5::isNumeric(ds.get()))
                    fail(obsPath + "/" + key + " is not a numeric (T, D) table");
                if (shape[1] > kMaxColumns)
                    fail(obsPath + "/" + key + " declares " + std::to_string(shape[1]) +
                         " columns (at most " + std::to_string(kMaxColumns) + " are read)");
                if (std::int64_t(shape[0]) != info.length)
                    fail(obsPath + "/" + key + " has " + std::to_string(shape[0]) +
                         " rows but actions has " + std::to_string(info.length));
                widths.push_back(int(shape[1]));
            }
            if (widths.size() != keys.size())
                continue;
            info.stateKeys = keys;
            for (std::size_t k = 0; k < keys.size(); ++k) {
                layout.statePaths.push_back(obsPath + "/" + keys[k]);
                layout.stateWidths.push_back(widths[k]);
                info.stateDim += widths[k];
            }
            return;
        }
    }

    // Reads rows [first, first + count) of a dataset whose first axis is time.
    void readRows(const std::string &datasetPath,
                  std::int64_t first,
                  std::int64_t count,
                  hid_t memType,
                  void *out) const
    {
        const hid_t ds = dataset(datasetPath);
        Handle space(H5Dget_space(ds), &H5Sclose);
        const int rank = H5Sget_simple_extent_ndims(space.get());
        std::vector<hsize_t> dims(std::size_t(std::max(rank, 0)));
        H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
        std::vector<hsize_t> start(dims.size(), 0), extent = dims;
        start[0] = hsize_t(first);
        extent[0] = hsize_t(count);
        H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start.data(), nullptr, extent.data(),
                            nullptr);
        Handle memSpace(H5Screate_simple(rank, extent.data(), nullptr), &H5Sclose);
        if (H5Dread(ds, memType, memSpace.get(), space.get(), H5P_DEFAULT, out) < 0)
            fail("cannot read rows " + std::to_string(first) + ".." +
                 std::to_string(first + count - 1) + " of " + datasetPath +
                 " (truncated or corrupt?)");
    }

    // Datasets stay open after their first read: playback reads the same few datasets every frame.
    hid_t dataset(const std::string &datasetPath) const
    {
        auto it = m_openDatasets.find(datasetPath);
        if (it == m_openDatasets.end()) {
            Handle ds(H5Dopen2(m_file.get(), datasetPath.c_str(), H5P_DEFAULT), &H5Dclose);
            if (!ds)
                fail("cannot open " + datasetPath);
            it = m_openDatasets.emplace(datasetPath, std::move(ds)).first;
        }
        return it->second.get();
    }

    std::string m_path;
    Handle m_file;
    mutable std::map<std::string, Handle> m_openDatasets;
    bool m_rotated = false;
    std::vector<EpisodeInfo> m_episodes;
    std::vector<DemoLayout> m_layouts; // parallel to m_episodes
};

} // namespace

std::unique_ptr<EpisodeFile> openLiberoHdf5(const std::string &path)
{
    return std::make_unique<LiberoHdf5File>(path);
}

} // namespace grids
