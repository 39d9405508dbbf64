#pragma once

#include <stdexcept>
#include <string>

namespace grids {

// The one exception type core throws for problems a user can act on. The message is a single
// line that names the file and what is wrong; the CLI prints it after "error: ", the GUI shows it.
// `kind` lets the CLI pick its exit status without parsing messages.
class Error : public std::runtime_error
{
public:
    enum class Kind {
        BadInput,  // unreadable, corrupt or incompatible file; exit status 3
        Usage,     // a request that makes no sense (frame out of range, unknown view); exit 2
        Cancelled, // the user stopped a long job; exit 4
        Other,     // anything else; exit 1
    };

    Error(Kind kind, const std::string &message)
        : std::runtime_error(message)
        , m_kind(kind)
    {}
    Kind kind() const { return m_kind; }

private:
    Kind m_kind;
};

inline Error badInput(const std::string &message)
{
    return Error(Error::Kind::BadInput, message);
}
inline Error usageError(const std::string &message)
{
    return Error(Error::Kind::Usage, message);
}

} // namespace grids
