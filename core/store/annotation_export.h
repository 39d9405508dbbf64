#pragma once

#include "store/annotation.h"

#include <string>
#include <vector>

namespace grids {

// JSON document: {"format": "grids-annotations", "version": 1, "annotations": [ … ]}, fields as
// in docs/WORKSPACE-SCHEMA.md.
std::string annotationsToJson(const std::vector<Annotation> &annotations);
// CSV with a header row, RFC 4180 quoting, one annotation per row.
std::string annotationsToCsv(const std::vector<Annotation> &annotations);
// Writes JSON or CSV chosen by the extension (.json, .csv) via temp file + rename.
// Throws Error{Usage} for another extension.
void exportAnnotations(const std::vector<Annotation> &annotations, const std::string &path);

} // namespace grids
