#pragma once

#include <algorithm>
#include <stdexcept>
#include <string>

namespace grids {

// The one exception type core throws for problems a user can act on. The message is a single
// line that names the file and what is wrong; the CLI prints it after "error: ", the GUI shows it.
// `kind` lets the CLI pick its exit status without parsing messages.
//
// An error about one setting names the setting, not a command-line flag that means nothing in the
// GUI: `setting` is its key in snake_case ("view_map"), and what() reads "view map: view 'x' is
// renamed twice". The CLI prints its own flag before `detail` instead ("--view-map: view 'x' is
// renamed twice", app/cli's table of flags).
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
        : Error(kind, std::string(), message)
    {}
    Error(Kind kind, const std::string &setting, const std::string &detail)
        : std::runtime_error(setting.empty() ? oneLine(detail) : settingLabel(setting) + ": " + oneLine(detail))
        , m_kind(kind)
        , m_setting(setting)
        , m_detail(oneLine(detail))
    {}
    Kind kind() const { return m_kind; }
    // The setting the error is about ("view_map"), or empty.
    const std::string &setting() const { return m_setting; }
    // The message without the setting's name in front (all of it when there is no setting).
    const std::string &detail() const { return m_detail; }

    // The message as one line whatever it quotes: a name read from a file may hold line breaks or
    // other control characters, which are written as \n, \r, \t or \xNN.
    static std::string oneLine(const std::string &text)
    {
        if (std::none_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
            return text;
        static const char *const hex = "0123456789abcdef";
        std::string out;
        for (const char c : text) {
            const auto u = static_cast<unsigned char>(c);
            if (c == '\n')
                out += "\\n";
            else if (c == '\r')
                out += "\\r";
            else if (c == '\t')
                out += "\\t";
            else if (u < 0x20 || u == 0x7f)
                out += std::string("\\x") + hex[u >> 4] + hex[u & 15];
            else
                out += c;
        }
        return out;
    }

    // How a setting is named to people: "view_map" → "view map".
    static std::string settingLabel(std::string setting)
    {
        for (char &c : setting)
            if (c == '_')
                c = ' ';
        return setting;
    }

private:
    Kind m_kind;
    std::string m_setting, m_detail;
};

inline Error badInput(const std::string &message)
{
    return Error(Error::Kind::BadInput, message);
}
inline Error usageError(const std::string &message)
{
    return Error(Error::Kind::Usage, message);
}
// A request that makes no sense because of one setting's value: Error{Usage} naming `setting`.
inline Error settingError(const std::string &setting, const std::string &detail)
{
    return Error(Error::Kind::Usage, setting, detail);
}

} // namespace grids
