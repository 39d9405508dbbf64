#include "episodes/libero_hdf5_writer.h"

#include "common/error.h"
#include "episodes/hdf5_util.h"
#include "episodes/libero_layout.h"

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include <cstdio>
#include <filesystem>

namespace grids {

using h5::Handle;

struct LiberoHdf5Writer::Impl
{
    std::string path;
    std::string partialPath;
    LiberoFileAttributes attributes;
    Handle file;
    Handle groupProps; // group creation properties (no timestamps)
    Handle data;
    int demos = 0;
    std::int64_t totalSamples = 0;
    bool finished = false;

    [[noreturn]] void fail(const std::string &what) const
    {
        throw Error(Error::Kind::Other, partialPath + ": " + what);
    }

    void check(herr_t status, const std::string &what) const
    {
        if (status < 0)
            fail("HDF5 write failed: " + what);
    }

    // Writes a whole dataset; `dims` is its shape, `chunk` its chunk shape (empty = contiguous).
    void writeDataset(hid_t group,
                      const std::string &name,
                      const std::vector<hsize_t> &dims,
                      const std::vector<hsize_t> &chunk,
                      hid_t fileType,
                      hid_t memType,
                      const void *values,
                      int gzip)
    {
        Handle space(H5Screate_simple(int(dims.size()), dims.data(), nullptr), &H5Sclose);
        Handle props(H5Pcreate(H5P_DATASET_CREATE), &H5Pclose);
        // No modification times in object headers: the same content gives the same file bytes.
        check(H5Pset_obj_track_times(props.get(), false), name);
        if (!chunk.empty()) {
            check(H5Pset_chunk(props.get(), int(chunk.size()), chunk.data()), name);
            if (gzip > 0)
                check(H5Pset_deflate(props.get(), unsigned(gzip)), name);
        }
        Handle ds(H5Dcreate2(group, name.c_str(), fileType, space.get(), H5P_DEFAULT, props.get(),
                             H5P_DEFAULT),
                  &H5Dclose);
        if (!ds)
            fail("cannot create dataset " + name);
        check(H5Dwrite(ds.get(), memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, values), name);
    }

    void writeTrack(hid_t group, const std::string &name, const Track &track)
    {
        std::vector<double> values(track.values.begin(), track.values.end());
        writeDataset(group, name, {hsize_t(track.rows), hsize_t(track.cols)}, {}, H5T_IEEE_F64LE,
                     H5T_NATIVE_DOUBLE, values.data(), 0);
    }

    void writeVector(hid_t group, const std::string &name, const std::vector<float> &v)
    {
        std::vector<double> values(v.begin(), v.end());
        writeDataset(group, name, {hsize_t(v.size())}, {}, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                     values.data(), 0);
    }
};

LiberoHdf5Writer::LiberoHdf5Writer(std::string path, LiberoFileAttributes attributes)
    : m_impl(std::make_unique<Impl>())
{
    m_impl->path = std::move(path);
    m_impl->partialPath = m_impl->path + ".partial";
    m_impl->attributes = std::move(attributes);
    std::lock_guard lock(h5::libraryLock());
    h5::silenceErrorStack();
    m_impl->file = Handle(
        H5Fcreate(m_impl->partialPath.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), &H5Fclose);
    if (!m_impl->file)
        throw Error(Error::Kind::Other, m_impl->partialPath + ": cannot create HDF5 file");
    m_impl->groupProps = Handle(H5Pcreate(H5P_GROUP_CREATE), &H5Pclose);
    H5Pset_obj_track_times(m_impl->groupProps.get(), false);
    m_impl->data = Handle(H5Gcreate2(m_impl->file.get(), libero::kDataGroup, H5P_DEFAULT,
                                     m_impl->groupProps.get(), H5P_DEFAULT),
                          &H5Gclose);
}

LiberoHdf5Writer::~LiberoHdf5Writer()
{
    if (m_impl->finished)
        return;
    std::lock_guard lock(h5::libraryLock());
    m_impl->data.reset();
    m_impl->file.reset();
    std::remove(m_impl->partialPath.c_str());
}

int LiberoHdf5Writer::demoCount() const
{
    return m_impl->demos;
}

void LiberoHdf5Writer::addDemo(const DemoRecord &demo)
{
    Impl &d = *m_impl;
    const std::int64_t T = demo.actions.rows;
    if (T <= 0 || demo.actions.cols <= 0 ||
        demo.actions.values.size() != std::size_t(T) * std::size_t(demo.actions.cols))
        throw usageError(d.path + ": demo actions must be a non-empty T×A table");
    if (demo.viewNames.empty() || demo.viewNames.size() != demo.frames.size())
        throw usageError(d.path + ": a demo needs at least one named camera view");
    for (std::size_t v = 0; v < demo.frames.size(); ++v) {
        if (std::int64_t(demo.frames[v].size()) != T)
            throw usageError(d.path + ": view " + demo.viewNames[v] + " has " +
                             std::to_string(demo.frames[v].size()) + " frames, actions " +
                             std::to_string(T));
        for (const auto &f : demo.frames[v])
            if (f.type() != CV_8UC3 || f.size() != demo.frames[v].front().size())
                throw usageError(d.path + ": view " + demo.viewNames[v] +
                                 " frames must all be 8-bit RGB of one size");
    }
    for (const auto &[name, track] : demo.lowDim)
        if (track.rows != T)
            throw usageError(d.path + ": obs " + name + " has " + std::to_string(track.rows) +
                             " rows, actions " + std::to_string(T));

    std::lock_guard lock(h5::libraryLock());
    const std::string name = libero::kDemoPrefix + std::to_string(d.demos);
    Handle group(
        H5Gcreate2(d.data.get(), name.c_str(), H5P_DEFAULT, d.groupProps.get(), H5P_DEFAULT),
        &H5Gclose);
    if (!group)
        d.fail("cannot create group data/" + name);
    Handle obs(
        H5Gcreate2(group.get(), libero::kObsGroup, H5P_DEFAULT, d.groupProps.get(), H5P_DEFAULT),
        &H5Gclose);

    for (std::size_t v = 0; v < demo.frames.size(); ++v) {
        const cv::Size size = demo.frames[v].front().size();
        const std::size_t frameBytes = std::size_t(size.area()) * 3;
        std::vector<std::uint8_t> pixels(frameBytes * std::size_t(T));
        for (std::int64_t t = 0; t < T; ++t) {
            // LIBERO stores frames rotated by 180°; write them the same way.
            cv::Mat stored(size, CV_8UC3, pixels.data() + frameBytes * std::size_t(t));
            cv::rotate(demo.frames[v][std::size_t(t)], stored, cv::ROTATE_180);
        }
        const hsize_t H = hsize_t(size.height), W = hsize_t(size.width);
        d.writeDataset(obs.get(), demo.viewNames[v], {hsize_t(T), H, W, 3}, {1, H, W, 3},
                       H5T_STD_U8LE, H5T_NATIVE_UINT8, pixels.data(),
                       d.attributes.compressionLevel);
    }
    for (const auto &[key, track] : demo.lowDim)
        d.writeTrack(obs.get(), key, track);
    d.writeTrack(group.get(), libero::kActions, demo.actions);
    if (!demo.rewards.empty())
        d.writeVector(group.get(), libero::kRewards, demo.rewards);
    if (!demo.dones.empty())
        d.writeVector(group.get(), libero::kDones, demo.dones);

    h5::writeIntegerAttribute(group.get(), libero::kNumSamples, T);
    if (!demo.instruction.empty() && demo.instruction != d.attributes.instruction)
        h5::writeStringAttribute(group.get(), libero::kDemoInstruction, demo.instruction);
    if (demo.success)
        h5::writeIntegerAttribute(group.get(), libero::kDemoSuccess, *demo.success ? 1 : 0);
    ++d.demos;
    d.totalSamples += T;
}

void LiberoHdf5Writer::finish()
{
    Impl &d = *m_impl;
    if (d.finished)
        return;
    {
        std::lock_guard lock(h5::libraryLock());
        nlohmann::json problem = {{"problem_name", d.attributes.problemName},
                                  {"domain_name", "grids_tabletop"},
                                  {"language_instruction", d.attributes.instruction}};
        h5::writeStringAttribute(d.data.get(), libero::kProblemInfo, problem.dump());
        h5::writeStringAttribute(d.data.get(), libero::kEnvArgs, d.attributes.envArgs);
        h5::writeStringAttribute(d.data.get(), libero::kBddlFile, d.attributes.bddlFileName);
        h5::writeIntegerAttribute(d.data.get(), libero::kTotal, d.totalSamples);
        d.data.reset();
        d.check(H5Fflush(d.file.get(), H5F_SCOPE_GLOBAL), "flush");
        d.file.reset();
    }
    std::error_code ec;
    std::filesystem::rename(d.partialPath, d.path, ec);
    if (ec)
        d.fail("cannot rename onto " + d.path + " (" + ec.message() + ")");
    d.finished = true;
}

} // namespace grids
