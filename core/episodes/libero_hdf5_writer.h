#pragma once

#include "episodes/episode.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace grids {

// One demonstration to write: views upright RGB (CV_8UC3, all frames of a view the same size),
// actions T×A, low-dim observations (ee_pos, ee_ori, gripper_states, …) T×D each.
struct DemoRecord
{
    std::vector<std::string> viewNames;
    std::vector<std::vector<cv::Mat>> frames; // [view][t]
    Track actions;
    std::vector<std::pair<std::string, Track>> lowDim;
    std::vector<float> rewards; // optional, T
    std::vector<float> dones;   // optional, T
    std::string instruction;    // written as the demo's attribute when it differs from the file's
    std::optional<bool> success;
};

struct LiberoFileAttributes
{
    std::string instruction;    // problem_info's language_instruction
    std::string problemName;    // problem_info's problem_name
    std::string envArgs = "{}"; // env_args (JSON)
    std::string bddlFileName;   // bddl_file_name
    int compressionLevel = 4;   // gzip level for camera datasets (0 = none)
};

// Writes the LIBERO / robomimic HDF5 layout of DATA.md, frames rotated by 180° as LIBERO stores
// them, so the files open in any LIBERO loader. Writes to "<path>.partial" and renames it onto
// `path` in finish(); a writer destroyed before finish() removes the partial file, so an
// interrupted job never leaves a half-written file under the final name.
class LiberoHdf5Writer
{
public:
    LiberoHdf5Writer(std::string path, LiberoFileAttributes attributes);
    ~LiberoHdf5Writer();
    LiberoHdf5Writer(const LiberoHdf5Writer &) = delete;
    LiberoHdf5Writer &operator=(const LiberoHdf5Writer &) = delete;

    // Appends demo_<n> (n counts from 0). Throws Error{Usage} for inconsistent shapes.
    void addDemo(const DemoRecord &demo);
    int demoCount() const;
    // Writes the file-level attributes (total, …), closes and renames into place.
    void finish();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace grids
