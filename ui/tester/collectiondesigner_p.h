#pragma once

// Shared by the two files of CollectionDesigner: collectiondesigner.cpp (the tree and the
// editors) and collectionrun.cpp (sending, runs, history, curl, Postman).

#include "collectiondesigner.h"
#include "model/project.h"

#include <QJsonObject>
#include <QStringList>

namespace Conflux::Ui {

// What a send needs from the project besides the collection, read on a worker thread.
struct CollectionDesigner::ProjectInfo
{
    QList<Tester::Environment> environments;
    QList<QJsonObject> environmentDocuments;   // for the secret references they hold
    QStringList environmentProblems;           // environments that could not be read
    QStringList endpointIds;
    QStringList routeIds;
    QStringList collectionIds;
    // Loaded only when a request needs the project's endpoints; null then when it has errors.
    std::shared_ptr<const Model::Project> project;
};

} // namespace Conflux::Ui
