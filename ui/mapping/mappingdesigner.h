#pragma once

#include "documentdesigner.h"
#include "previewengine.h"

#include <QHash>
#include <QJsonArray>
#include <QPoint>

#include <memory>

class QAction;
class QLabel;
class QPushButton;
class QSplitter;
class QTabWidget;
class QTimer;
class QTreeWidgetItem;

namespace Conflux::Connectors {
struct Entity;
}

namespace Conflux::Ui {

class EndpointEntityRow;
class FieldTree;
class JsonataEditor;
class MappingCanvas;
class PreviewPane;
class RuleForm;
class ValidationForm;

// The visual designer of a Mapping document (mappings/<id>.json): source fields, the
// canvas of mapping lines and target fields side by side; the selected rule's form, its
// JSONata and the target field's checks beside them; and a live preview of the mapped
// sample below, computed off the UI thread. Every edit is a commit() of the document, so
// undo, redo, save and autosave are the JSON text's (see DocumentDesigner).
//
// The source tree comes from source.schema, else from the sample: x-designer.sample (a
// file, project-relative), or source.samples[0], or text pasted into the preview. A row
// above each tree names the side's endpoint (source_endpoint, target_endpoint), discovers
// its entities in the background, and writes the picked entity's fields as source.schema
// or target.schema; the entity is remembered in x-designer.source_entity / target_entity.
class MappingDesigner final : public DocumentDesigner
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MappingDesigner)

public:
    MappingDesigner(JsonEditor *source, DesignerContext context, QWidget *parent = nullptr);
    ~MappingDesigner() override;

    FieldTree *sourceTree() const { return m_sourceTree; }
    FieldTree *targetTree() const { return m_targetTree; }
    EndpointEntityRow *sourceEndpointRow() const { return m_sourceRow; }
    EndpointEntityRow *targetEndpointRow() const { return m_targetRow; }
    MappingCanvas *canvas() const { return m_canvas; }
    RuleForm *ruleForm() const { return m_ruleForm; }
    JsonataEditor *expressionEditor() const { return m_expression; }
    QLabel *expressionStatus() const { return m_expressionStatus; }
    QPushButton *acceptExpressionButton() const { return m_acceptExpression; }
    ValidationForm *validationForm() const { return m_validationForm; }
    PreviewPane *preview() const { return m_preview; }
    QTabWidget *sidePanel() const { return m_side; }
    QLabel *statusLabel() const { return m_status; }

    int selectedRule() const { return m_selectedRule; }
    void selectRule(int index);
    // The index of the rule that sets `target`, or -1.
    int ruleForTarget(const QString &target) const;

    // Maps `sourcePath` onto `targetPath` (what a drop does): a new field_mapping rule, or
    // the rule that already sets the target reads the new source (a concatenation gains it).
    void mapField(const QString &sourcePath, const QString &targetPath);
    void addRuleForCurrentField();
    void deleteSelectedRule();
    void openExpression();
    // Turns the rule open in the expression editor into an `expression` rule with its text.
    bool acceptExpression();

    // Reads a sample file in the background and keeps its project-relative path in the
    // document (x-designer.sample); the file itself stays out of the document.
    void loadSampleFile(const QString &path);
    // A pasted sample: kept in source.samples when small, for this session otherwise.
    void usePastedSample(const QByteArray &text);
    std::shared_ptr<const SampleData> sample() const { return m_sample; }

    // The newest preview has arrived (no edit or sample is waiting for one).
    bool isPreviewCurrent() const;

    static constexpr int previewDelayMs = 150;
    static constexpr qsizetype maxStoredSample = 64 * 1024;

Q_SIGNALS:
    void previewUpdated();
    void sampleChanged();

protected:
    void documentChanged(const QJsonObject &document) override;
    void documentUnreadable(const QString &message) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void rebuildTrees();
    void updateSelectionViews();
    void updateSample(const QJsonObject &document);
    void schedulePreview();
    void startPreview();
    void onSampleLoaded(const std::shared_ptr<const SampleData> &sample);
    void onPreviewReady(const std::shared_ptr<const PreviewResult> &result);
    void onTargetActivated(QTreeWidgetItem *item);
    void showTargetMenu(const QPoint &position);
    void commitRules(const QJsonArray &rules, int select);
    void commitValidation(const QJsonArray &validation);
    void setStatus(const QString &text, bool error = false);
    void chooseEndpoint(bool source, const QString &endpoint);
    void useEntity(bool source, const QString &endpoint, const Connectors::Entity &entity);
    QJsonArray rules() const;
    SampleOptions sampleOptions(const QJsonObject &document) const;

    FieldTree *m_sourceTree = nullptr;
    FieldTree *m_targetTree = nullptr;
    EndpointEntityRow *m_sourceRow = nullptr;
    EndpointEntityRow *m_targetRow = nullptr;
    MappingCanvas *m_canvas = nullptr;
    RuleForm *m_ruleForm = nullptr;
    JsonataEditor *m_expression = nullptr;
    QLabel *m_expressionStatus = nullptr;
    QLabel *m_expressionTitle = nullptr;
    QPushButton *m_acceptExpression = nullptr;
    ValidationForm *m_validationForm = nullptr;
    PreviewPane *m_preview = nullptr;
    QTabWidget *m_side = nullptr;
    QSplitter *m_panes = nullptr;
    QLabel *m_status = nullptr;
    QTimer *m_previewTimer = nullptr;
    PreviewEngine *m_engine = nullptr;

    int m_selectedRule = -1;
    QString m_selectedTarget;   // the selected rule's target, to find it again after a re-read
    int m_expressionRule = -1;
    QString m_expressionTarget;

    std::shared_ptr<const SampleData> m_sample;
    QString m_sampleKey;        // the sample asked for; a loaded sample with another key is stale
    bool m_sessionSample = false;
    QHash<QString, QString> m_outputTypes;   // target path → type seen in the preview
    quint64 m_previewGeneration = 0;
    bool m_previewArrived = true;

    // A drag from the source tree, done with mouse press/move/release over the trees and
    // the canvas rather than QDrag, so that the line can follow the mouse on the canvas.
    QString m_dragSource;
    QPoint m_pressGlobal;
    bool m_dragging = false;
};

} // namespace Conflux::Ui
