#include "episodes/view_renames.h"

#include "common/error.h"
#include "common/pair_list.h"

#include <set>

namespace grids {
namespace {

class RenamedViews final : public EpisodeFile
{
public:
    RenamedViews(std::unique_ptr<EpisodeFile> inner, const ViewRenames &renames)
        : m_inner(std::move(inner))
        , m_episodes(m_inner->episodes())
    {
        for (EpisodeInfo &episode : m_episodes)
            for (ViewInfo &view : episode.views)
                for (const auto &[from, to] : renames)
                    if (view.name == from) {
                        view.name = to;
                        break;
                    }
    }

    const std::string &path() const override { return m_inner->path(); }
    std::string format() const override { return m_inner->format(); }
    const std::vector<EpisodeInfo> &episodes() const override { return m_episodes; }
    Frame frame(std::size_t episode, std::int64_t t) override { return m_inner->frame(episode, t); }
    Track actions(std::size_t episode) override { return m_inner->actions(episode); }
    std::optional<Track> lowDim(std::size_t episode, const std::string &key) override
    {
        return m_inner->lowDim(episode, key);
    }

private:
    std::unique_ptr<EpisodeFile> m_inner;
    std::vector<EpisodeInfo> m_episodes;
};

} // namespace

ViewRenames parseViewRenames(const std::string &text)
{
    const ViewRenames renames =
        parsePairList(text, "view_map", "FROM=TO (episode view = checkpoint view)");
    std::set<std::string> seen;
    for (const auto &[from, to] : renames)
        if (!seen.insert(from).second)
            throw settingError("view_map", "view '" + from + "' is renamed twice");
    return renames;
}

std::string formatViewRenames(const ViewRenames &renames)
{
    std::string text;
    for (const auto &[from, to] : renames)
        text += (text.empty() ? "" : ",") + from + "=" + to;
    return text;
}

namespace {

void checkViewRenames(const EpisodeFile &file, const ViewRenames &renames)
{
    std::set<std::string> names;
    for (const EpisodeInfo &episode : file.episodes())
        for (const ViewInfo &view : episode.views)
            names.insert(view.name);
    for (const auto &[from, to] : renames) {
        if (!names.count(from)) {
            std::string list;
            for (const auto &name : names)
                list += (list.empty() ? "" : ", ") + name;
            throw usageError(file.path() + ": no view '" + from + "' to map (its views: " + list + ")");
        }
    }
}

} // namespace

std::unique_ptr<EpisodeFile> renameViews(std::unique_ptr<EpisodeFile> &&file, const ViewRenames &renames)
{
    if (renames.empty())
        return std::move(file);
    checkViewRenames(*file, renames);
    return std::make_unique<RenamedViews>(std::move(file), renames);
}

void renameViews(OpenedEpisodes &opened, const ViewRenames &renames)
{
    for (auto &file : opened.files)
        file = renameViews(std::move(file), renames);
}

} // namespace grids
