#pragma once

#include "connectors/graphqlconnector.h"

#include <QCoreApplication>
#include <QString>

// Internals shared by the parts of the GraphQL connector: graphqlconnector.cpp (requests and
// responses, testConnection(), discover()), graphqlschema.cpp (introspection),
// graphqlrecords.cpp (read() and write()) and graphqlconfig.cpp (the configuration).

namespace Conflux::Connectors::Internal::GraphQL {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Connectors::GraphQLConnector)
};

using Settings = GraphQLConnector::Settings;
using EntitySettings = GraphQLConnector::EntitySettings;
using MutationSettings = GraphQLConnector::MutationSettings;
using Paging = GraphQLConnector::Paging;

// graphqlconnector.cpp
QString escapePointerSegment(const QString &name);
// Whether the document mentions $name as a whole variable name.
bool mentionsVariable(const QString &document, const QString &name);
Error invalidResponse(const QString &message);

} // namespace Conflux::Connectors::Internal::GraphQL
