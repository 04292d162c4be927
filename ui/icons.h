#pragma once

#include "model/documentkind.h"

#include <QIcon>

namespace Conflux::Ui::Icons {

// The studio's own icons (resources/icons, embedded under :/conflux/icons).
QIcon kind(Model::DocumentKind kind);
QIcon folder();
QIcon app();
QIcon engineRunning();
QIcon engineStopped();
QIcon error();

} // namespace Conflux::Ui::Icons
