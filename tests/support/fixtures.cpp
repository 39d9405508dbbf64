#include "fixtures.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <random>

namespace fixtures {

std::uint8_t pixel(int view, std::int64_t t, int x, int y, int channel)
{
    return std::uint8_t((x * 7 + y * 13 + t * 5 + view * 50 + channel * 80) % 256);
}

cv::Mat uprightFrame(int view, std::int64_t t, int width, int height)
{
    cv::Mat frame(height, width, CV_8UC3);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            for (int c = 0; c < 3; ++c)
                frame.at<cv::Vec3b>(y, x)[c] = pixel(view, t, x, y, c);
    return frame;
}

float actionValue(int demo, std::int64_t t, int dim)
{
    return float(demo) + 0.01f * float(t) - 0.1f * float(dim);
}

float stateValue(int demo, std::int64_t t, int dim)
{
    return 0.5f * float(demo) + 0.02f * float(t) + float(dim);
}

namespace {
grids::Track
table(int demo, int length, int cols, int offset, float (*value)(int, std::int64_t, int))
{
    grids::Track track;
    track.rows = length;
    track.cols = cols;
    for (int t = 0; t < length; ++t)
        for (int d = 0; d < cols; ++d)
            track.values.push_back(value(demo, t, offset + d));
    return track;
}
} // namespace

grids::DemoRecord makeDemo(int demo, int length, int width, int height)
{
    grids::DemoRecord record;
    record.viewNames = {"agentview_rgb", "eye_in_hand_rgb"};
    record.frames.resize(2);
    for (int v = 0; v < 2; ++v)
        for (int t = 0; t < length; ++t)
            record.frames[std::size_t(v)].push_back(uprightFrame(v, t, width, height));
    record.actions = table(demo, length, 7, 0, actionValue);
    record.lowDim = {{"ee_pos", table(demo, length, 3, 0, stateValue)},
                     {"ee_ori", table(demo, length, 3, 3, stateValue)},
                     {"gripper_states", table(demo, length, 2, 6, stateValue)}};
    record.rewards.assign(std::size_t(length), 0.0f);
    record.rewards.back() = 1.0f;
    record.dones = record.rewards;
    return record;
}

void writeLiberoFile(const std::string &path,
                     const std::vector<int> &lengths,
                     const std::string &instruction)
{
    grids::LiberoFileAttributes attributes;
    attributes.instruction = instruction;
    attributes.problemName = "fixture";
    attributes.bddlFileName = "fixture.bddl";
    grids::LiberoHdf5Writer writer(path, attributes);
    for (std::size_t i = 0; i < lengths.size(); ++i)
        writer.addDemo(makeDemo(int(i), lengths[i]));
    writer.finish();
}

bool makeVideo(const QString &path, int width, int height, int frames, bool audio)
{
    const double seconds = frames / 30.0;
    QStringList args = {"-y",
                        "-loglevel",
                        "error",
                        "-f",
                        "lavfi",
                        "-i",
                        QStringLiteral("testsrc2=size=%1x%2:rate=30:duration=%3")
                            .arg(width)
                            .arg(height)
                            .arg(seconds, 0, 'f', 4)};
    if (audio)
        args << "-f"
             << "lavfi"
             << "-i" << QStringLiteral("sine=frequency=440:duration=%1").arg(seconds, 0, 'f', 4);
    if (path.endsWith(".mp4"))
        args << "-c:v"
             << "libx264"
             << "-pix_fmt"
             << "yuv420p";
    if (audio)
        args << "-c:a"
             << "aac";
    args << "-frames:v" << QString::number(frames) << path;
    QProcess ffmpeg;
    ffmpeg.start(GRIDS_FFMPEG, args);
    const bool ok = ffmpeg.waitForFinished(120000) && ffmpeg.exitStatus() == QProcess::NormalExit &&
                    ffmpeg.exitCode() == 0;
    if (!ok)
        qWarning() << "ffmpeg failed:" << ffmpeg.readAllStandardError();
    return ok;
}

QString errorOf(const std::function<void()> &action, grids::Error::Kind *kind, std::string *setting)
{
    try {
        action();
    } catch (const grids::Error &e) {
        if (kind)
            *kind = e.kind();
        if (setting)
            *setting = e.setting();
        return QString::fromStdString(e.what());
    }
    return {};
}

ProcessResult runProcess(const QString &program, const QStringList &arguments)
{
    QProcess process;
    process.start(program, arguments);
    ProcessResult r;
    if (!process.waitForFinished(120000)) {
        process.kill();
        process.waitForFinished();
        r.crashed = true;
        return r;
    }
    r.crashed = process.exitStatus() != QProcess::NormalExit;
    r.code = process.exitCode();
    r.out = QString::fromUtf8(process.readAllStandardOutput());
    r.err = QString::fromUtf8(process.readAllStandardError());
    return r;
}

namespace {

PythonRun runScript(const QString &program, const QString &script, const QStringList &arguments)
{
    QProcess python;
    python.start(program, QStringList{script} + arguments);
    PythonRun run;
    if (!python.waitForFinished(120000)) {
        python.kill();
        python.waitForFinished();
        run.err = "python timed out";
        return run;
    }
    run.ok = python.exitStatus() == QProcess::NormalExit && python.exitCode() == 0;
    run.out = python.readAllStandardOutput();
    run.err = python.readAllStandardError();
    return run;
}

} // namespace

PythonRun runPythonScript(const QString &script, const QStringList &arguments)
{
    return runScript(GRIDS_SYSTEM_PYTHON, QStringLiteral(GRIDS_TESTS_DIR "/python/") + script, arguments);
}

PythonRun runNodeScript(const QString &script, const QStringList &arguments)
{
    return runScript(GRIDS_NODE, QStringLiteral(GRIDS_TESTS_DIR "/parquet_writers/") + script, arguments);
}

namespace lerobot {

cv::Vec3b videoColour(int camera, int episode, int t, bool leftHalf)
{
    if (leftHalf)
        return {std::uint8_t(20 + 15 * t), std::uint8_t(60 + 60 * episode + 20 * camera), 128};
    return {std::uint8_t(255 - 15 * t), 40, std::uint8_t(60 + 50 * episode)};
}

cv::Vec3b imagePixel(int camera, int episode, int t, int x, int y)
{
    return {std::uint8_t((episode * 50 + t * 7 + x + 30 * camera) % 256), std::uint8_t((y * 9 + t) % 256),
            std::uint8_t((episode * 30 + 3 * x + y) % 256)};
}

float state(int episode, int t, int d)
{
    return float(double(episode * 100 + t) + double(d) / 10.0);
}

float action(int episode, int t, int d)
{
    return float(double(-episode) - double(t) / 4.0 + double(d) / 8.0);
}

bool makeDataset(const QString &dir, const QString &version, const QStringList &extra)
{
    const auto run = runNodeScript("make_lerobot_dataset.mjs",
                                   QStringList{dir, "--version", version, "--ffmpeg", GRIDS_FFMPEG} + extra);
    [&] { QVERIFY2(run.ok, run.err.constData()); }();
    return run.ok;
}

const Datasets &datasets()
{
    static QTemporaryDir dir;
    static const Datasets made = [] {
        Datasets d;
        d.v21 = dir.filePath("v21");
        d.v30 = dir.filePath("v30");
        d.ok = dir.isValid() && makeDataset(d.v21, "v2.1") && makeDataset(d.v30, "v3.0");
        return d;
    }();
    return made;
}

} // namespace lerobot

PolicyServer::PolicyServer(const QString &checkpoint, const QString &fault, const QStringList &extra)
    : m_process(std::make_unique<QProcess>())
{
    m_process->start(GRIDS_SYSTEM_PYTHON,
                     QStringList{QStringLiteral(GRIDS_SOURCE_DIR "/app/policy_server/grids_policy_server.py"),
                                 checkpoint, "--port", "0", "--fault", fault} +
                         extra);
    // It prints "listening on ws://127.0.0.1:PORT" once it accepts connections.
    QByteArray out;
    while (m_process->waitForReadyRead(60000)) {
        out += m_process->readAllStandardOutput();
        const int at = out.indexOf("listening on ");
        const int end = out.indexOf('\n', at);
        if (at >= 0 && end > at) {
            m_url = QString::fromUtf8(out.mid(at + 13, end - at - 13)).trimmed();
            return;
        }
    }
    m_errors = m_process->readAllStandardError();
}

PolicyServer::~PolicyServer()
{
    if (m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(10000);
    }
}

const ContractCheckpoints &contractCheckpoints()
{
    static QTemporaryDir dir;
    static const ContractCheckpoints made = [] {
        ContractCheckpoints c;
        c.dir = dir.path();
        const PythonRun python = runPythonScript("make_contract_checkpoints.py", {c.dir});
        c.ok = dir.isValid() && python.ok;
        c.error = python.err;
        return c;
    }();
    return made;
}

void writeBytes(const std::string &path, const std::string &bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
}

std::string randomBytes(std::size_t n, unsigned seed)
{
    std::mt19937 rng(seed);
    std::string bytes(n, '\0');
    for (char &c : bytes)
        c = char(rng() & 0xff);
    return bytes;
}

} // namespace fixtures
