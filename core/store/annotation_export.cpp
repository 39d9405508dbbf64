#include "store/annotation_export.h"

#include "common/atomic_file.h"
#include "common/csv.h"
#include "common/error.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <sstream>

namespace grids {
namespace {

nlohmann::json toJson(const Annotation &a)
{
    nlohmann::json row = {
        {"id", a.id},
        {"kind", toString(a.kind)},
        {"episode",
         {{"file_sha256", a.episode.fileSha256},
          {"demo_key", a.episode.demoKey},
          {"path", a.episode.path}}},
        {"start_frame", a.startFrame},
        {"end_frame", a.endFrame},
        {"view", a.view},
        {"label", a.label},
        {"text", a.text},
        {"created_at", a.createdAt},
        {"updated_at", a.updatedAt},
    };
    if (a.kind == AnnotationKind::Keypoint) {
        row["x"] = a.x;
        row["y"] = a.y;
    } else {
        row["x"] = nullptr;
        row["y"] = nullptr;
    }
    return row;
}

std::string number(double value)
{
    std::ostringstream out;
    out.precision(17);
    out << value;
    return out.str();
}

} // namespace

std::string annotationsToJson(const std::vector<Annotation> &annotations)
{
    nlohmann::json rows = nlohmann::json::array();
    for (const auto &a : annotations)
        rows.push_back(toJson(a));
    nlohmann::json doc = {{"format", "grids-annotations"}, {"version", 1}, {"annotations", rows}};
    return doc.dump(2) + "\n";
}

std::string annotationsToCsv(const std::vector<Annotation> &annotations)
{
    std::string out = "id,kind,file_sha256,demo_key,path,start_frame,end_frame,view,x,y,label,"
                      "text,created_at,updated_at\r\n";
    for (const auto &a : annotations) {
        const bool point = a.kind == AnnotationKind::Keypoint;
        const std::string fields[] = {std::to_string(a.id),
                                      toString(a.kind),
                                      a.episode.fileSha256,
                                      a.episode.demoKey,
                                      a.episode.path,
                                      std::to_string(a.startFrame),
                                      std::to_string(a.endFrame),
                                      a.view,
                                      point ? number(a.x) : std::string(),
                                      point ? number(a.y) : std::string(),
                                      a.label,
                                      a.text,
                                      a.createdAt,
                                      a.updatedAt};
        for (std::size_t i = 0; i < std::size(fields); ++i)
            out += (i ? "," : "") + csvField(fields[i]);
        out += "\r\n";
    }
    return out;
}

void exportAnnotations(const std::vector<Annotation> &annotations, const std::string &path)
{
    const std::string ext = std::filesystem::path(path).extension().string();
    if (ext == ".json")
        writeFileAtomically(path, annotationsToJson(annotations));
    else if (ext == ".csv")
        writeFileAtomically(path, annotationsToCsv(annotations));
    else
        throw usageError(path + ": export format must be .json or .csv");
}

} // namespace grids
