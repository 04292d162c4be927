#pragma once

#include <QStringList>

namespace Conflux::Ui::RecentProjects {

// The recently opened project folders, newest first, kept in QSettings ("recentProjects").
inline constexpr int maximum = 10;

// The list with folders that no longer exist removed (and the settings updated).
QStringList list();
void add(const QString &folder);
void clear();

} // namespace Conflux::Ui::RecentProjects
