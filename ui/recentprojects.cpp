#include "recentprojects.h"

#include <QDir>
#include <QSettings>

using namespace Qt::StringLiterals;

namespace Conflux::Ui::RecentProjects {
namespace {
constexpr QLatin1String key("recentProjects");
}

QStringList list()
{
    QSettings settings;
    const QStringList stored = settings.value(key).toStringList();
    QStringList existing;
    for (const QString &folder : stored) {
        if (QDir(folder).exists() && !existing.contains(folder))
            existing.append(folder);
    }
    existing = existing.mid(0, maximum);
    if (existing != stored)
        settings.setValue(key, existing);
    return existing;
}

void add(const QString &folder)
{
    const QString clean = QDir::cleanPath(QDir(folder).absolutePath());
    QStringList folders = list();
    folders.removeAll(clean);
    folders.prepend(clean);
    QSettings().setValue(key, folders.mid(0, maximum));
}

void clear()
{
    QSettings().remove(key);
}

} // namespace Conflux::Ui::RecentProjects
