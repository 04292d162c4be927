#include "yaml.h"


#include <QCoreApplication>
#include <QRegularExpression>

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <limits>
#include <string>

using namespace Qt::StringLiterals;

namespace Conflux::Data::Yaml {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Data::Yaml)
};

struct Limit
{
    Error error;
};

QString where(const YAML::Mark &mark)
{
    if (mark.is_null())
        return {};
    return Tr::tr(" at line %1, column %2").arg(mark.line + 1).arg(mark.column + 1);
}

// YAML 1.2 core schema for a plain scalar.
Value resolvePlain(const std::string &text)
{
    const QString s = QString::fromStdString(text);
    if (s.isEmpty() || s == u"~" || s == u"null" || s == u"Null" || s == u"NULL")
        return Value(nullptr);
    if (s == u"true" || s == u"True" || s == u"TRUE")
        return Value(true);
    if (s == u"false" || s == u"False" || s == u"FALSE")
        return Value(false);
    static const QRegularExpression decimal(u"^[-+]?[0-9]+$"_s);
    static const QRegularExpression octal(u"^0o[0-7]+$"_s);
    static const QRegularExpression hex(u"^0x[0-9a-fA-F]+$"_s);
    static const QRegularExpression floating(u"^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$"_s);
    static const QRegularExpression infinity(u"^[-+]?\\.(inf|Inf|INF)$"_s);
    static const QRegularExpression nan(u"^\\.(nan|NaN|NAN)$"_s);
    bool ok = false;
    if (decimal.match(s).hasMatch()) {
        const QString digits = s.startsWith(u'+') ? s.mid(1) : s;
        const qint64 n = digits.toLongLong(&ok);
        if (ok)
            return Value(n);
        return Value(digits.toDouble());
    }
    if (octal.match(s).hasMatch()) {
        const qint64 n = s.mid(2).toLongLong(&ok, 8);
        if (ok)
            return Value(n);
    }
    if (hex.match(s).hasMatch()) {
        const qint64 n = s.mid(2).toLongLong(&ok, 16);
        if (ok)
            return Value(n);
    }
    if (floating.match(s).hasMatch()) {
        const double d = s.toDouble(&ok);
        if (ok && std::isfinite(d))
            return Value(d);
    }
    if (infinity.match(s).hasMatch())
        return Value(s.startsWith(u'-') ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity());
    if (nan.match(s).hasMatch())
        return Value(std::numeric_limits<double>::quiet_NaN());
    return Value(s);
}

class Converter
{
public:
    explicit Converter(const ReadOptions &options) : m_options(options) { }

    Value convert(const YAML::Node &node, int depth)
    {
        if (++m_nodes > m_options.maxNodes)
            throw Limit{makeError("yaml_limit", Tr::tr("The YAML document expands to more than %1 values%2 "
                                                       "(aliases are counted each time they are used)")
                                                    .arg(m_options.maxNodes)
                                                    .arg(where(node.Mark())))};
        if (depth > m_options.maxDepth)
            throw Limit{makeError("yaml_limit", Tr::tr("The YAML document nests deeper than %1 levels%2")
                                                    .arg(m_options.maxDepth)
                                                    .arg(where(node.Mark())))};
        switch (node.Type()) {
        case YAML::NodeType::Undefined:
        case YAML::NodeType::Null:
            return Value(nullptr);
        case YAML::NodeType::Scalar: {
            const std::string &tag = node.Tag();
            if (tag == "?")
                return resolvePlain(node.Scalar());
            if (tag == "!" || tag == "tag:yaml.org,2002:str")
                return Value(QString::fromStdString(node.Scalar()));
            return resolvePlain(node.Scalar()); // !!int, !!float, !!bool, !!null and custom tags
        }
        case YAML::NodeType::Sequence: {
            Array items;
            items.reserve(node.size());
            for (const YAML::Node &item : node)
                items.push_back(convert(item, depth + 1));
            return Value(std::move(items));
        }
        case YAML::NodeType::Map: {
            Object members;
            for (auto it = node.begin(); it != node.end(); ++it) {
                if (!it->first.IsScalar() && !it->first.IsNull()) {
                    throw Limit{makeError("yaml_key", Tr::tr("A mapping key is not a scalar%1")
                                                          .arg(where(it->first.Mark())))};
                }
                const QString key = it->first.IsNull() ? QString() : QString::fromStdString(it->first.Scalar());
                if (members.contains(key)) {
                    throw Limit{makeError("yaml_key", Tr::tr("The key \"%1\" appears twice in one mapping%2")
                                                          .arg(key, where(it->first.Mark())))};
                }
                members.insert(key, convert(it->second, depth + 1));
            }
            return Value(std::move(members));
        }
        }
        return Value(nullptr);
    }

private:
    const ReadOptions &m_options;
    qint64 m_nodes = 0;
};

qint64 byteOffset(QByteArrayView text, const YAML::Mark &mark)
{
    return mark.is_null() || mark.pos < 0 || mark.pos > text.size() ? -1 : qint64(mark.pos);
}

} // namespace

Result<Value> parse(QByteArrayView utf8, const ReadOptions &options)
{
    if (utf8.size() > options.maxBytes) {
        return makeError("yaml_limit",
                         Tr::tr("The YAML document is larger than %1 bytes").arg(options.maxBytes));
    }
    try {
        const YAML::Node root = YAML::Load(std::string(utf8.data(), size_t(utf8.size())));
        Converter converter(options);
        return converter.convert(root, 0);
    } catch (const Limit &limit) {
        return limit.error;
    } catch (const YAML::ParserException &e) {
        Error error = makeError("yaml_syntax", Tr::tr("YAML syntax error%1: %2")
                                                   .arg(where(e.mark), QString::fromStdString(e.msg)));
        error.offset = byteOffset(utf8, e.mark);
        return error;
    } catch (const YAML::Exception &e) {
        Error error = makeError("yaml_syntax", Tr::tr("The YAML document cannot be read%1: %2")
                                                   .arg(where(e.mark), QString::fromStdString(e.msg)));
        error.offset = byteOffset(utf8, e.mark);
        return error;
    }
}

} // namespace Conflux::Data::Yaml
