#include "store/sqlite.h"

#include "common/error.h"

#include <sqlite3.h>

namespace grids::sql {

Database::Database(const std::string &path, bool readOnly, bool create)
    : m_path(path)
{
    int flags = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (create && !readOnly)
        flags |= SQLITE_OPEN_CREATE;
    const int rc = sqlite3_open_v2(path.c_str(), &m_db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        const std::string message = m_db ? sqlite3_errmsg(m_db) : sqlite3_errstr(rc);
        sqlite3_close(m_db);
        m_db = nullptr;
        throw badInput(path + ": cannot open database (" + message + ")");
    }
    sqlite3_extended_result_codes(m_db, 1);
    sqlite3_busy_timeout(m_db, 5000);
}

Database::~Database()
{
    sqlite3_close_v2(m_db);
}

void Database::fail(const std::string &doing) const
{
    const int code = sqlite3_errcode(m_db) & 0xff;
    const std::string message = sqlite3_errmsg(m_db);
    // A file that is not a database, or a damaged one, is bad input; anything else is ours. Our
    // statements are fixed and tested, so one that does not compile or run as SQL ("no such
    // column", "table already exists") meets tables that are not the workspace's schema: the file's.
    const bool tablesDiffer = code == SQLITE_ERROR;
    const bool badFile = code == SQLITE_NOTADB || code == SQLITE_CORRUPT || code == SQLITE_READONLY || tablesDiffer;
    const std::string line = m_path + ": " + doing + " failed (" + message + ")" +
                             (tablesDiffer ? ": its tables are not those of a GridS Studio workspace" : "");
    throw Error(badFile ? Error::Kind::BadInput : Error::Kind::Other, line);
}

void Database::exec(const std::string &sql)
{
    char *message = nullptr;
    if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        sqlite3_free(message);
        fail("executing " + sql.substr(0, sql.find_first_of("(\n")));
    }
}

std::int64_t Database::lastInsertId() const
{
    return sqlite3_last_insert_rowid(m_db);
}

int Database::changes() const
{
    return sqlite3_changes(m_db);
}

Statement::Statement(Database &db, const std::string &sql)
    : m_db(db)
{
    if (sqlite3_prepare_v2(db.handle(), sql.c_str(), int(sql.size()), &m_stmt, nullptr) !=
        SQLITE_OK)
        db.fail("preparing a query");
}

Statement::~Statement()
{
    sqlite3_finalize(m_stmt);
}

Statement &Statement::bind(int index, std::int64_t value)
{
    if (sqlite3_bind_int64(m_stmt, index, value) != SQLITE_OK)
        m_db.fail("binding a value");
    return *this;
}

Statement &Statement::bind(int index, double value)
{
    if (sqlite3_bind_double(m_stmt, index, value) != SQLITE_OK)
        m_db.fail("binding a value");
    return *this;
}

Statement &Statement::bind(int index, const std::string &value)
{
    if (sqlite3_bind_text(m_stmt, index, value.data(), int(value.size()), SQLITE_TRANSIENT) !=
        SQLITE_OK)
        m_db.fail("binding a value");
    return *this;
}

Statement &Statement::bindNull(int index)
{
    if (sqlite3_bind_null(m_stmt, index) != SQLITE_OK)
        m_db.fail("binding a value");
    return *this;
}

bool Statement::step()
{
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    m_db.fail("query");
}

void Statement::run()
{
    while (step()) {
    }
}

void Statement::reset()
{
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

bool Statement::isNull(int column) const
{
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

std::int64_t Statement::integer(int column) const
{
    return sqlite3_column_int64(m_stmt, column);
}

double Statement::real(int column) const
{
    return sqlite3_column_double(m_stmt, column);
}

std::string Statement::text(int column) const
{
    const auto *chars = sqlite3_column_text(m_stmt, column);
    return chars ? std::string(reinterpret_cast<const char *>(chars),
                               std::size_t(sqlite3_column_bytes(m_stmt, column)))
                 : std::string();
}

Transaction::Transaction(Database &db)
    : m_db(db)
{
    m_db.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction()
{
    if (!m_done)
        sqlite3_exec(m_db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit()
{
    m_db.exec("COMMIT");
    m_done = true;
}

} // namespace grids::sql
