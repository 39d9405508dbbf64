#pragma once

// Internal to core/store: a thin RAII layer over the SQLite C API. Every statement binds its
// parameters (no SQL is built from values), and every failure throws grids::Error with a message
// that names the database file.

#include <cstdint>
#include <optional>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace grids::sql {

class Database
{
public:
    // Opens (and with `create`, creates) a database. `readOnly` opens it so nothing can change.
    Database(const std::string &path, bool readOnly, bool create);
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    void exec(const std::string &sql);
    sqlite3 *handle() const { return m_db; }
    const std::string &path() const { return m_path; }
    [[noreturn]] void fail(const std::string &doing) const;
    std::int64_t lastInsertId() const;
    int changes() const;

private:
    std::string m_path;
    sqlite3 *m_db = nullptr;
};

class Statement
{
public:
    Statement(Database &db, const std::string &sql);
    ~Statement();
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;

    Statement &bind(int index, std::int64_t value);
    Statement &bind(int index, int value) { return bind(index, std::int64_t(value)); }
    Statement &bind(int index, double value);
    Statement &bind(int index, const std::string &value);
    Statement &bindNull(int index);
    template <typename T> Statement &bind(int index, const std::optional<T> &value)
    {
        return value ? bind(index, *value) : bindNull(index);
    }

    // Advances to the next row; false when done.
    bool step();
    // Runs a statement that returns no rows.
    void run();
    void reset();

    bool isNull(int column) const;
    std::int64_t integer(int column) const;
    double real(int column) const;
    std::string text(int column) const;

private:
    Database &m_db; // Not owned.
    sqlite3_stmt *m_stmt = nullptr;
};

// BEGIN IMMEDIATE … COMMIT; rolls back when destroyed without commit().
class Transaction
{
public:
    explicit Transaction(Database &db);
    ~Transaction();
    void commit();

private:
    Database &m_db; // Not owned.
    bool m_done = false;
};

} // namespace grids::sql
