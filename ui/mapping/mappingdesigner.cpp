#include "mappingdesigner.h"

#include "connectors/connector.h"
#include "data/json.h"
#include "data/schemainference.h"
#include "endpointentityrow.h"
#include "fieldtree.h"
#include "jsonataeditor.h"
#include "mapping/mappingdocument.h"
#include "mappingcanvas.h"
#include "mappingfields.h"
#include "previewpane.h"
#include "ruleform.h"
#include "validationform.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLabel>
#include <QMenu>
#include <QMouseEvent>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <functional>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

namespace {

const QString designerKey = u"x-designer"_s;

QString sampleFileOf(const QJsonObject &document)
{
    return document.value(designerKey).toObject().value(u"sample"_s).toString();
}

// Where the entity picked for a side is remembered (the schema allows x- members only at
// the top level, and x-designer is the designer's own).
QString entityKey(bool source)
{
    return source ? u"source_entity"_s : u"target_entity"_s;
}

QString endpointKey(bool source)
{
    return source ? u"source_endpoint"_s : u"target_endpoint"_s;
}

// A field tree under its side's endpoint row, as one pane of the splitter.
QWidget *withRow(QWidget *row, QWidget *tree)
{
    auto *pane = new QWidget;
    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(row);
    layout->addWidget(tree, 1);
    return pane;
}

} // namespace

MappingDesigner::MappingDesigner(JsonEditor *source, DesignerContext context, QWidget *parent)
    : DocumentDesigner(source, std::move(context), parent)
    , m_previewTimer(new QTimer(this))
    , m_engine(new PreviewEngine(this))
{
    setObjectName(u"mappingDesigner"_s);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);

    auto *vertical = new QSplitter(Qt::Vertical, this);
    layout->addWidget(vertical, 1);
    m_status = new QLabel(this);
    m_status->setObjectName(u"designerStatus"_s);
    m_status->setWordWrap(true);
    m_status->setContentsMargins(4, 0, 4, 2);
    layout->addWidget(m_status);

    // Splitter panes are added explicitly, in order.
    m_panes = new QSplitter(Qt::Horizontal);
    m_panes->setObjectName(u"mappingPanes"_s);
    vertical->addWidget(m_panes);
    m_sourceTree = new FieldTree;
    m_sourceTree->setObjectName(u"sourceTree"_s);
    m_sourceTree->setHeaderLabels({tr("Source field"), tr("Type")});
    m_sourceTree->setPlaceholderText(tr("No source fields yet: give the mapping a source.schema, "
                                        "or open or paste a sample below."));
    m_targetTree = new FieldTree;
    m_targetTree->setObjectName(u"targetTree"_s);
    m_targetTree->setHeaderLabels({tr("Target field"), tr("Type")});
    m_targetTree->setContextMenuPolicy(Qt::CustomContextMenu);
    m_targetTree->setPlaceholderText(tr("No target fields yet: give the mapping a target.schema, "
                                        "or drop a source field here."));
    m_canvas = new MappingCanvas(m_sourceTree, m_targetTree);
    m_sourceRow = new EndpointEntityRow(EndpointEntityRow::Side::Source, this->context().secrets,
                                        this->context().projectFolder);
    m_targetRow = new EndpointEntityRow(EndpointEntityRow::Side::Target, this->context().secrets,
                                        this->context().projectFolder);
    m_side = new QTabWidget;
    for (QWidget *pane : {withRow(m_sourceRow, m_sourceTree), static_cast<QWidget *>(m_canvas),
                          withRow(m_targetRow, m_targetTree), static_cast<QWidget *>(m_side)})
        m_panes->addWidget(pane);
    m_side->setObjectName(u"sidePanel"_s);
    m_ruleForm = new RuleForm(m_side);
    m_side->addTab(m_ruleForm, tr("&Rule"));

    auto *expressionPage = new QWidget(m_side);
    auto *expressionLayout = new QVBoxLayout(expressionPage);
    expressionLayout->setContentsMargins(4, 4, 4, 4);
    m_expressionTitle = new QLabel(tr("Select a rule and press Ctrl+E to see its JSONata."), expressionPage);
    m_expressionTitle->setWordWrap(true);
    expressionLayout->addWidget(m_expressionTitle);
    m_expression = new JsonataEditor(expressionPage);
    expressionLayout->addWidget(m_expression, 1);
    m_expressionStatus = new QLabel(expressionPage);
    m_expressionStatus->setObjectName(u"expressionStatus"_s);
    m_expressionStatus->setWordWrap(true);
    expressionLayout->addWidget(m_expressionStatus);
    m_acceptExpression = new QPushButton(tr("&Accept as expression rule (Ctrl+Return)"), expressionPage);
    m_acceptExpression->setObjectName(u"acceptExpression"_s);
    expressionLayout->addWidget(m_acceptExpression);
    m_side->addTab(expressionPage, tr("&JSONata"));

    m_validationForm = new ValidationForm(m_side);
    m_side->addTab(m_validationForm, tr("&Checks"));

    m_panes->setStretchFactor(0, 3);
    m_panes->setStretchFactor(1, 2);
    m_panes->setStretchFactor(2, 3);
    m_panes->setStretchFactor(3, 3);
    m_panes->setCollapsible(1, false);

    m_preview = new PreviewPane;
    vertical->addWidget(m_preview);
    vertical->setStretchFactor(0, 3);
    vertical->setStretchFactor(1, 2);

    // Tab order: the source row → source → canvas → target → the target row → the side panel.
    setTabOrder(m_sourceRow->entityCombo(), m_sourceTree);
    setTabOrder(m_sourceTree, m_canvas);
    setTabOrder(m_canvas, m_targetTree);
    setTabOrder(m_targetTree, m_targetRow->endpointCombo());
    setTabOrder(m_targetRow->entityCombo(), m_side);

    for (EndpointEntityRow *row : {m_sourceRow, m_targetRow}) {
        const bool isSource = row == m_sourceRow;
        connect(row, &EndpointEntityRow::endpointChosen, this,
                [this, isSource](const QString &endpoint) { chooseEndpoint(isSource, endpoint); });
        connect(row, &EndpointEntityRow::entityChosen, this,
                [this, isSource](const QString &endpoint, const Connectors::Entity &entity) {
                    useEntity(isSource, endpoint, entity);
                });
    }

    for (QWidget *w : {static_cast<QWidget *>(m_sourceTree->viewport()),
                       static_cast<QWidget *>(m_targetTree->viewport()), static_cast<QWidget *>(m_canvas)}) {
        w->installEventFilter(this);
        w->setMouseTracking(true);
    }
    for (FieldTree *tree : {m_sourceTree, m_targetTree})
        connect(tree, &FieldTree::geometryOfRowsChanged, m_canvas, qOverload<>(&QWidget::update));
    connect(m_canvas, &MappingCanvas::ruleClicked, this, &MappingDesigner::selectRule);
    connect(m_canvas, &MappingCanvas::ruleDoubleClicked, this, [this](int rule) {
        selectRule(rule);
        openExpression();
    });
    connect(m_targetTree, &QTreeWidget::currentItemChanged, this,
            [this](QTreeWidgetItem *item) { onTargetActivated(item); });
    connect(m_targetTree, &QWidget::customContextMenuRequested, this, &MappingDesigner::showTargetMenu);

    connect(m_ruleForm, &RuleForm::ruleEdited, this, [this](const QJsonObject &rule) {
        QJsonArray all = rules();
        if (m_selectedRule < 0 || m_selectedRule >= all.size())
            return;
        all.replace(m_selectedRule, rule);
        commitRules(all, m_selectedRule);
    });
    connect(m_ruleForm, &RuleForm::openExpressionRequested, this, &MappingDesigner::openExpression);
    connect(m_acceptExpression, &QPushButton::clicked, this, &MappingDesigner::acceptExpression);
    connect(m_expression, &JsonataEditor::errorChanged, this, [this](const QString &message) {
        m_expressionStatus->setText(message.isEmpty() ? tr("The expression compiles.") : message);
        m_expressionStatus->setStyleSheet(message.isEmpty() ? QString() : u"color: #b02020;"_s);
    });

    connect(m_validationForm, &ValidationForm::checkAdded, this, [this](const QJsonObject &check) {
        QJsonArray validation = document().value(u"validation"_s).toArray();
        validation.append(check);
        const int index = int(validation.size() - 1);
        commitValidation(validation);
        m_validationForm->selectCheck(index);
    });
    connect(m_validationForm, &ValidationForm::checkEdited, this, [this](int index, const QJsonObject &check) {
        QJsonArray validation = document().value(u"validation"_s).toArray();
        if (index < validation.size()) {
            validation.replace(index, check);
            commitValidation(validation);
        }
    });
    connect(m_validationForm, &ValidationForm::checkRemoved, this, [this](int index) {
        QJsonArray validation = document().value(u"validation"_s).toArray();
        if (index < validation.size()) {
            validation.removeAt(index);
            commitValidation(validation);
        }
    });

    connect(m_preview, &PreviewPane::openSampleRequested, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open a sample"), this->context().projectFolder,
            tr("Samples (*.json *.ndjson *.jsonl *.xml *.csv);;All files (*)"));
        if (!path.isEmpty())
            loadSampleFile(path);
    });
    connect(m_preview, &PreviewPane::pastedSample, this, &MappingDesigner::usePastedSample);

    m_previewTimer->setSingleShot(true);
    m_previewTimer->setInterval(previewDelayMs);
    connect(m_previewTimer, &QTimer::timeout, this, &MappingDesigner::startPreview);
    connect(m_engine, &PreviewEngine::sampleLoaded, this, &MappingDesigner::onSampleLoaded);
    connect(m_engine, &PreviewEngine::previewReady, this, &MappingDesigner::onPreviewReady);

    auto addAction = [this](const QString &text, const QList<QKeySequence> &keys, auto slot) {
        auto *action = new QAction(text, this);
        action->setShortcuts(keys);
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(action, &QAction::triggered, this, slot);
        QWidget::addAction(action);
        return action;
    };
    addAction(tr("Add rule"), {QKeySequence(Qt::Key_Insert), QKeySequence(Qt::CTRL | Qt::Key_N)},
              &MappingDesigner::addRuleForCurrentField);
    addAction(tr("Delete rule"), {QKeySequence(QKeySequence::Delete)}, &MappingDesigner::deleteSelectedRule);
    addAction(tr("Open as JSONata"), {QKeySequence(Qt::CTRL | Qt::Key_E)}, &MappingDesigner::openExpression);
    auto *accept = new QAction(this);
    accept->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    accept->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(accept, &QAction::triggered, this, &MappingDesigner::acceptExpression);
    m_expression->addAction(accept);

    m_preview->setSample(nullptr);
}

MappingDesigner::~MappingDesigner()
{
    // Stop the worker before the widgets it reports to go away.
    m_previewTimer->stop();
    delete m_engine;
}

QJsonArray MappingDesigner::rules() const
{
    return document().value(u"rules"_s).toArray();
}

int MappingDesigner::ruleForTarget(const QString &target) const
{
    const QJsonArray all = rules();
    for (qsizetype i = 0; i < all.size(); ++i) {
        if (all.at(i).toObject().value(u"target"_s).toString() == target)
            return int(i);
    }
    return -1;
}

void MappingDesigner::setStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? u"color: #b02020;"_s : QString());
}

// ---- endpoints and their entities ---------------------------------------------------------

void MappingDesigner::chooseEndpoint(bool source, const QString &endpoint)
{
    if (!hasDocument())
        return;
    QJsonObject doc = document();
    if (endpoint.isEmpty())
        doc.remove(endpointKey(source));
    else
        doc.insert(endpointKey(source), endpoint);
    // The remembered entity was one of the old endpoint's; the schema stays (it is the
    // user's until another entity replaces it).
    QJsonObject designer = doc.value(designerKey).toObject();
    designer.remove(entityKey(source));
    if (designer.isEmpty())
        doc.remove(designerKey);
    else
        doc.insert(designerKey, designer);
    // Walking the combo with the arrow keys is one undo step, like typing in a field.
    commit(doc, u"/"_s + endpointKey(source));
}

void MappingDesigner::useEntity(bool source, const QString &endpoint, const Connectors::Entity &entity)
{
    if (!hasDocument())
        return;
    QJsonObject doc = document();
    const QString side = source ? u"source"_s : u"target"_s;
    QJsonObject part = doc.value(side).toObject();
    part.insert(u"schema"_s, MappingFields::entitySchema(entity));
    doc.insert(side, part);
    doc.insert(endpointKey(source), endpoint);
    QJsonObject designer = doc.value(designerKey).toObject();
    designer.insert(entityKey(source), entity.name);
    doc.insert(designerKey, designer);
    // One undo step: schema, endpoint and the remembered entity together (and the entities
    // passed while walking the combo with the arrow keys).
    commit(doc, u"/x-designer/"_s + entityKey(source));
    setStatus(source ? tr("The source fields are now those of %1 in %2 (Ctrl+Z undoes it).").arg(entity.name, endpoint)
                     : tr("The target fields are now those of %1 in %2 (Ctrl+Z undoes it).").arg(entity.name, endpoint));
}

// ---- the document ----------------------------------------------------------------------

void MappingDesigner::documentChanged(const QJsonObject &document)
{
    m_panes->setEnabled(true);
    const QJsonObject designer = document.value(designerKey).toObject();
    m_sourceRow->setDocumentState(document.value(endpointKey(true)).toString(),
                                  designer.value(entityKey(true)).toString());
    m_targetRow->setDocumentState(document.value(endpointKey(false)).toString(),
                                  designer.value(entityKey(false)).toString());
    if (m_status->styleSheet().contains(u"#b02020"_s))
        setStatus(QString());
    // The selection follows its rule by target when the text moved it (an edit in the JSON
    // view, undo); it is gone with its rule.
    const int count = int(document.value(u"rules"_s).toArray().size());
    if (!m_selectedTarget.isEmpty())
        m_selectedRule = ruleForTarget(m_selectedTarget);
    else if (m_selectedRule >= count)
        m_selectedRule = count - 1;
    updateSample(document);
    rebuildTrees();
    updateSelectionViews();
    schedulePreview();
}

void MappingDesigner::documentUnreadable(const QString &message)
{
    // Nothing can be edited safely until the text parses again.
    m_panes->setEnabled(false);
    setStatus(tr("The JSON text cannot be read (%1); fix it in the JSON view.").arg(message), true);
}

void MappingDesigner::rebuildTrees()
{
    const QJsonObject doc = document();
    const QJsonArray all = rules();

    MappingFields::Fields sourceFields;
    const QJsonObject sourceSchema = doc.value(u"source"_s).toObject().value(u"schema"_s).toObject();
    if (!sourceSchema.isEmpty())
        sourceFields = MappingFields::fromJsonSchema(sourceSchema);
    else if (m_sample)
        sourceFields = m_sample->fields;
    MappingFields::Fields targetFields =
        MappingFields::fromJsonSchema(doc.value(u"target"_s).toObject().value(u"schema"_s).toObject());

    const QStringList knownSources = MappingFields::allPaths(sourceFields);
    QList<MappingCanvas::Link> links;
    QSet<QString> mappedSources, mappedTargets;
    for (qsizetype i = 0; i < all.size(); ++i) {
        const QJsonObject rule = all.at(i).toObject();
        const QString target = rule.value(u"target"_s).toString();
        const QString type = rule.value(u"type"_s).toString();
        if (target.isEmpty())
            continue;
        QStringList sources = MappingFields::ruleSources(rule);
        // Expressions and tests draw lines from the known fields they read.
        const QString text = type == u"expression" ? rule.value(u"expression"_s).toString()
                             : type == u"condition" ? rule.value(u"test"_s).toString() : QString();
        for (const QString &path : MappingFields::expressionPaths(text, knownSources)) {
            if (!sources.contains(path))
                sources.append(path);
        }
        // Fields a rule names stay visible even before a schema or sample knows them.
        for (const QString &s : sources) {
            if (!MappingFields::find(sourceFields, s))
                MappingFields::addPath(sourceFields, s, QString());
            mappedSources.insert(s);
        }
        if (!MappingFields::find(targetFields, target))
            MappingFields::addPath(targetFields, target, QString());
        mappedTargets.insert(target);
        links.append({int(i), sources, target,
                      type == u"field_mapping" ? QString() : MappingFields::ruleTypeLabel(type)});
    }
    // Target fields without a schema type show what the preview produced there.
    std::function<void(MappingFields::Fields &)> fillTypes = [&](MappingFields::Fields &fields) {
        for (MappingFields::Field &field : fields) {
            if (field.type.isEmpty())
                field.type = m_outputTypes.value(field.path);
            fillTypes(field.children);
        }
    };
    fillTypes(targetFields);
    m_sourceTree->setFields(sourceFields);
    m_targetTree->setFields(targetFields);
    m_sourceTree->setMapped(mappedSources);
    m_targetTree->setMapped(mappedTargets);
    m_canvas->setLinks(links);
    m_expression->setFieldPaths(MappingFields::allPaths(sourceFields));
}

void MappingDesigner::updateSelectionViews()
{
    const QJsonArray all = rules();
    const QJsonObject rule = m_selectedRule >= 0 ? all.at(m_selectedRule).toObject() : QJsonObject();
    m_selectedTarget = rule.value(u"target"_s).toString();
    m_canvas->setSelectedRule(m_selectedRule);
    m_ruleForm->setRule(rule);
    const QString field = m_targetTree->currentPath();
    m_validationForm->setField(field, document().value(u"validation"_s).toArray());
    if (m_expressionRule >= 0) {
        // The open expression follows its rule; it closes when the rule is gone.
        const int now = ruleForTarget(m_expressionTarget);
        m_expressionRule = now;
        if (now < 0)
            m_expressionTitle->setText(tr("The rule of %1 no longer exists.").arg(m_expressionTarget));
    }
}

void MappingDesigner::selectRule(int index)
{
    const QJsonArray all = rules();
    m_selectedRule = index >= 0 && index < all.size() ? index : -1;
    if (m_selectedRule >= 0) {
        const QJsonObject rule = all.at(m_selectedRule).toObject();
        {
            const QSignalBlocker blocker(m_targetTree);
            m_targetTree->setCurrentPath(rule.value(u"target"_s).toString());
        }
        const QStringList sources = MappingFields::ruleSources(rule);
        if (!sources.isEmpty())
            m_sourceTree->setCurrentPath(sources.first());
        else
            m_sourceTree->setCurrentItem(nullptr);
        m_side->setCurrentWidget(m_ruleForm);
    }
    updateSelectionViews();
}

void MappingDesigner::onTargetActivated(QTreeWidgetItem *item)
{
    const QString path = FieldTree::pathOf(item);
    m_selectedRule = ruleForTarget(path);
    m_canvas->setSelectedRule(m_selectedRule);
    updateSelectionViews();
}

void MappingDesigner::commitRules(const QJsonArray &newRules, int select)
{
    QJsonObject doc = document();
    doc.insert(u"rules"_s, newRules);
    m_selectedRule = select;
    m_selectedTarget = select >= 0 ? newRules.at(select).toObject().value(u"target"_s).toString() : QString();
    commit(doc);
}

void MappingDesigner::commitValidation(const QJsonArray &validation)
{
    QJsonObject doc = document();
    if (validation.isEmpty())
        doc.remove(u"validation"_s);
    else
        doc.insert(u"validation"_s, validation);
    commit(doc);
}

// ---- editing ----------------------------------------------------------------------------

void MappingDesigner::mapField(const QString &sourcePath, const QString &targetPath)
{
    if (!hasDocument() || sourcePath.isEmpty() || targetPath.isEmpty())
        return;
    QJsonArray all = rules();
    const int existing = ruleForTarget(targetPath);
    if (existing < 0) {
        all.append(QJsonObject{{u"type"_s, u"field_mapping"_s}, {u"source"_s, sourcePath}, {u"target"_s, targetPath}});
        commitRules(all, int(all.size() - 1));
    } else {
        QJsonObject rule = all.at(existing).toObject();
        const QString type = rule.value(u"type"_s).toString();
        if (type == u"concatenate") {
            QJsonArray fields = rule.value(u"fields"_s).toArray();
            fields.append(sourcePath);
            rule.insert(u"fields"_s, fields);
        } else if (type == u"arithmetic") {
            rule.insert(rule.value(u"left"_s).isString() ? u"right"_s : u"left"_s, sourcePath);
        } else if (type == u"condition") {
            rule.insert(u"then"_s, QJsonObject{{u"field"_s, sourcePath}});
        } else if (type == u"expression" || type == u"default_value") {
            // Replaced by a copy of the dropped field: that is what the drop says.
            rule = RuleForm::convert(rule, u"field_mapping"_s);
            rule.insert(u"source"_s, sourcePath);
        } else {
            rule.insert(u"source"_s, sourcePath);
        }
        all.replace(existing, rule);
        commitRules(all, existing);
    }
    selectRule(m_selectedRule);
    setStatus(tr("Mapped %1 → %2").arg(sourcePath, targetPath));
}

void MappingDesigner::addRuleForCurrentField()
{
    if (!hasDocument())
        return;
    QString target = m_targetTree->currentPath();
    const QString source = m_sourceTree->currentPath();
    if (target.isEmpty())
        target = source;
    if (target.isEmpty()) {
        setStatus(tr("Select a target field (or a source field) first."), true);
        return;
    }
    if (const int existing = ruleForTarget(target); existing >= 0) {
        selectRule(existing);
        setStatus(tr("%1 already has a rule.").arg(target));
        return;
    }
    QJsonArray all = rules();
    all.append(source.isEmpty()
                   ? QJsonObject{{u"type"_s, u"default_value"_s}, {u"target"_s, target}, {u"value"_s, QString()}}
                   : QJsonObject{{u"type"_s, u"field_mapping"_s}, {u"source"_s, source}, {u"target"_s, target}});
    commitRules(all, int(all.size() - 1));
    selectRule(m_selectedRule);
}

void MappingDesigner::deleteSelectedRule()
{
    // Delete acts on what has the focus: a check in the Checks tab, nothing in the preview.
    QWidget *focus = QApplication::focusWidget();
    if (focus && m_validationForm->isAncestorOf(focus)) {
        m_validationForm->removeCurrent();
        return;
    }
    if (focus && m_preview->isAncestorOf(focus))
        return;
    QJsonArray all = rules();
    if (m_selectedRule < 0 || m_selectedRule >= all.size())
        return;
    const QString target = all.at(m_selectedRule).toObject().value(u"target"_s).toString();
    all.removeAt(m_selectedRule);
    commitRules(all, -1);
    setStatus(tr("Removed the rule of %1 (Ctrl+Z brings it back).").arg(target));
}

void MappingDesigner::openExpression()
{
    const QJsonArray all = rules();
    if (m_selectedRule < 0 || m_selectedRule >= all.size()) {
        setStatus(tr("Select a rule to open its JSONata."), true);
        return;
    }
    const QJsonObject rule = all.at(m_selectedRule).toObject();
    m_expressionRule = m_selectedRule;
    m_expressionTarget = rule.value(u"target"_s).toString();
    const Result<QString> expression = Mapping::ruleExpression(Data::Value::fromQJson(rule));
    m_expression->setPlainText(expression ? *expression : rule.value(u"expression"_s).toString());
    if (!expression)
        setStatus(expression.error().message, true);
    m_expression->check();
    m_expressionTitle->setText(tr("JSONata of <b>%1</b> (%2)")
                                   .arg(m_expressionTarget.toHtmlEscaped(),
                                        MappingFields::ruleTypeLabel(rule.value(u"type"_s).toString())));
    m_side->setCurrentIndex(1);
    m_expression->setFocus();
}

bool MappingDesigner::acceptExpression()
{
    QJsonArray all = rules();
    if (m_expressionRule < 0 || m_expressionRule >= all.size())
        return false;
    m_expression->check();
    if (m_expression->hasError()) {
        setStatus(tr("Fix the expression first: %1").arg(m_expression->errorMessage()), true);
        return false;
    }
    const QJsonObject old = all.at(m_expressionRule).toObject();
    QJsonObject rule{{u"type"_s, u"expression"_s},
                     {u"target"_s, old.value(u"target"_s)},
                     {u"expression"_s, m_expression->toPlainText().trimmed()}};
    for (const QString &key : {u"default"_s, u"required"_s, u"description"_s}) {
        if (old.contains(key))
            rule.insert(key, old.value(key));
    }
    all.replace(m_expressionRule, rule);
    commitRules(all, m_expressionRule);
    setStatus(tr("The rule of %1 is now a JSONata expression.").arg(m_expressionTarget));
    return true;
}

void MappingDesigner::showTargetMenu(const QPoint &position)
{
    QTreeWidgetItem *item = m_targetTree->itemAt(position);
    if (!item)
        return;
    m_targetTree->setCurrentItem(item);
    const QString field = FieldTree::pathOf(item);
    QMenu menu(this);
    const int rule = ruleForTarget(field);
    menu.addAction(rule < 0 ? tr("Add rule") : tr("Show rule"), this, &MappingDesigner::addRuleForCurrentField);
    if (rule >= 0) {
        menu.addAction(tr("Open as JSONata"), this, &MappingDesigner::openExpression);
        menu.addAction(tr("Delete rule"), this, &MappingDesigner::deleteSelectedRule);
    }
    QMenu *checks = menu.addMenu(tr("Add check"));
    for (const QString &kind : {u"required"_s, u"type"_s, u"pattern"_s, u"range"_s, u"enum"_s}) {
        checks->addAction(kind, this, [this, field, kind] {
            QJsonObject check{{u"field"_s, field}, {u"rule"_s, kind}};
            if (kind == u"type")
                check.insert(u"type"_s, u"string"_s);
            else if (kind == u"pattern")
                check.insert(u"pattern"_s, u".+"_s);
            else if (kind == u"range")
                check.insert(u"min"_s, 0);
            else if (kind == u"enum")
                check.insert(u"values"_s, QJsonArray{u"A"_s});
            QJsonArray validation = document().value(u"validation"_s).toArray();
            validation.append(check);
            commitValidation(validation);
            m_side->setCurrentWidget(m_validationForm);
            m_validationForm->selectCheck(int(validation.size() - 1));
        });
    }
    menu.exec(m_targetTree->viewport()->mapToGlobal(position));
}

// ---- drag from the source tree ------------------------------------------------------------

bool MappingDesigner::eventFilter(QObject *watched, QEvent *event)
{
    const QEvent::Type type = event->type();
    if (type != QEvent::MouseButtonPress && type != QEvent::MouseMove && type != QEvent::MouseButtonRelease)
        return DocumentDesigner::eventFilter(watched, event);
    auto *mouse = static_cast<QMouseEvent *>(event);
    auto *widget = qobject_cast<QWidget *>(watched);
    const QPoint global = widget->mapToGlobal(mouse->position().toPoint());

    if (type == QEvent::MouseButtonPress) {
        m_dragSource.clear();
        m_dragging = false;
        if (watched == m_sourceTree->viewport() && mouse->button() == Qt::LeftButton) {
            if (QTreeWidgetItem *item = m_sourceTree->itemAt(mouse->position().toPoint())) {
                m_dragSource = FieldTree::pathOf(item);
                m_pressGlobal = global;
            }
        }
        return false;
    }
    if (m_dragSource.isEmpty())
        return false;
    if (type == QEvent::MouseMove) {
        if (!m_dragging && (global - m_pressGlobal).manhattanLength() < QApplication::startDragDistance())
            return false;
        m_dragging = true;
        QPoint to = m_canvas->mapFromGlobal(global);
        to.setX(qBound(0, to.x(), m_canvas->width() - 1));
        m_canvas->setDragLine(m_canvas->sourceAnchor(m_dragSource), to);
        const QPoint inTarget = m_targetTree->viewport()->mapFromGlobal(global);
        QTreeWidgetItem *over = m_targetTree->viewport()->rect().contains(inTarget)
                                    ? m_targetTree->itemAt(inTarget) : nullptr;
        setStatus(over ? tr("Drop to map %1 → %2").arg(m_dragSource, FieldTree::pathOf(over))
                       : tr("Drag %1 onto a target field").arg(m_dragSource));
        return true;   // the source tree must not drag-select meanwhile
    }
    // Release: wherever the mouse was grabbed, the drop is where the pointer is.
    const QString source = m_dragSource;
    const bool dragged = m_dragging;
    m_dragSource.clear();
    m_dragging = false;
    m_canvas->setDragLine({}, {});
    if (!dragged)
        return false;
    const QPoint inTarget = m_targetTree->viewport()->mapFromGlobal(global);
    if (!m_targetTree->viewport()->rect().contains(inTarget)) {
        setStatus(tr("Dropped outside the target fields: nothing mapped."));
        return true;
    }
    QTreeWidgetItem *over = m_targetTree->itemAt(inTarget);
    // Below the last field: a new target field named like the source field.
    const QString target = over ? FieldTree::pathOf(over) : source.section(u'.', -1);
    mapField(source, target);
    return true;
}

// ---- sample and preview ---------------------------------------------------------------

SampleOptions MappingDesigner::sampleOptions(const QJsonObject &document) const
{
    const QJsonObject source = document.value(u"source"_s).toObject();
    SampleOptions options;
    options.format = source.value(u"format"_s).toString();
    options.recordPath = source.value(u"record_path"_s).toString();
    options.recordElement = source.value(u"record_element"_s).toString();
    const QString delimiter = source.value(u"csv"_s).toObject().value(u"delimiter"_s).toString();
    if (delimiter.size() == 1 && delimiter.at(0).unicode() < 128)
        options.delimiter = char(delimiter.at(0).unicode());
    return options;
}

void MappingDesigner::updateSample(const QJsonObject &document)
{
    SampleOptions options = sampleOptions(document);
    const QString where = options.recordPath + u'|' + options.recordElement + u'|' + options.format;
    const QString file = sampleFileOf(document);
    if (!file.isEmpty()) {
        const QString absolute = QDir(context().projectFolder).absoluteFilePath(file);
        options.key = u"file:"_s + absolute + u'|' + where;
        if (options.key != m_sampleKey) {
            m_sampleKey = options.key;
            m_sessionSample = false;
            m_preview->setLoading(QFileInfo(absolute).fileName());
            m_engine->loadFile(absolute, options);
        }
        return;
    }
    const QJsonArray samples = document.value(u"source"_s).toObject().value(u"samples"_s).toArray();
    if (samples.isEmpty()) {
        if (!m_sessionSample && m_sample) {
            m_sample.reset();
            m_sampleKey.clear();
            m_preview->setSample(nullptr);
        }
        return;
    }
    const QJsonValue first = samples.first();
    const QByteArray text = first.isString() ? first.toString().toUtf8()
                                             : QJsonDocument(QJsonArray{first}).toJson(QJsonDocument::Compact);
    options.key = u"doc:"_s + QString::number(qHash(text)) + u'|' + where;
    if (options.key == m_sampleKey)
        return;
    m_sampleKey = options.key;
    m_sessionSample = false;
    if (first.isString())
        m_engine->loadText(text, options);   // an XML or CSV text kept as a string
    else
        m_engine->loadValue(Data::Value::fromQJson(first), options);
}

void MappingDesigner::loadSampleFile(const QString &path)
{
    if (!hasDocument())
        return;
    const QString folder = context().projectFolder;
    const QString stored = folder.isEmpty() ? QFileInfo(path).absoluteFilePath() : QDir(folder).relativeFilePath(path);
    QJsonObject doc = document();
    QJsonObject designer = doc.value(designerKey).toObject();
    designer.insert(u"sample"_s, stored);
    doc.insert(designerKey, designer);
    commit(doc);   // documentChanged() starts reading it
}

void MappingDesigner::usePastedSample(const QByteArray &text)
{
    if (!hasDocument())
        return;
    QJsonObject doc = document();
    QJsonObject designer = doc.value(designerKey).toObject();
    designer.remove(u"sample"_s);
    if (designer.isEmpty())
        doc.remove(designerKey);
    else
        doc.insert(designerKey, designer);
    if (text.size() <= maxStoredSample) {
        // Small enough to read here; what cannot be read is not written into the document.
        SampleOptions options = sampleOptions(doc);
        options.format.clear();
        const Result<Data::Value> parsed = PreviewEngine::parseSample(text, QString(), options);
        if (!parsed) {
            setStatus(tr("The pasted sample cannot be read: %1").arg(parsed.error().message), true);
            m_preview->inputInfo()->setText(tr("The sample cannot be read: %1").arg(parsed.error().message));
            return;
        }
        const QByteArray trimmed = text.trimmed();
        const bool isJson = trimmed.startsWith('{') || trimmed.startsWith('[');
        // JSON is kept as JSON; XML and CSV as their text, read again by their codec.
        const QJsonValue sample = isJson ? parsed->toQJson() : QJsonValue(QString::fromUtf8(text));
        QJsonObject source = doc.value(u"source"_s).toObject();
        QJsonArray samples = source.value(u"samples"_s).toArray();
        if (samples.isEmpty())
            samples.append(sample);
        else
            samples.replace(0, sample);
        source.insert(u"samples"_s, samples);
        doc.insert(u"source"_s, source);
        commit(doc);
        return;
    }
    // Too large for the document: used for this session only.
    commit(doc);
    SampleOptions options = sampleOptions(doc);
    options.key = u"paste:"_s + QString::number(qHash(text));
    m_sampleKey = options.key;
    m_sessionSample = true;
    m_preview->setLoading(tr("the pasted sample"));
    m_engine->loadText(text, options);
    setStatus(tr("The pasted sample is too large to keep in the document; open it as a file to keep it."));
}

void MappingDesigner::onSampleLoaded(const std::shared_ptr<const SampleData> &sample)
{
    if (sample->key != m_sampleKey)
        return;   // another sample was asked for meanwhile
    m_preview->setSample(sample);
    if (!sample->error.isEmpty()) {
        setStatus(tr("Sample: %1").arg(sample->error), true);
        return;
    }
    m_sample = sample;
    rebuildTrees();
    Q_EMIT sampleChanged();
    schedulePreview();
}

void MappingDesigner::schedulePreview()
{
    m_previewArrived = false;
    m_previewTimer->start();
}

void MappingDesigner::startPreview()
{
    if (!hasDocument())
        return;
    const QString folder = context().projectFolder;
    const QString tables = folder.isEmpty() ? QString() : QDir(folder).filePath(u"tables"_s);
    m_previewGeneration = m_engine->compute(document(), m_sample, tables);
}

void MappingDesigner::onPreviewReady(const std::shared_ptr<const PreviewResult> &result)
{
    if (result->generation != m_previewGeneration || m_previewTimer->isActive())
        return;   // stale: an edit came after this was asked for
    m_preview->setResult(*result);
    if (!m_sample && result->error.isEmpty())
        m_preview->outputInfo()->setText(tr("No sample yet: the mapped records appear here once there is one."));
    QHash<QString, QStringList> problems;
    for (size_t r = 0; r < result->records.size(); ++r) {
        for (const Mapping::FieldViolation &v : result->records[r].mapped.violations) {
            if (!v.field.isEmpty())
                problems[v.field].append(tr("record %1: %2 — %3").arg(r + 1).arg(v.rule, v.message));
        }
    }
    m_targetTree->setProblems(problems);
    if (!result->records.empty()) {
        Data::SchemaInference inference;
        for (const PreviewRecord &record : result->records)
            inference.add(record.mapped.output);
        const MappingFields::Fields fields = MappingFields::fromInference(inference.result());
        QHash<QString, QString> types;
        for (const QString &path : MappingFields::allPaths(fields))
            types.insert(path, MappingFields::find(fields, path)->type);
        if (types != m_outputTypes) {
            m_outputTypes = types;
            rebuildTrees();
        }
    }
    m_previewArrived = true;
    Q_EMIT previewUpdated();
}

bool MappingDesigner::isPreviewCurrent() const
{
    return m_previewArrived && !m_previewTimer->isActive();
}

} // namespace Conflux::Ui
