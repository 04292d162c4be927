#pragma once

#include <QCoreApplication>

namespace Conflux::Sap::Internal {

// Translates the SAP module's messages for people (errors); logs stay in English.
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Sap)
};

} // namespace Conflux::Sap::Internal
