#pragma once

#include <QCoreApplication>

// What the parts of the REST API model share: restapi.cpp (the model's lookups and the catalog
// folder), restapiparser.cpp (reading definitions and endpoint configurations) and
// resthelpers.cpp (the Rest:: helpers).

namespace Conflux::Connectors::Internal::RestApiDetail {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Connectors::RestApi)
};

} // namespace Conflux::Connectors::Internal::RestApiDetail
