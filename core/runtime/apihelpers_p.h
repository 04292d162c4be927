#pragma once

#include "gateway/httprequest.h"
#include "gateway/httpresponse.h"
#include "base/result.h"
#include "data/value.h"

#include <optional>

// What the admin API modules (endpoints, broker, sync) share to answer requests.

namespace Conflux::Runtime::Internal {

// A JSON body with the status.
Http::HttpResponse jsonResponse(int status, const Data::Value &value);
// A boolean query parameter: true/1 or false/0; `fallback` when absent; empty when it is
// anything else.
std::optional<bool> booleanParameter(const Http::HttpRequest &request, const QString &name, bool fallback);
// "invalid_request": query parameter <name>: expected <expected>.
Error badParameter(const QString &name, const QString &expected);

} // namespace Conflux::Runtime::Internal
