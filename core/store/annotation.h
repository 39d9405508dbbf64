#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace grids {

// Which episode a stored item belongs to: content key (file SHA-256) + demo key; the path is
// where the file was last seen, for display and for reopening.
struct EpisodeRef
{
    std::string fileSha256;
    std::string demoKey;
    std::string path;
};

enum class AnnotationKind { Tag, Keypoint, Note };

const char *toString(AnnotationKind kind);
// Parses "tag", "keypoint", "note"; nullopt otherwise.
std::optional<AnnotationKind> annotationKindFromString(const std::string &text);

// A user's mark on an episode.
//  - Tag: `label` on frames [startFrame, endFrame], on one view or (view empty) all views.
//  - Keypoint: point (x, y) in image-normalised coordinates (0 = left/top edge, 1 = right/bottom
//    edge, the convention of CHECKPOINT.md) on `view` at frame startFrame, with an optional label.
//  - Note: free `text`, on frame startFrame or (startFrame < 0) on the whole episode.
struct Annotation
{
    std::int64_t id = 0; // 0 until stored
    AnnotationKind kind = AnnotationKind::Tag;
    EpisodeRef episode;
    std::int64_t startFrame = 0;
    std::int64_t endFrame = 0; // tags only; equals startFrame for the others
    std::string view;
    double x = 0.0, y = 0.0; // keypoints only
    std::string label;
    std::string text;                 // notes only
    std::string createdAt, updatedAt; // UTC ISO 8601, set by the database
};

struct AnnotationFilter
{
    std::string fileSha256; // empty = any file
    std::string demoKey;    // empty = any episode
    std::optional<AnnotationKind> kind;
};

// The reason an annotation cannot be stored, or empty when it is valid.
std::string validateAnnotation(const Annotation &annotation);

} // namespace grids
