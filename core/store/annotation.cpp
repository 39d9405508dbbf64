#include "store/annotation.h"

#include <cmath>

namespace grids {

const char *toString(AnnotationKind kind)
{
    switch (kind) {
    case AnnotationKind::Tag:
        return "tag";
    case AnnotationKind::Keypoint:
        return "keypoint";
    case AnnotationKind::Note:
        return "note";
    }
    return "tag";
}

std::optional<AnnotationKind> annotationKindFromString(const std::string &text)
{
    for (auto kind : {AnnotationKind::Tag, AnnotationKind::Keypoint, AnnotationKind::Note})
        if (text == toString(kind))
            return kind;
    return std::nullopt;
}

std::string validateAnnotation(const Annotation &a)
{
    if (a.episode.fileSha256.size() != 64 || a.episode.demoKey.empty())
        return "annotation needs an episode (file SHA-256 and demo key)";
    switch (a.kind) {
    case AnnotationKind::Tag:
        if (a.label.empty())
            return "a tag needs a non-empty label";
        if (a.startFrame < 0 || a.endFrame < a.startFrame)
            return "tag frames must satisfy 0 <= start <= end (got " +
                   std::to_string(a.startFrame) + ":" + std::to_string(a.endFrame) + ")";
        break;
    case AnnotationKind::Keypoint:
        if (a.startFrame < 0)
            return "a keypoint needs a frame >= 0";
        if (a.view.empty())
            return "a keypoint needs a view";
        if (!std::isfinite(a.x) || !std::isfinite(a.y) || a.x < 0 || a.x > 1 || a.y < 0 || a.y > 1)
            return "keypoint coordinates must lie in [0, 1] (image-normalised x, y)";
        break;
    case AnnotationKind::Note:
        if (a.text.empty())
            return "a note needs text";
        break;
    }
    return {};
}

} // namespace grids
