#pragma once

// Internal to core/store: the workspace schema as an ordered list of migrations. Migration i
// (0-based) takes a database from user_version i to i + 1. Never edit a migration that has
// shipped: add a new one. The schema is documented for users in docs/WORKSPACE-SCHEMA.md.

#include <vector>

namespace grids::schema {

// 'GRDS': PRAGMA application_id of a workspace, so another program's SQLite file is recognised.
constexpr int kApplicationId = 0x47524453;

const std::vector<const char *> &migrations();

} // namespace grids::schema
