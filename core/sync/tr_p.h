#pragma once

#include <QCoreApplication>

namespace Conflux::Sync {

// Translatable text of the sync engine.
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Sync)
};

} // namespace Conflux::Sync
