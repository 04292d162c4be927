#pragma once

#include <QCoreApplication>

namespace Conflux::Store::Internal {

// Translates the store's messages for people (errors); logs stay in English.
// Operation names passed around as const char * are marked with
// QT_TRANSLATE_NOOP("Conflux::Store", ...) and translated where the message is built.
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Store)
};

} // namespace Conflux::Store::Internal
