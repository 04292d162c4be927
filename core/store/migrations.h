#pragma once

#include <span>

namespace Conflux::Store::Internal {

enum class SqlDialect { Sqlite, Postgres };

// One numbered schema migration. The list is append-only: a released migration is never
// edited, a change is a new migration with the next number. Each runs in its own
// transaction together with its schema_migrations row.
//
// A statement list holds one SQL statement per entry (drivers execute one at a time).
// Conventions: `*_at` columns are BIGINT milliseconds since the Unix epoch, UTC — the same
// in both dialects and free of driver time-zone conversions.
struct Migration
{
    int version;
    const char *name;
    std::span<const char *const> sqlite;
    std::span<const char *const> postgres;

    std::span<const char *const> statements(SqlDialect dialect) const
    {
        return dialect == SqlDialect::Sqlite ? sqlite : postgres;
    }
};

// All migrations, in order, numbered 1, 2, 3, ... without gaps.
std::span<const Migration> migrations();

// The number of the last migration.
int latestMigrationVersion();

} // namespace Conflux::Store::Internal
