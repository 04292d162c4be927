#pragma once

#include <QCoreApplication>

namespace Conflux::Tester::Internal {

// Translations of the tester's messages (docs/tester.md); non-QObject code uses Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Tester)
};

} // namespace Conflux::Tester::Internal
