#include "collectiondesigner.h"
#include "collectiondesigner_p.h"

#include "autheditor.h"
#include "containereditor.h"
#include "historypanel.h"
#include "icons.h"
#include "requesteditor.h"
#include "responseview.h"
#include "runreportview.h"

#include "tester/history.h"


#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

namespace {

constexpr int PathRole = Qt::UserRole + 1;

QString pathKey(const QList<int> &path)
{
    QStringList parts;
    for (int i : path)
        parts.append(QString::number(i));
    return parts.join(u'/');
}

QList<int> pathFromKey(const QString &key)
{
    QList<int> path;
    for (const QString &part : key.split(u'/', Qt::SkipEmptyParts))
        path.append(part.toInt());
    return path;
}

// The items a path's last index is in, or nullptr.
QList<Tester::Item> *siblingsOf(Tester::Collection &collection, const QList<int> &path)
{
    QList<Tester::Item> *level = &collection.items;
    for (qsizetype i = 0; i + 1 < path.size(); ++i) {
        if (path.at(i) < 0 || path.at(i) >= level->size() || !(*level)[path.at(i)].isFolder)
            return nullptr;
        level = &(*level)[path.at(i)].items;
    }
    return level;
}

Tester::Item *itemAt(Tester::Collection &collection, const QList<int> &path)
{
    QList<Tester::Item> *level = path.isEmpty() ? nullptr : siblingsOf(collection, path);
    if (!level || path.last() < 0 || path.last() >= level->size())
        return nullptr;
    return &(*level)[path.last()];
}

const Tester::Item *itemAt(const Tester::Collection &collection, const QList<int> &path)
{
    return itemAt(const_cast<Tester::Collection &>(collection), path);
}

} // namespace

CollectionDesigner::CollectionDesigner(JsonEditor *source, DesignerContext context, QWidget *parent)
    : DocumentDesigner(source, std::move(context), parent)
{
    m_io.setMaxThreadCount(1);
    if (!this->context().projectFolder.isEmpty())
        m_historyFile = std::make_shared<Tester::History>(this->context().projectFolder);

    // The bar above everything: environment, gateway, run, Postman.
    m_environment = new QComboBox;
    m_environment->setObjectName(u"environment"_s);
    m_environment->setMinimumContentsLength(14);
    m_environment->setToolTip(tr("The environment whose variables fill the {{names}} (Ctrl+E)"));
    auto *environmentLabel = new QLabel(tr("En&vironment"));
    environmentLabel->setBuddy(m_environment);
    m_viaGateway = new QCheckBox(tr("Through the local &gateway"));
    m_viaGateway->setObjectName(u"viaGateway"_s);
    m_viaGateway->setToolTip(tr("Requests that name a route go to the local engine's gateway instead of their URL"));
    m_runButton = new QPushButton(tr("&Run Collection"));
    m_runButton->setObjectName(u"runCollection"_s);
    m_runButton->setToolTip(tr("Send every request in order and check it (Ctrl+Shift+Return)"));
    // Wide enough for both of its texts: it reads "Stop Run" while a run goes on.
    m_runButton->setMinimumWidth(qMax(m_runButton->fontMetrics().horizontalAdvance(tr("Run Collection")),
                                      m_runButton->fontMetrics().horizontalAdvance(tr("Stop Run")))
                                 + 32);
    auto *postman = new QToolButton;
    postman->setObjectName(u"postmanMenu"_s);
    postman->setText(tr("Postman"));
    postman->setPopupMode(QToolButton::InstantPopup);
    auto *postmanMenu = new QMenu(postman);
    postmanMenu->addAction(tr("&Import Postman Collection…"), this, &CollectionDesigner::chooseImportFile);
    postmanMenu->addAction(tr("&Export as Postman Collection…"), this, &CollectionDesigner::chooseExportFile);
    postman->setMenu(postmanMenu);
    auto *bar = new QHBoxLayout;
    bar->addWidget(environmentLabel);
    bar->addWidget(m_environment);
    bar->addSpacing(12);
    bar->addWidget(m_viaGateway);
    bar->addStretch(1);
    bar->addWidget(m_runButton);
    bar->addWidget(postman);

    // The collection tree.
    m_tree = new QTreeWidget;
    m_tree->setObjectName(u"collectionTree"_s);
    m_tree->setColumnCount(2);
    m_tree->setHeaderHidden(true);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_tree->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_tree->setEditTriggers(QAbstractItemView::EditKeyPressed | QAbstractItemView::DoubleClicked);
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    auto *addRequestButton = new QToolButton;
    addRequestButton->setText(tr("+ Request"));
    addRequestButton->setObjectName(u"addRequest"_s);
    addRequestButton->setToolTip(tr("A new request in the selected folder (Ctrl+Alt+N)"));
    auto *addFolderButton = new QToolButton;
    addFolderButton->setText(tr("+ Folder"));
    addFolderButton->setObjectName(u"addFolder"_s);
    auto *treeButtons = new QHBoxLayout;
    treeButtons->setContentsMargins(0, 0, 0, 0);
    treeButtons->addWidget(addRequestButton);
    treeButtons->addWidget(addFolderButton);
    treeButtons->addStretch(1);
    auto *left = new QWidget;
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addLayout(treeButtons);
    leftLayout->addWidget(m_tree, 1);

    // The selected item over the output.
    m_request = new RequestEditor;
    m_container = new ContainerEditor;
    m_editors = new QStackedWidget;
    m_editors->addWidget(m_container);
    m_editors->addWidget(m_request);
    m_response = new ResponseView;
    m_runReport = new RunReportView;
    m_history = new HistoryPanel;
    m_output = new QTabWidget;
    m_output->setObjectName(u"outputTabs"_s);
    m_output->setDocumentMode(true);
    m_output->insertTab(ResponseTab, m_response, tr("Response"));
    m_output->insertTab(RunTab, m_runReport, tr("Run"));
    m_output->insertTab(HistoryTab, m_history, tr("History"));
    auto *right = new QSplitter(Qt::Vertical);
    right->addWidget(m_editors);
    right->addWidget(m_output);
    right->setStretchFactor(0, 1);
    right->setStretchFactor(1, 1);
    right->setSizes({400, 500});
    auto *split = new QSplitter(Qt::Horizontal);
    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(1, 1);
    split->setSizes({240, 760});

    m_unreadable = new QLabel;
    m_unreadable->setWordWrap(true);
    m_unreadable->setStyleSheet(u"color: #b3261e"_s);
    m_unreadable->hide();
    m_status = new QLabel;
    m_status->setObjectName(u"testerStatus"_s);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_unreadable);
    layout->addWidget(split, 1);
    layout->addWidget(m_status);

    m_sender = new Tester::CollectionRunner(this);
    m_runner = new Tester::CollectionRunner(this);

    connect(m_tree, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) {
        if (!item)
            return;
        m_current = pathFromKey(item->data(0, PathRole).toString());
        showCurrent();
    });
    connect(m_tree, &QTreeWidget::itemChanged, this, &CollectionDesigner::onTreeItemChanged);
    connect(m_tree, &QTreeWidget::itemCollapsed, this,
            [this](QTreeWidgetItem *item) { m_collapsed.insert(item->data(0, PathRole).toString()); });
    connect(m_tree, &QTreeWidget::itemExpanded, this,
            [this](QTreeWidgetItem *item) { m_collapsed.remove(item->data(0, PathRole).toString()); });
    connect(m_tree, &QWidget::customContextMenuRequested, this, &CollectionDesigner::showTreeMenu);
    connect(addRequestButton, &QToolButton::clicked, this, &CollectionDesigner::addRequest);
    connect(addFolderButton, &QToolButton::clicked, this, &CollectionDesigner::addFolder);
    connect(m_request, &RequestEditor::edited, this, &CollectionDesigner::storeRequest);
    connect(m_request, &RequestEditor::sendRequested, this, &CollectionDesigner::send);
    connect(m_request, &RequestEditor::cancelRequested, this, &CollectionDesigner::cancelSend);
    connect(m_container, &ContainerEditor::edited, this, &CollectionDesigner::storeContainer);
    connect(m_runButton, &QPushButton::clicked, this, [this] {
        if (isRunning())
            stopRun();
        else
            run();
    });
    connect(m_runReport, &RunReportView::stopRequested, this, &CollectionDesigner::stopRun);
    connect(m_runReport, &RunReportView::resultActivated, this, [this](const Tester::RequestResult &result) {
        showResult(result);
        m_output->setCurrentIndex(ResponseTab);
    });
    connect(m_history, &HistoryPanel::entryActivated, this, [this](const Tester::HistoryEntry &entry) {
        m_response->setResponse({entry.status, QString::fromUtf8(entry.reason), entry.responseHeaders,
                                 entry.responseBody, entry.elapsedMs, entry.error});
        setStatus(tr("From the history: %1 %2, sent %3")
                      .arg(QString::fromLatin1(entry.method), entry.url,
                           entry.time.toLocalTime().toString(u"yyyy-MM-dd HH:mm:ss"_s)));
        m_output->setCurrentIndex(ResponseTab);
    });
    connect(m_history, &HistoryPanel::clearRequested, this, &CollectionDesigner::clearHistory);
    connect(m_environment, &QComboBox::activated, this, [this] {
        if (this->context().projectFolder.isEmpty())
            return;
        QSettings settings;
        settings.setValue(u"tester/environment/"_s + this->context().projectFolder, m_environment->currentData());
    });

    connect(m_sender, &Tester::CollectionRunner::requestFinished, this,
            [this](int, const Tester::RequestResult &result) { onSendFinished(result); });
    connect(m_sender, &Tester::CollectionRunner::finished, this, [this] {
        updateSending();
        Q_EMIT sendFinished(m_lastSend);
    });
    connect(m_runner, &Tester::CollectionRunner::requestStarted, this, [this](int, const QString &name) {
        setStatus(tr("Running: %1…").arg(name));
    });
    connect(m_runner, &Tester::CollectionRunner::requestFinished, this,
            [this](int, const Tester::RequestResult &result) {
                m_runReport->addResult(result);
                recordHistory(result);
            });
    connect(m_runner, &Tester::CollectionRunner::finished, this, [this](const Tester::RunReport &report) {
        m_runReport->finish(report);
        m_runButton->setText(tr("&Run Collection"));
        setStatus(m_runReport->summaryLabel()->text(), !report.passed());
        Q_EMIT runFinished(report);
    });

    // Shortcuts of the tester; the main window's own do not use these keys.
    auto shortcut = [this](const QKeySequence &key, auto slot) {
        auto *s = new QShortcut(key, this);
        s->setContext(Qt::WidgetWithChildrenShortcut);
        connect(s, &QShortcut::activated, this, slot);
        return s;
    };
    shortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), [this] { send(); });
    shortcut(QKeySequence(Qt::CTRL | Qt::Key_Enter), [this] { send(); });
    shortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Return), [this] { run(); });
    shortcut(QKeySequence(Qt::CTRL | Qt::Key_L), [this] {
        if (m_editors->currentWidget() == m_request) {
            m_request->urlEdit()->setFocus(Qt::ShortcutFocusReason);
            m_request->urlEdit()->selectAll();
        }
    });
    shortcut(QKeySequence(Qt::CTRL | Qt::Key_E), [this] {
        m_environment->setFocus(Qt::ShortcutFocusReason);
        m_environment->showPopup();
    });
    shortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C), [this] { copyAsCurl(false); });
    shortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_N), [this] { addRequest(); });
    // Esc cancels only while something is in flight: otherwise it belongs to the editors.
    m_escape = shortcut(QKeySequence(Qt::Key_Escape), [this] {
        if (isSending())
            cancelSend();
        else if (isRunning())
            stopRun();
    });
    m_escape->setEnabled(false);
    auto treeKey = [this](const QKeySequence &key, auto slot) {
        auto *s = new QShortcut(key, m_tree);
        s->setContext(Qt::WidgetShortcut);
        connect(s, &QShortcut::activated, this, slot);
    };
    treeKey(QKeySequence(Qt::Key_Delete), [this] { removeCurrent(); });
    treeKey(QKeySequence(Qt::CTRL | Qt::Key_D), [this] { duplicateCurrent(); });
    treeKey(QKeySequence(Qt::ALT | Qt::Key_Up), [this] { moveCurrent(-1); });
    treeKey(QKeySequence(Qt::ALT | Qt::Key_Down), [this] { moveCurrent(1); });

    m_environment->addItem(tr("No environment"), QString());
    reloadProject();
    loadHistory();
}

CollectionDesigner::~CollectionDesigner()
{
    m_tree->disconnect(this);
    m_io.waitForDone();
}

void CollectionDesigner::showEvent(QShowEvent *event)
{
    DocumentDesigner::showEvent(event);
    // Environments or routes may have been added while another tab was shown.
    reloadProject();
}

// ---------------------------------------------------------------------------------------
// The document

void CollectionDesigner::documentChanged(const QJsonObject &document)
{
    Result<Tester::Collection> collection = Tester::Collection::fromJson(document);
    if (!collection) {
        documentUnreadable(collection.error().toString());
        return;
    }
    m_valid = true;
    m_unreadable->hide();
    m_tree->setEnabled(true);
    m_editors->setEnabled(true);
    m_collection = std::move(*collection);
    buildTree();
    showCurrent();
}

void CollectionDesigner::documentUnreadable(const QString &message)
{
    m_valid = false;
    m_unreadable->setText(tr("The collection cannot be shown (%1). Fix it in the JSON view; the tester is read-only "
                             "until then.")
                              .arg(message));
    m_unreadable->show();
    m_tree->setEnabled(false);
    m_editors->setEnabled(false);
}

void CollectionDesigner::commitCollection(const QString &mergeKey)
{
    // Members the typed collection does not hold (metadata, say) stay as they are.
    QJsonObject document = this->document();
    const QJsonObject written = m_collection.toJson();
    for (const QString &key : {u"description"_s, u"variables"_s, u"auth"_s}) {
        if (!written.contains(key))
            document.remove(key);
    }
    for (auto it = written.begin(); it != written.end(); ++it)
        document.insert(it.key(), it.value());
    commit(document, mergeKey);
}

void CollectionDesigner::buildTree()
{
    // The shape: each item's path, kind, name and method. Rebuilding only when it changes
    // keeps a name being edited in the tree, and the selection, as they are.
    QStringList shape{m_collection.name};
    std::function<void(const QList<Tester::Item> &, const QString &)> walk =
        [&](const QList<Tester::Item> &items, const QString &prefix) {
            for (qsizetype i = 0; i < items.size(); ++i) {
                const Tester::Item &item = items.at(i);
                const QString key = prefix.isEmpty() ? QString::number(i) : prefix + u'/' + QString::number(i);
                shape.append(u"%1|%2|%3|%4"_s.arg(key, item.isFolder ? u"F"_s : u"R"_s, item.name,
                                                   item.isFolder ? QString() : item.request.method));
                walk(item.items, key);
            }
        };
    walk(m_collection.items, QString());
    if (shape == m_treeShape || m_renaming)
        return;
    const bool first = m_treeShape.isEmpty() && m_tree->topLevelItemCount() == 0;
    m_treeShape = shape;

    const QSignalBlocker blocker(m_tree);
    m_tree->clear();
    auto *root = new QTreeWidgetItem(m_tree, {m_collection.name});
    root->setIcon(0, Icons::kind(Model::DocumentKind::Collection));
    root->setData(0, PathRole, QString());
    root->setFlags(root->flags() | Qt::ItemIsEditable);
    std::function<void(QTreeWidgetItem *, const QList<Tester::Item> &, const QList<int> &)> add =
        [&](QTreeWidgetItem *parent, const QList<Tester::Item> &items, const QList<int> &path) {
            for (qsizetype i = 0; i < items.size(); ++i) {
                const Tester::Item &item = items.at(i);
                QList<int> here = path;
                here.append(int(i));
                auto *node = new QTreeWidgetItem(parent, {item.name});
                node->setData(0, PathRole, pathKey(here));
                node->setFlags(node->flags() | Qt::ItemIsEditable);
                if (item.isFolder) {
                    node->setIcon(0, Icons::folder());
                    add(node, item.items, here);
                } else {
                    node->setText(1, item.request.method);
                    node->setForeground(1, item.request.method == u"GET" ? QColor(0x1b, 0x7f, 0x3b)
                                           : item.request.method == u"DELETE" ? QColor(0xb3, 0x26, 0x1e)
                                                                               : QColor(0x8a, 0x5a, 0x00));
                    node->setToolTip(0, item.request.url);
                }
                node->setExpanded(!m_collapsed.contains(pathKey(here)));
            }
        };
    add(root, m_collection.items, {});
    root->setExpanded(true);
    QTreeWidgetItem *current = first ? nullptr : itemForPath(m_current);
    if (!current) {
        // The first request, as Postman opens a collection.
        m_current.clear();
        current = root;
        for (QTreeWidgetItemIterator it(m_tree); *it; ++it) {
            if (!(*it)->text(1).isEmpty()) {
                current = *it;
                m_current = pathFromKey(current->data(0, PathRole).toString());
                break;
            }
        }
    }
    m_tree->setCurrentItem(current);
}

QTreeWidgetItem *CollectionDesigner::itemForPath(const QList<int> &path) const
{
    QTreeWidgetItem *item = m_tree->topLevelItem(0);
    for (int index : path) {
        if (!item || index < 0 || index >= item->childCount())
            return nullptr;
        item = item->child(index);
    }
    return item;
}

void CollectionDesigner::selectPath(const QList<int> &path)
{
    if (QTreeWidgetItem *item = itemForPath(path))
        m_tree->setCurrentItem(item);
}

QString CollectionDesigner::inheritedAuthText(const QList<int> &path) const
{
    // What the item would get if it inherited: its parent's effective authentication.
    const QList<int> parent = path.mid(0, path.size() - 1);
    const Tester::Auth auth = Tester::effectiveAuth(m_collection, parent);
    QString from = tr("the collection");
    QList<int> walk = parent;
    while (!walk.isEmpty()) {
        const Tester::Item *item = itemAt(m_collection, walk);
        if (item && item->auth.type != Tester::Auth::Type::Inherit) {
            from = tr("the folder %1").arg(item->name);
            break;
        }
        walk.removeLast();
    }
    if (auth.type == Tester::Auth::Type::None || auth.type == Tester::Auth::Type::Inherit)
        return tr("Nothing around it sets authentication: the request is sent without credentials.");
    return tr("%1, from %2.").arg(AuthEditor::typeLabel(auth.type), from);
}

void CollectionDesigner::showCurrent()
{
    const Tester::Item *item = itemAt(m_collection, m_current);
    const QStringList endpoints = m_project ? m_project->endpointIds : QStringList();
    if (item && !item->isFolder) {
        m_request->setItem(*item);
        m_request->setInheritedAuthDescription(inheritedAuthText(m_current));
        m_editors->setCurrentWidget(m_request);
        return;
    }
    ContainerEditor::Settings settings;
    if (item) {
        settings = {item->name, item->description, item->auth, {}};
        m_container->setSettings(settings, false,
                                 tr("%n request(s) in this folder", nullptr,
                                    int(std::count_if(item->items.begin(), item->items.end(),
                                                      [](const Tester::Item &i) { return !i.isFolder; }))));
        m_container->setInheritedAuthDescription(inheritedAuthText(m_current));
    } else {
        settings = {m_collection.name, m_collection.description, m_collection.auth, m_collection.variables};
        m_container->setSettings(settings, true, tr("%n request(s)", nullptr, m_collection.requestCount()));
    }
    m_editors->setCurrentWidget(m_container);
}

void CollectionDesigner::storeRequest(const QString &what)
{
    Tester::Item *item = itemAt(m_collection, m_current);
    if (!m_valid || !item || item->isFolder)
        return;
    *item = m_request->item();
    commitCollection(u"request/%1/%2"_s.arg(pathKey(m_current), what));
    buildTree();   // a new method shows in the tree
}

void CollectionDesigner::storeContainer(const QString &what)
{
    if (!m_valid)
        return;
    const ContainerEditor::Settings settings = m_container->settings();
    if (Tester::Item *item = itemAt(m_collection, m_current)) {
        item->name = settings.name;
        item->description = settings.description;
        item->auth = settings.auth;
    } else if (m_current.isEmpty()) {
        m_collection.name = settings.name;
        m_collection.description = settings.description;
        m_collection.auth = settings.auth;
        m_collection.variables = settings.variables;
    } else {
        return;
    }
    commitCollection(u"container/%1/%2"_s.arg(pathKey(m_current), what));
    buildTree();
}

void CollectionDesigner::onTreeItemChanged(QTreeWidgetItem *node, int column)
{
    if (column != 0 || !m_valid)
        return;
    const QList<int> path = pathFromKey(node->data(0, PathRole).toString());
    const QString name = node->text(0).trimmed();
    Tester::Item *item = itemAt(m_collection, path);
    QString &stored = item ? item->name : m_collection.name;
    if (name.isEmpty() || name == stored) {
        const QSignalBlocker blocker(m_tree);
        node->setText(0, stored);   // an empty name is not a name
        return;
    }
    stored = name;
    // The tree is rebuilt after the item's editor has closed, not under it.
    m_renaming = true;
    commitCollection();
    m_renaming = false;
    QMetaObject::invokeMethod(this, [this] {
        buildTree();
        showCurrent();
    }, Qt::QueuedConnection);
}

// ---------------------------------------------------------------------------------------
// Editing the tree

void CollectionDesigner::insertItem(const Tester::Item &item, bool edit)
{
    if (!m_valid)
        return;
    // Into the selected folder (or the collection), or after the selected request.
    QList<int> path = m_current;
    const Tester::Item *current = itemAt(m_collection, path);
    QList<Tester::Item> *level = nullptr;
    int index = 0;
    if (!current || current->isFolder) {
        level = current ? &itemAt(m_collection, path)->items : &m_collection.items;
        index = int(level->size());
    } else {
        level = siblingsOf(m_collection, path);
        index = path.takeLast() + 1;
    }
    level->insert(index, item);
    path.append(index);
    commitCollection();
    m_collapsed.remove(pathKey(path.mid(0, path.size() - 1)));
    m_current = path;
    m_treeShape.clear();
    buildTree();
    showCurrent();
    if (edit) {
        if (QTreeWidgetItem *node = itemForPath(path))
            m_tree->editItem(node, 0);
    } else if (!item.isFolder) {
        m_request->urlEdit()->setFocus(Qt::OtherFocusReason);
    }
}

void CollectionDesigner::addRequest()
{
    Tester::Item item;
    item.name = tr("New request");
    insertItem(item, false);
}

void CollectionDesigner::addFolder()
{
    Tester::Item item;
    item.isFolder = true;
    item.name = tr("New folder");
    insertItem(item, true);
}

void CollectionDesigner::duplicateCurrent()
{
    const Tester::Item *item = itemAt(m_collection, m_current);
    if (!item)
        return;
    Tester::Item copy = *item;
    copy.name = tr("%1 copy").arg(item->name);
    // After the original, in its folder.
    QList<int> path = m_current;
    QList<Tester::Item> *level = siblingsOf(m_collection, path);
    level->insert(path.last() + 1, copy);
    path.last() += 1;
    commitCollection();
    m_current = path;
    m_treeShape.clear();
    buildTree();
    showCurrent();
}

void CollectionDesigner::removeCurrent()
{
    if (!m_valid || m_current.isEmpty())
        return;
    QList<Tester::Item> *level = siblingsOf(m_collection, m_current);
    if (!level || m_current.last() >= level->size())
        return;
    const QString name = level->at(m_current.last()).name;
    level->removeAt(m_current.last());
    // Undo (Ctrl+Z) brings it back: no question asked.
    commitCollection();
    if (m_current.last() >= level->size())
        m_current.removeLast();
    m_treeShape.clear();
    buildTree();
    showCurrent();
    setStatus(tr("Removed \"%1\" (Undo brings it back)").arg(name));
}

void CollectionDesigner::moveCurrent(int delta)
{
    if (!m_valid || m_current.isEmpty())
        return;
    QList<Tester::Item> *level = siblingsOf(m_collection, m_current);
    const int from = m_current.last();
    const int to = from + delta;
    if (!level || to < 0 || to >= level->size())
        return;
    level->move(from, to);
    commitCollection();
    m_current.last() = to;
    m_treeShape.clear();
    buildTree();
    showCurrent();
}

void CollectionDesigner::showTreeMenu(const QPoint &position)
{
    QMenu menu(this);
    const Tester::Item *item = itemAt(m_collection, m_current);
    const bool request = item && !item->isFolder;
    if (request) {
        menu.addAction(tr("Send"), this, &CollectionDesigner::send);
        menu.addAction(tr("Copy as curl"), this, [this] { copyAsCurl(false); });
        menu.addAction(tr("Copy as curl (credentials masked)"), this, [this] { copyAsCurl(true); });
    } else {
        const QList<int> path = m_current;
        menu.addAction(item ? tr("Run Folder") : tr("Run Collection"), this, [this, path] { run(path); });
    }
    menu.addSeparator();
    menu.addAction(tr("New Request"), this, &CollectionDesigner::addRequest);
    menu.addAction(tr("New Folder"), this, &CollectionDesigner::addFolder);
    if (item) {
        menu.addAction(tr("Rename"), this, [this] {
            if (QTreeWidgetItem *node = m_tree->currentItem())
                m_tree->editItem(node, 0);
        });
        menu.addAction(tr("Duplicate"), this, &CollectionDesigner::duplicateCurrent);
        menu.addAction(tr("Move Up"), this, [this] { moveCurrent(-1); });
        menu.addAction(tr("Move Down"), this, [this] { moveCurrent(1); });
        menu.addAction(tr("Delete"), this, &CollectionDesigner::removeCurrent);
    }
    menu.exec(m_tree->viewport()->mapToGlobal(position));
}

} // namespace Conflux::Ui
