#pragma once

// Function signatures (`<s-nn?:s>`): parsing, and checking/coercing the arguments of a
// call the way the reference implementation does. Internal to core/mapping.

#include "data/value.h"

#include <QString>
#include <QStringView>
#include <QVarLengthArray>

#include <memory>
#include <vector>

namespace Conflux::Mapping::Internal {

class Signature
{
public:
    // Parses a signature. Throws JsonataException S0401/S0402 whose position is the
    // offset inside `text` (the caller adds where the signature starts).
    static std::unique_ptr<Signature> parse(QStringView text);

    // Checks `args` against the signature and rewrites them into what the function gets:
    // one entry per parameter, the context filled in for a missing `-` parameter, a
    // non-array wrapped where an array is expected. Throws T0410, T0411 or T0412 naming
    // `function` (position -1; the caller knows where the call is).
    void validate(std::vector<Data::Value> &args, const Data::Value &context,
                  QStringView function) const;

    int parameterCount() const { return int(m_params.size()); }
    const QString &text() const { return m_text; }

private:
    struct Param
    {
        quint16 allowed = 0;        // symbols this parameter accepts (s n b l o a f m), as bits
        quint16 contextAllowed = 0; // for `-`: what the context may be
        QString subtype;        // a<n>: "n"
        char16_t type = 0;      // s n b l o a f j x, or '(' for a choice
        bool context = false;
        bool lazy = false;
        bool quantified = false;
        int min = 1;
        int max = 1;
    };

    using Symbols = QVarLengthArray<char16_t, 8>;
    using Counts = QVarLengthArray<int, 8>;
    bool match(const Symbols &symbols, size_t param, size_t symbol, size_t lastParam,
               bool anchored, Counts &counts) const;
    [[noreturn]] void throwMismatch(const Symbols &symbols,
                                    const std::vector<Data::Value> &args,
                                    QStringView function) const;

    bool acceptsAsGiven(std::vector<Data::Value> &args) const;

    std::vector<Param> m_params;
    QString m_text;
    bool m_plain = false;   // no parameter takes more than one argument
};

// The signature symbol of a value: s n b l o a f, or m for undefined.
char16_t signatureSymbol(const Data::Value &value);

} // namespace Conflux::Mapping::Internal
