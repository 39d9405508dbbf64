#include "annotate_command.h"

#include "cli_support.h"
#include "common/error.h"
#include "episodes/episode.h"
#include "store/annotation_export.h"
#include "store/workspace.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>

namespace grids::cli {
namespace {

struct AnnotateOptions
{
    std::string db;
    // Which episode (add, and filters of list/export).
    std::string episodes, episode;
    // What to add or change.
    std::optional<std::string> tag, note, label, view, frames, keypoint;
    std::optional<long long> frame;
    std::int64_t id = 0;
    std::string kind; // list/export filter
    std::string out;
    bool json = false;
};

// The episode an add/filter refers to: opens the file to check the key and know its length.
struct ResolvedEpisode
{
    EpisodeRef ref;
    EpisodeInfo info;
};

ResolvedEpisode resolveEpisode(Workspace &workspace, const AnnotateOptions &o, bool required)
{
    if (o.episodes.empty()) {
        if (required)
            throw usageError("--episodes FILE and --episode KEY are required");
        return {};
    }
    auto file = openEpisodeFile(o.episodes);
    std::string key = o.episode;
    if (key.empty()) {
        if (file->episodes().size() != 1 && required)
            throw usageError(o.episodes + " holds " + std::to_string(file->episodes().size()) +
                             " episodes: choose one with --episode KEY");
        if (file->episodes().size() == 1)
            key = file->episodes().front().key;
    }
    ResolvedEpisode resolved;
    resolved.ref = {workspace.contentKey(o.episodes), key, o.episodes};
    if (!key.empty())
        resolved.info = file->episodes()[file->indexOf(key)];
    return resolved;
}

void checkView(const EpisodeInfo &info, const std::string &view, const std::string &file)
{
    for (const auto &v : info.views)
        if (v.name == view)
            return;
    std::string names;
    for (const auto &v : info.views)
        names += (names.empty() ? "" : ", ") + v.name;
    throw usageError(file + ": " + info.key + " has no view '" + view + "' (views: " + names + ")");
}

std::pair<double, double> parsePoint(const std::string &text)
{
    const auto comma = text.find(',');
    try {
        if (comma != std::string::npos) {
            std::size_t usedX = 0, usedY = 0;
            const std::string xs = text.substr(0, comma), ys = text.substr(comma + 1);
            const double x = std::stod(xs, &usedX), y = std::stod(ys, &usedY);
            if (usedX == xs.size() && usedY == ys.size())
                return {x, y};
        }
    } catch (const std::exception &) {
    }
    throw usageError("--keypoint '" + text + "' must be X,Y in image-normalised coordinates");
}

// Applies the options that were given to `a` (for add: a fresh annotation; for edit: the stored
// one), checking frames and views against the episode.
void applyOptions(Annotation &a,
                  const AnnotateOptions &o,
                  const EpisodeInfo &info,
                  const std::string &file)
{
    const int kinds =
        int(o.tag.has_value()) + int(o.keypoint.has_value()) + int(o.note.has_value());
    if (kinds > 1)
        throw usageError("give one of --tag, --keypoint, --note");
    if (o.tag) {
        a.kind = AnnotationKind::Tag;
        a.label = *o.tag;
    } else if (o.keypoint) {
        a.kind = AnnotationKind::Keypoint;
        std::tie(a.x, a.y) = parsePoint(*o.keypoint);
    } else if (o.note) {
        a.kind = AnnotationKind::Note;
        a.text = *o.note;
    }
    if (o.label)
        a.label = *o.label;
    if (o.view)
        a.view = *o.view;
    if (a.kind == AnnotationKind::Keypoint && a.view.empty() && info.views.size() == 1)
        a.view = info.views.front().name;
    if (!a.view.empty())
        checkView(info, a.view, file);

    if (o.frames) {
        const FrameRange range = parseFrameRange(*o.frames, info.length);
        a.startFrame = range.first;
        a.endFrame = range.last;
    }
    if (o.frame) {
        a.startFrame = a.endFrame = parseFrameRange(std::to_string(*o.frame), info.length).first;
    } else if (!o.frames && a.id == 0 && a.kind == AnnotationKind::Note) {
        a.startFrame = a.endFrame = -1; // a note on the whole episode
    }
    if (a.kind == AnnotationKind::Tag && !o.frames && !o.frame && a.id == 0)
        throw usageError("a tag needs --frames A:B (or --frame F)");
    if (a.kind == AnnotationKind::Keypoint && !o.frame && !o.frames && a.id == 0)
        throw usageError("a keypoint needs --frame F");
}

void printAnnotation(const Annotation &a)
{
    std::cout << std::setw(5) << a.id << "  " << std::left << std::setw(9) << toString(a.kind)
              << std::right << a.episode.demoKey << "  ";
    if (a.startFrame < 0)
        std::cout << "episode";
    else if (a.endFrame != a.startFrame)
        std::cout << "frames " << a.startFrame << ":" << a.endFrame;
    else
        std::cout << "frame " << a.startFrame;
    if (!a.view.empty())
        std::cout << "  [" << a.view << "]";
    if (a.kind == AnnotationKind::Keypoint)
        std::cout << "  (" << a.x << ", " << a.y << ")";
    if (!a.label.empty())
        std::cout << "  " << a.label;
    if (!a.text.empty())
        std::cout << "  \"" << a.text << "\"";
    std::cout << "  " << a.episode.path << "\n";
}

void runAdd(const AnnotateOptions &o)
{
    Workspace workspace(o.db);
    if (workspace.readOnly())
        throw badInput(workspace.readOnlyReason());
    const ResolvedEpisode episode = resolveEpisode(workspace, o, /*required=*/true);
    if (!o.tag && !o.keypoint && !o.note)
        throw usageError("add needs one of --tag LABEL, --keypoint X,Y, --note TEXT");
    Annotation a;
    a.episode = episode.ref;
    applyOptions(a, o, episode.info, o.episodes);
    const std::int64_t id = workspace.addAnnotation(a);
    if (o.json)
        std::cout << nlohmann::json({{"id", id}}).dump() << std::endl;
    else
        std::cout << "added annotation " << id << std::endl;
}

void runEdit(const AnnotateOptions &o)
{
    Workspace workspace(o.db);
    auto stored = workspace.annotation(o.id);
    if (!stored)
        throw usageError(o.db + ": no annotation with id " + std::to_string(o.id));
    // Frames and views are checked against the episode file when it can still be found.
    EpisodeInfo info;
    const std::string file = o.episodes.empty() ? stored->episode.path : o.episodes;
    auto episodeFile = openEpisodeFile(file);
    info = episodeFile->episodes()[episodeFile->indexOf(stored->episode.demoKey)];
    applyOptions(*stored, o, info, file);
    workspace.updateAnnotation(*stored);
    std::cout << "updated annotation " << o.id << std::endl;
}

void runDelete(const AnnotateOptions &o)
{
    Workspace workspace(o.db);
    workspace.removeAnnotation(o.id);
    std::cout << "deleted annotation " << o.id << std::endl;
}

AnnotationFilter filterFor(Workspace &workspace, const AnnotateOptions &o)
{
    AnnotationFilter filter;
    if (!o.episodes.empty()) {
        const ResolvedEpisode episode = resolveEpisode(workspace, o, /*required=*/false);
        filter.fileSha256 = episode.ref.fileSha256;
        filter.demoKey = o.episode;
    }
    if (!o.kind.empty()) {
        filter.kind = annotationKindFromString(o.kind);
        if (!filter.kind)
            throw usageError("--kind must be tag, keypoint or note (got '" + o.kind + "')");
    }
    return filter;
}

void runList(const AnnotateOptions &o)
{
    Workspace workspace(o.db);
    const auto list = workspace.annotations(filterFor(workspace, o));
    if (o.json) {
        std::cout << annotationsToJson(list);
        return;
    }
    for (const auto &a : list)
        printAnnotation(a);
    std::cout << list.size() << (list.size() == 1 ? " annotation\n" : " annotations\n");
}

void runExport(const AnnotateOptions &o)
{
    Workspace workspace(o.db);
    const auto list = workspace.annotations(filterFor(workspace, o));
    exportAnnotations(list, o.out);
    std::cout << "exported " << list.size() << " annotations to " << o.out << std::endl;
}

void addEpisodeOptions(CLI::App *command, AnnotateOptions &o, bool required)
{
    auto *episodes = command->add_option("--episodes", o.episodes, "episode file");
    command->add_option("--episode", o.episode,
                        "episode key (demo_3; optional for one-episode files)");
    if (required)
        episodes->required();
}

void addContentOptions(CLI::App *command, AnnotateOptions &o)
{
    command->add_option("--tag", o.tag, "tag LABEL on --frames A:B");
    command->add_option("--keypoint", o.keypoint, "keypoint X,Y (0..1) on --frame F, --view V");
    command->add_option("--note", o.note, "free-text note (on --frame F, or the whole episode)");
    command->add_option("--label", o.label, "label of a keypoint (or a tag's new label)");
    command->add_option("--view", o.view, "camera view (all views when omitted for tags)");
    command->add_option("--frames", o.frames, "inclusive frame range A:B (negative from the end)");
    command->add_option("--frame", o.frame, "one frame");
}

} // namespace

void addAnnotateCommand(CLI::App &app)
{
    auto o = std::make_shared<AnnotateOptions>();
    CLI::App *annotate = app.add_subcommand(
        "annotate", "Add, edit, delete, list and export annotations (tags, keypoints, notes)");
    annotate->add_option("--db", o->db, "workspace database (created when missing)")->required();
    annotate->require_subcommand(1);
    annotate->fallthrough();

    CLI::App *add = annotate->add_subcommand("add", "add a tag, keypoint or note to an episode");
    addEpisodeOptions(add, *o, true);
    addContentOptions(add, *o);
    add->add_flag("--json", o->json, "print {\"id\": N}");
    add->callback([o] { runAdd(*o); });

    CLI::App *edit = annotate->add_subcommand("edit", "change an annotation");
    edit->add_option("id", o->id, "annotation id")->required();
    edit->add_option("--episodes", o->episodes, "episode file, when it moved");
    addContentOptions(edit, *o);
    edit->callback([o] { runEdit(*o); });

    CLI::App *remove = annotate->add_subcommand("delete", "delete an annotation");
    remove->add_option("id", o->id, "annotation id")->required();
    remove->callback([o] { runDelete(*o); });

    CLI::App *list = annotate->add_subcommand("list", "list annotations");
    addEpisodeOptions(list, *o, false);
    list->add_option("--kind", o->kind, "tag, keypoint or note");
    list->add_flag("--json", o->json, "print one JSON document");
    list->callback([o] { runList(*o); });

    CLI::App *exportCommand = annotate->add_subcommand("export", "export annotations");
    addEpisodeOptions(exportCommand, *o, false);
    exportCommand->add_option("--kind", o->kind, "tag, keypoint or note");
    exportCommand->add_option("--out", o->out, "FILE.json or FILE.csv")->required();
    exportCommand->callback([o] { runExport(*o); });
}

} // namespace grids::cli
