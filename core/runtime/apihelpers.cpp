#include "apihelpers_p.h"

#include "data/json.h"

#include <QCoreApplication>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace Conflux::Runtime::Internal {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Runtime::AdminApi)
};

} // namespace

Http::HttpResponse jsonResponse(int status, const Data::Value &value)
{
    return Http::HttpResponse(status, Data::Json::serialize(value), "application/json");
}

std::optional<bool> booleanParameter(const Http::HttpRequest &request, const QString &name, bool fallback)
{
    if (!request.query.hasQueryItem(name))
        return fallback;
    const QString value = request.query.queryItemValue(name, QUrl::FullyDecoded);
    if (value == u"true" || value == u"1")
        return true;
    if (value == u"false" || value == u"0")
        return false;
    return std::nullopt;
}

Error badParameter(const QString &name, const QString &expected)
{
    return makeError("invalid_request", Tr::tr("query parameter %1: expected %2").arg(name, expected));
}

} // namespace Conflux::Runtime::Internal
