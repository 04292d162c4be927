#pragma once

#include <QString>
#include <QStringList>

#include <optional>
#include <utility>
#include <variant>

namespace Conflux {

// An error a caller is expected to handle. `code` is a stable machine-readable identifier
// (snake_case, e.g. "store_newer_than_binary"); `message` is for people; `details` carries
// one line per individual problem (for example every validation error of a project).
struct Error
{
    QString code;
    QString message;
    QStringList details;
    // Where in the input the problem is, when the input is text: a character offset
    // (expressions) or a byte offset (data files), 0-based; -1 when unknown.
    qint64 offset = -1;

    QString toString() const
    {
        if (details.isEmpty())
            return message;
        return message + QLatin1String(": ") + details.join(QLatin1String("; "));
    }
};

// A value or an Error, in the spirit of std::expected (C++23, not in GCC 12's C++20).
template<typename T>
class [[nodiscard]] Result
{
public:
    Result(T value) : m_data(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : m_data(std::in_place_index<1>, std::move(error)) {}

    bool isOk() const { return m_data.index() == 0; }
    explicit operator bool() const { return isOk(); }

    T &value() & { return std::get<0>(m_data); }
    const T &value() const & { return std::get<0>(m_data); }
    T &&value() && { return std::get<0>(std::move(m_data)); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }

    const Error &error() const { return std::get<1>(m_data); }

private:
    std::variant<T, Error> m_data;
};

template<>
class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)) {}

    bool isOk() const { return !m_error.has_value(); }
    explicit operator bool() const { return isOk(); }
    const Error &error() const { return *m_error; }

private:
    std::optional<Error> m_error;
};

inline Error makeError(const char *code, const QString &message, const QStringList &details = {})
{
    return Error{QString::fromLatin1(code), message, details};
}

} // namespace Conflux
