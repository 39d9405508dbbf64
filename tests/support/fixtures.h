#pragma once

// Test fixtures made on the fly: small LIBERO files written by our writer, videos made by the
// ffmpeg command. Content is a deterministic function of (view, frame, x, y, channel) so a test
// can check any pixel it reads back, including whether it came back upright.

#include "common/error.h"
#include "episodes/libero_hdf5_writer.h"

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace fixtures {

inline const char *const kInstruction = "put the red cube in the blue bowl";

std::uint8_t pixel(int view, std::int64_t t, int x, int y, int channel);
// Upright RGB frame filled with pixel().
cv::Mat uprightFrame(int view, std::int64_t t, int width, int height);
float actionValue(int demo, std::int64_t t, int dim);
float stateValue(int demo, std::int64_t t, int dim);

// A two-view demo (agentview_rgb, eye_in_hand_rgb) with 7-D actions and LIBERO's 8-D state.
grids::DemoRecord makeDemo(int demo, int length, int width = 16, int height = 12);

// Writes a LIBERO-layout file with one demo per entry of `lengths`.
void writeLiberoFile(const std::string &path,
                     const std::vector<int> &lengths,
                     const std::string &instruction = kInstruction);

// Makes a video with the ffmpeg command (H.264 in MP4 unless the extension says otherwise),
// `frames` frames of a moving test pattern at 30 fps, with a sine audio track when `audio`.
// Fails the calling test (QVERIFY) when ffmpeg fails; returns false then.
bool makeVideo(const QString &path, int width, int height, int frames, bool audio);

// Runs `action` and returns the message of the grids::Error it throws (empty when none), storing
// the error's kind in `kind` and the setting it names in `setting` when given.
QString errorOf(const std::function<void()> &action,
                grids::Error::Kind *kind = nullptr,
                std::string *setting = nullptr);

// Runs a program to its end (killed after two minutes, which counts as a crash).
struct ProcessResult
{
    int code = -1;
    bool crashed = false;
    QString out, err;
};
ProcessResult runProcess(const QString &program, const QStringList &arguments);

// Runs tests/python/`script` with Debian's python3 (h5py and torch), waiting up to two minutes.
struct PythonRun
{
    bool ok = false; // exited normally with status 0
    QByteArray out, err;
};
PythonRun runPythonScript(const QString &script, const QStringList &arguments);

// Runs tests/parquet_writers/`script` with Node.js (the independent Parquet writers that
// installer/install-deps.sh installs there), waiting up to two minutes.
PythonRun runNodeScript(const QString &script, const QStringList &arguments);

// LeRobot datasets made by tests/parquet_writers/make_lerobot_dataset.mjs (parquet by DuckDB,
// mp4 by ffmpeg: H.264 for v2.1, AV1 for v3.0). The formulas mirror the script's.
namespace lerobot {
inline const int kLengths[3] = {12, 9, 15};
inline const char *const kTasks[3] = {"pick up the red cube", "open the top drawer",
                                      "push the plate to the left"};
inline const char *const kTop = "observation.images.top";     // video, 96x64
inline const char *const kWrist = "observation.images.wrist"; // video, 64x64
inline const char *const kSide = "observation.images.side";   // PNG in the parquet (v2.1), 32x24
// The colour of a video camera's left or right half at frame t of episode e (camera 0 top, 1 wrist).
cv::Vec3b videoColour(int camera, int episode, int t, bool leftHalf);
// A pixel of an image camera stored as PNG (camera 2 side; 3 image and 4 wrist_image with --openpi).
cv::Vec3b imagePixel(int camera, int episode, int t, int x, int y);
float state(int episode, int t, int d);
float action(int episode, int t, int d);
// Writes the dataset into `dir` (version "v2.1" or "v3.0"); `extra` passes more options to the
// script (--episodes N --length L). Fails the calling test when the script fails.
bool makeDataset(const QString &dir, const QString &version, const QStringList &extra = {});
// A v2.1 and a v3.0 dataset, made once per test process into a folder that lives until it ends.
struct Datasets
{
    bool ok = false;
    QString v21, v30;
};
const Datasets &datasets();
} // namespace lerobot

// The reference policy server (app/policy_server/grids_policy_server.py) serving a checkpoint on
// 127.0.0.1 at a free port, for as long as the object lives. `fault` makes it misbehave on purpose
// (garbage, no-actions, slow, die-after:N); `extra` adds options (--openpi-only).
class PolicyServer
{
public:
    explicit PolicyServer(const QString &checkpoint, const QString &fault = "none",
                          const QStringList &extra = {});
    ~PolicyServer();
    bool ok() const { return !m_url.isEmpty(); }
    QString url() const { return m_url; } // ws://127.0.0.1:PORT
    QByteArray errors() const { return m_errors; }

private:
    std::unique_ptr<QProcess> m_process;
    QString m_url;
    QByteArray m_errors;
};

// The contract checkpoints of tests/python/make_contract_checkpoints.py (contract_grids.pt,
// contract_dense.pt, expected.json, …), written once per test process into a temporary folder
// that lives until the process ends. `error` holds Python's stderr when writing them failed.
struct ContractCheckpoints
{
    bool ok = false;
    QByteArray error;
    QString dir;
    QString path(const QString &name) const { return dir + QLatin1Char('/') + name; }
};
const ContractCheckpoints &contractCheckpoints();

// Writes arbitrary bytes (corrupt-file fixtures).
void writeBytes(const std::string &path, const std::string &bytes);
std::string randomBytes(std::size_t n, unsigned seed);

} // namespace fixtures
