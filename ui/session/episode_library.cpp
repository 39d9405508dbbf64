#include "session/episode_library.h"

#include "common/error.h"
#include "dialogs/view_map.h"

#include "jobs/job_runner.h"

#include <QPointer>

#include <algorithm>

EpisodeLibrary::EpisodeLibrary(QObject *parent)
    : QObject(parent)
    , m_opening(new JobRunner(this))
{
}

EpisodeLibrary::~EpisodeLibrary() = default; // the runner waits for an open in progress

bool EpisodeLibrary::busy() const
{
    return m_opening->busy();
}

void EpisodeLibrary::open(const QString &path)
{
    start(path, false);
}

void EpisodeLibrary::reopen(const QString &path)
{
    start(path, true);
}

void EpisodeLibrary::start(const QString &path, bool replace)
{
    // Opens run one at a time, in order, each delivered before the next: two asked for at once
    // (a run's failure files) both arrive.
    const grids::ViewRenames renames = storedViewMap(path); // settings: read on the UI thread
    QPointer<EpisodeLibrary> self(this);
    m_opening->submit([self, path, replace, renames](const JobControl &) -> JobRunner::Delivery {
        OpenResult result;
        result.path = path;
        result.replace = replace;
        try {
            grids::OpenedEpisodes opened = grids::openEpisodes(path.toStdString());
            for (auto &file : opened.files) {
                try {
                    file = grids::renameViews(std::move(file), renames); // keeps `file` on an error
                } catch (const grids::Error &e) {
                    // A map that no longer fits (the dataset changed) is reported; the cameras
                    // keep their own names.
                    result.errors.append(QString::fromStdString(e.what()));
                }
                result.files.push_back(std::move(file));
            }
            for (const auto &error : opened.errors)
                result.errors.append(QString::fromStdString(error));
        } catch (const std::exception &e) {
            result.errors.append(QString::fromStdString(e.what()));
        }
        auto shared = std::make_shared<OpenResult>(std::move(result));
        return [self, shared] { self->finishOpen(std::move(*shared)); };
    });
}

void EpisodeLibrary::finishOpen(OpenResult result)
{
    int added = 0;
    std::vector<std::pair<std::shared_ptr<grids::EpisodeFile>, std::shared_ptr<grids::EpisodeFile>>> swaps;
    for (auto &file : result.files) {
        auto same = result.replace ? std::find_if(m_files.begin(), m_files.end(),
                                                  [&](const auto &open) { return open->path() == file->path(); })
                                   : m_files.end();
        if (same != m_files.end()) {
            swaps.push_back({*same, file});
            *same = std::move(file);
        } else {
            m_files.push_back(std::move(file));
            ++added;
        }
    }
    if (added > 0)
        emit opened(result.path, added);
    if (added > 0 || !swaps.empty())
        emit changed();
    for (const auto &[old, now] : swaps)
        emit replaced(old, now);
    if (!result.errors.isEmpty())
        emit failed(result.path, result.errors);
}
