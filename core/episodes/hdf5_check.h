#pragma once

#include <string>
#include <vector>

namespace grids {

// Debian 12's libhdf5 (1.10.8) can crash, spin forever or allocate gigabytes on a damaged file
// before it returns an error our code could report (docs/FUZZING.md, "Upstream"). So HDF5
// episode files are first read in a separate process, the helper grids-hdf5-check, which does
// what opening a file and a first look at its episodes do (readLiberoHdf5Structure). Its crash,
// hang or refusal becomes this process's one-line Error{BadInput} naming the file; only a file
// the helper read whole is opened here.
//
// The helper is looked for next to the running program, then where the build puts it; where
// there is none (a partial install) files are opened in this process as before. It gets
// GRIDS_HDF5_CHECK_SECONDS (default 60) of wall time per file before it is killed, and half the
// system's memory. One helper reads a folder's files in turn (it takes a fifth of a second to
// start); after a crash the next one goes on with the file after.
void checkHdf5InHelper(const std::string &path); // throws Error{BadInput}

// The same for several files: each file's refusal (one line naming it), or empty where it was
// read (or where there is no helper).
std::vector<std::string> checkHdf5FilesInHelper(const std::vector<std::string> &paths);

// The helper's work, in this process: opens the file as the LIBERO reader does and reads each
// episode's first and last frame and its actions. Throws Error{BadInput} as the reader does.
void readLiberoHdf5Structure(const std::string &path);

// The helper's path, or empty where there is none.
std::string hdf5CheckHelperPath();

} // namespace grids
