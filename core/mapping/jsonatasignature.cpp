#include "mapping/jsonatasignature_p.h"

#include "mapping/jsonatafunctions_p.h"

using namespace Qt::StringLiterals;

namespace Conflux::Mapping::Internal {

using Data::Value;

char16_t signatureSymbol(const Value &value)
{
    switch (value.type()) {
    case Value::Type::Undefined: return u'm';
    case Value::Type::Null: return u'l';
    case Value::Type::Bool: return u'b';
    case Value::Type::Number: return u'n';
    case Value::Type::String: return u's';
    case Value::Type::Array: return u'a';
    case Value::Type::Object: return u'o';
    case Value::Type::Function: return u'f';
    }
    return u'm';
}

namespace {

// Signature symbols as bits, so a parameter's accepted set is one mask.
quint16 bit(char16_t symbol)
{
    switch (symbol) {
    case u's': return 1;
    case u'n': return 2;
    case u'b': return 4;
    case u'l': return 8;
    case u'o': return 16;
    case u'a': return 32;
    case u'f': return 64;
    case u'm': return 128;
    default: return 0;   // never the symbol of a value
    }
}

quint16 mask(QStringView symbols)
{
    quint16 m = 0;
    for (const QChar c : symbols)
        m |= bit(c.unicode());
    return m;
}

qsizetype closing(QStringView text, qsizetype start, char16_t open, char16_t close)
{
    int depth = 1;
    qsizetype i = start;
    while (i < text.size()) {
        ++i;
        if (i >= text.size())
            break;
        if (text[i] == close) {
            if (--depth == 0)
                break;
        } else if (text[i] == open) {
            ++depth;
        }
    }
    return i;
}

QString pluralOf(QStringView subtype)
{
    if (subtype == u"a") return u"arrays"_s;
    if (subtype == u"b") return u"booleans"_s;
    if (subtype == u"f") return u"functions"_s;
    if (subtype == u"n") return u"numbers"_s;
    if (subtype == u"o") return u"objects"_s;
    if (subtype == u"s") return u"strings"_s;
    return subtype.toString();
}

} // namespace

std::unique_ptr<Signature> Signature::parse(QStringView text)
{
    auto sig = std::make_unique<Signature>();
    sig->m_text = text.toString();
    Param param;
    Param *previous = &param;
    auto push = [&] {
        sig->m_params.push_back(param);
        previous = &sig->m_params.back();
        param = Param();
    };
    // m_params only grows through push(), which re-points `previous`; reserve keeps the
    // pointer stable between pushes.
    sig->m_params.reserve(size_t(text.size()));
    auto quantify = [&](int min, int max) {
        if (!previous->quantified) {
            previous->min = min;
            previous->max = max;
            previous->quantified = true;
        } else {
            previous->lazy = true;   // `??` or `+?` in the reference's regex
        }
    };
    for (qsizetype pos = 1; pos < text.size(); ++pos) {
        const char16_t symbol = text[pos].unicode();
        if (symbol == u':')
            break;
        switch (symbol) {
        case u's': case u'n': case u'b': case u'l': case u'o':
            param.allowed = bit(symbol) | bit(u'm');
            param.type = symbol;
            push();
            break;
        case u'a':
        case u'x':
            param.allowed = mask(u"asnblfom");
            param.type = symbol;
            push();
            break;
        case u'f':
            param.allowed = bit(u'f');
            param.type = symbol;
            push();
            break;
        case u'j':
            param.allowed = mask(u"asnblom");
            param.type = symbol;
            push();
            break;
        case u'-':
            previous->context = true;
            previous->contextAllowed = previous->allowed;
            quantify(0, 1);
            break;
        case u'?':
            quantify(0, 1);
            break;
        case u'+':
            quantify(1, std::numeric_limits<int>::max());
            break;
        case u'(': {
            const qsizetype end = closing(text, pos, u'(', u')');
            const QStringView choice = text.mid(pos + 1, end - pos - 1);
            if (choice.contains(u'<')) {
                throw JsonataException(u"S0402"_s, int(pos),
                                       u"Choice groups containing parameterized types are not supported"_s,
                                       {}, Value(choice));
            }
            param.allowed = mask(choice) | bit(u'm');
            param.type = u'(';
            pos = end;
            push();
            break;
        }
        case u'<':
            if (previous->type == u'a' || previous->type == u'f') {
                const qsizetype end = closing(text, pos, u'<', u'>');
                previous->subtype = text.mid(pos + 1, end - pos - 1).toString();
                pos = end;
            } else {
                throw JsonataException(u"S0401"_s, int(pos),
                                       u"Type parameters can only be applied to functions and arrays"_s);
            }
            break;
        default:
            break;
        }
    }
    sig->m_params.shrink_to_fit();
    sig->m_plain = true;
    for (const Param &p : sig->m_params)
        sig->m_plain = sig->m_plain && p.max == 1 && !p.lazy;
    return sig;
}

bool Signature::match(const Symbols &symbols, size_t param, size_t symbol, size_t lastParam,
                      bool anchored, Counts &counts) const
{
    if (param > lastParam || param >= m_params.size())
        return !anchored || symbol == size_t(symbols.size());
    const Param &p = m_params[param];
    int available = 0;
    while (symbol + size_t(available) < size_t(symbols.size()) && available < p.max
           && (p.allowed & bit(symbols[qsizetype(symbol) + available])))
        ++available;
    if (available < p.min)
        return false;
    if (p.lazy) {
        for (int c = p.min; c <= available; ++c) {
            counts[param] = c;
            if (match(symbols, param + 1, symbol + size_t(c), lastParam, anchored, counts))
                return true;
        }
    } else {
        for (int c = available; c >= p.min; --c) {
            counts[param] = c;
            if (match(symbols, param + 1, symbol + size_t(c), lastParam, anchored, counts))
                return true;
        }
    }
    return false;
}

void Signature::throwMismatch(const Symbols &symbols, const std::vector<Value> &args,
                              QStringView function) const
{
    // Find the first parameter whose prefix of the signature no longer matches.
    Counts counts(qsizetype(m_params.size()), 0);
    size_t goodTo = 0;
    for (size_t i = 0; i < m_params.size(); ++i) {
        if (!match(symbols, 0, 0, i, false, counts))
            break;
        goodTo = 0;
        for (size_t j = 0; j <= i; ++j)
            goodTo += size_t(counts[j]);
    }
    const Value bad = goodTo < args.size() ? args[goodTo] : Value();
    throw JsonataException(u"T0410"_s, -1,
                           u"Argument %1 of function %2 does not match function signature"_s
                               .arg(goodTo + 1).arg(function),
                           function.toString(), bad);
}

bool Signature::acceptsAsGiven(std::vector<Value> &args) const
{
    // At most one argument per parameter, each of an accepted type, nothing to wrap or
    // fill in from the context: the assignment a greedy match finds first, and the call
    // needs no rewriting beyond undefined for trailing optional parameters.
    if (!m_plain || args.size() > m_params.size())
        return false;
    for (size_t i = args.size(); i < m_params.size(); ++i) {
        if (m_params[i].min > 0 || m_params[i].context)
            return false;
    }
    for (size_t i = 0; i < args.size(); ++i) {
        const Param &p = m_params[i];
        const char16_t symbol = signatureSymbol(args[i]);
        if (!(p.allowed & bit(symbol)))
            return false;
        if (p.type != u'a' || symbol == u'm')
            continue;
        if (symbol != u'a')
            return false;   // to be wrapped
        if (!p.subtype.isEmpty()) {
            const Data::Array &items = args[i].toArray();
            for (const Value &item : items) {
                if (signatureSymbol(item) != p.subtype[0].unicode())
                    return false;
            }
        }
    }
    args.resize(m_params.size());
    return true;
}

void Signature::validate(std::vector<Value> &args, const Value &context, QStringView function) const
{
    if (acceptsAsGiven(args))
        return;
    Symbols symbols;
    for (const Value &arg : args)
        symbols.append(signatureSymbol(arg));
    Counts counts(qsizetype(m_params.size()), 0);
    if (!match(symbols, 0, 0, m_params.size(), true, counts))
        throwMismatch(symbols, args, function);

    // Most calls pass exactly what the function declares: nothing to rewrite.
    bool rewrite = args.size() != m_params.size();
    for (size_t i = 0; i < m_params.size() && !rewrite; ++i) {
        const Param &p = m_params[i];
        if (counts[qsizetype(i)] != 1)
            rewrite = true;
        else if (p.type == u'a' && (symbols[qsizetype(i)] != u'a' || !p.subtype.isEmpty()))
            rewrite = true;
    }
    if (!rewrite)
        return;

    std::vector<Value> out;
    out.reserve(m_params.size() + args.size());
    size_t argIndex = 0;
    size_t symbolIndex = 0;
    auto argAt = [&](size_t i) { return i < args.size() ? args[i] : Value(); };
    for (size_t i = 0; i < m_params.size(); ++i) {
        const Param &p = m_params[i];
        const int count = counts[qsizetype(i)];
        if (count == 0) {
            if (p.context) {
                if (p.contextAllowed & bit(signatureSymbol(context))) {
                    out.push_back(context);
                } else {
                    throw JsonataException(
                        u"T0411"_s, -1,
                        u"Context value is not a compatible type with argument %1 of function %2"_s
                            .arg(argIndex + 1).arg(function),
                        function.toString(), context);
                }
            } else {
                out.push_back(argAt(argIndex));
                ++argIndex;
            }
            continue;
        }
        for (int k = 0; k < count; ++k) {
            const char16_t single = symbols[qsizetype(symbolIndex) + k];
            Value arg = argAt(argIndex);
            if (p.type == u'a') {
                if (single == u'm') {
                    arg = Value();
                } else {
                    bool ok = true;
                    if (!p.subtype.isEmpty()) {
                        if (single != u'a') {
                            ok = count == 1 && p.subtype.size() == 1 && p.subtype[0] == single;
                        } else if (arg.size() > 0) {
                            const Data::Array &items = arg.toArray();
                            const char16_t itemType = signatureSymbol(items.front());
                            ok = itemType == p.subtype[0].unicode();
                            for (size_t n = 1; ok && n < items.size(); ++n)
                                ok = signatureSymbol(items[n]) == itemType;
                        }
                    }
                    if (!ok) {
                        throw JsonataException(
                            u"T0412"_s, -1,
                            u"Argument %1 of function %2 must be an array of %3"_s
                                .arg(argIndex + 1).arg(function, pluralOf(p.subtype)),
                            function.toString(), arg);
                    }
                    if (single != u'a')
                        arg = Value(Data::Array{std::move(arg)});
                }
            }
            out.push_back(std::move(arg));
            ++argIndex;
        }
        symbolIndex += size_t(count);
    }
    args = std::move(out);
}

} // namespace Conflux::Mapping::Internal
