#pragma once

// The fixture of tst_mappingdesigner (tst_mappingdesigner.cpp: the trees, lines, rule forms,
// JSONata, preview, keyboard and undo; tst_mappingdesigner_endpoints.cpp: fields from a
// discovered endpoint): one window with the designer over a JsonEditor of a copy of the
// sample project's shop-order-to-erp mapping.

#include "studiotest.h"

#include "jsoneditor.h"
#include "mappingdesigner.h"
#include "model/projectloader.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTreeWidget>

#include <memory>

class QComboBox;

namespace Conflux::Ui {
class EndpointEntityRow;
}

namespace MappingDesignerTest {

inline const QString mappingFile = QStringLiteral("mappings/shop-order-to-erp.json");

// JSON written with single quotes, so that test data needs no escaping (and no raw
// strings, which moc cannot read); the text itself never contains an apostrophe.
inline QJsonObject json(QByteArray text)
{
    text.replace('\'', '"');
    return QJsonDocument::fromJson(text).object();
}

inline QJsonObject ruleOf(const QJsonObject &document, const QString &target)
{
    const QJsonArray rules = document.value(QLatin1String("rules")).toArray();
    for (const QJsonValue &rule : rules) {
        if (rule.toObject().value(QLatin1String("target")).toString() == target)
            return rule.toObject();
    }
    return {};
}

// The output tree's item for `field` in record `record` (0-based), or null.
inline QTreeWidgetItem *outputItem(QTreeWidget *output, int record, const QString &field)
{
    QTreeWidgetItem *top = output->topLevelItem(record);
    if (!top)
        return nullptr;
    for (int i = 0; i < top->childCount(); ++i) {
        if (top->child(i)->text(0) == field)
            return top->child(i);
    }
    return nullptr;
}

} // namespace MappingDesignerTest

class TestMappingDesigner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void treesAndLines();
    void dragSourceOntoTargetCreatesRule();
    void clickLineSelectsRuleAndDeleteRemovesIt();
    void collapsedParentCarriesChildrensLines();
    void ruleFormsEditInPlace();
    void expressionEditor();
    void previewShowsOutputAndViolations();
    void keyboardAddsOpensAndDeletes();
    void targetContextMenuAddsACheck();
    void schemasGiveTheTrees();
    void undoRedoKeepsViewState();
    void unreadableTextDisablesEditing();
    void largeSampleKeepsUiResponsive();
    void badSampleSaysWhyAndKeepsTheOldOne();
    void badRulesAreShownNotFatal();
    void pastedSampleGoesToTheDocument();
    void newMappingFromScratch();
    // tst_mappingdesigner_endpoints.cpp
    void sourceFieldsFromADiscoveredEntity();
    void targetFieldsFromADiscoveredEntity();
    void sourceFieldsFromACsvFilesEndpoint();
    void endpointErrorsAreShownBesideTheRow();

private:
    bool open();
    bool openDocument(const QString &file);
    QString artifact(const QString &name) const
    {
        return QDir(QStringLiteral(CONFLUX_TEST_ARTIFACTS)).filePath(name);
    }
    QJsonObject documentNow() const { return MappingDesignerTest::json(m_editor->text()); }
    bool waitForPreview()
    {
        return QTest::qWaitFor([this] { return m_designer->isPreviewCurrent(); }, 20000);
    }
    // tst_mappingdesigner_endpoints.cpp: adds endpoints/shop-db.json: an SQLite database (data/shop.db) with two tables.
    void writeShopDatabase();
    void writeFile(const QString &relative, const QByteArray &bytes);
    // Opens `combo`'s list and chooses the item with `data` (or text) in it.
    void choose(QComboBox *combo, const QString &data);
    // Clicks Discover on `row` and waits for its answer; returns whether it succeeded.
    bool discover(Conflux::Ui::EndpointEntityRow *row);
    // Presses on a source field, moves over the canvas and releases on a target point.
    void drag(const QString &sourcePath, QWidget *dropOn, const QPoint &dropAt);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_project;
    std::shared_ptr<Conflux::Model::ProjectLoader> m_loader;
    std::unique_ptr<QWidget> m_window;
    Conflux::Ui::JsonEditor *m_editor = nullptr;
    Conflux::Ui::MappingDesigner *m_designer = nullptr;
};
