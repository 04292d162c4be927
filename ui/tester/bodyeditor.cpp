#include "bodyeditor.h"

#include "bodyformat.h"
#include "jsonhighlighter.h"
#include "keyvaluetable.h"
#include "xmlhighlighter.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QShortcut>
#include <QStackedWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

using Mode = Tester::Body::Mode;

namespace {

enum Page { NonePage, TextPage, FieldsPage };

Page pageOf(Mode mode)
{
    switch (mode) {
    case Mode::None:
        return NonePage;
    case Mode::FormData:
    case Mode::UrlEncoded:
        return FieldsPage;
    default:
        return TextPage;
    }
}

} // namespace

BodyEditor::BodyEditor(QWidget *parent)
    : QWidget(parent)
{
    m_mode = new QComboBox;
    m_mode->setObjectName(u"bodyMode"_s);
    m_mode->addItem(tr("No body"), int(Mode::None));
    m_mode->addItem(tr("JSON"), int(Mode::Json));
    m_mode->addItem(tr("XML"), int(Mode::Xml));
    m_mode->addItem(tr("Raw text"), int(Mode::Raw));
    m_mode->addItem(tr("Form (URL-encoded)"), int(Mode::UrlEncoded));
    m_mode->addItem(tr("Multipart form"), int(Mode::FormData));
    m_mode->setToolTip(tr("What the request sends, and the Content-Type it gets"));

    m_contentType = new QLineEdit;
    m_contentType->setObjectName(u"bodyContentType"_s);
    m_contentType->setPlaceholderText(tr("Content-Type (by the mode)"));
    m_contentType->setToolTip(tr("Overrides the Content-Type the mode sends, e.g. application/vnd.api+json"));

    m_format = new QPushButton(tr("&Format"));
    m_format->setObjectName(u"formatBody"_s);
    m_format->setToolTip(tr("Indent the JSON or XML body (Ctrl+Shift+F)"));

    auto *top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    top->addWidget(m_mode);
    top->addWidget(m_contentType, 1);
    top->addWidget(m_format);

    m_none = new QLabel(tr("This request has no body."));
    m_none->setAlignment(Qt::AlignCenter);
    m_none->setEnabled(false);
    m_text = new QPlainTextEdit;
    m_text->setObjectName(u"bodyText"_s);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setTabChangesFocus(false);
    m_fields = new KeyValueTable;
    m_fields->setObjectName(u"bodyFields"_s);
    m_stack = new QStackedWidget;
    m_stack->insertWidget(NonePage, m_none);
    m_stack->insertWidget(TextPage, m_text);
    m_stack->insertWidget(FieldsPage, m_fields);

    m_problem = new QLabel;
    m_problem->setObjectName(u"bodyProblem"_s);
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(u"color: #b3261e"_s);
    m_problem->hide();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_stack, 1);
    layout->addWidget(m_problem);

    connect(m_mode, &QComboBox::activated, this, [this] {
        const auto mode = Mode(m_mode->currentData().toInt());
        if (mode == m_body.mode)
            return;
        m_body.mode = mode;
        showBody();
        Q_EMIT edited(u"mode"_s);
    });
    connect(m_contentType, &QLineEdit::textEdited, this, [this](const QString &text) {
        m_body.contentType = text.trimmed();
        Q_EMIT edited(u"content_type"_s);
    });
    connect(m_text, &QPlainTextEdit::textChanged, this, [this] {
        if (m_updating)
            return;
        m_body.content = m_text->toPlainText();
        m_problem->hide();
        // Formatting is an undo step of its own, not part of the typing before it.
        Q_EMIT edited(m_formatting ? u"format"_s : u"content"_s);
    });
    connect(m_fields, &KeyValueTable::edited, this, [this] {
        m_body.fields = m_fields->pairs();
        Q_EMIT edited(u"fields"_s);
    });
    connect(m_format, &QPushButton::clicked, this, &BodyEditor::format);
    auto *formatKey = new QShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F), this);
    formatKey->setContext(Qt::WidgetWithChildrenShortcut);
    connect(formatKey, &QShortcut::activated, this, &BodyEditor::format);
    showBody();
}

BodyEditor::~BodyEditor() = default;

void BodyEditor::setBody(const Tester::Body &body)
{
    if (body == m_body)
        return;
    m_body = body;
    showBody();
}

void BodyEditor::showBody()
{
    m_updating = true;
    m_mode->setCurrentIndex(m_mode->findData(int(m_body.mode)));
    if (m_contentType->text() != m_body.contentType)
        m_contentType->setText(m_body.contentType);
    const Page page = pageOf(m_body.mode);
    m_stack->setCurrentIndex(page);
    m_contentType->setEnabled(page != NonePage);
    m_format->setEnabled(m_body.mode == Mode::Json || m_body.mode == Mode::Xml);
    if (m_text->toPlainText() != m_body.content)
        m_text->setPlainText(m_body.content);   // a document reloaded after an undo, say
    m_fields->setPairs(m_body.fields);
    updateHighlighter();
    m_updating = false;
}

void BodyEditor::updateHighlighter()
{
    const bool json = m_body.mode == Mode::Json;
    const bool xml = m_body.mode == Mode::Xml;
    if ((json && qobject_cast<JsonHighlighter *>(m_highlighter)) || (xml && qobject_cast<XmlHighlighter *>(m_highlighter)))
        return;
    delete m_highlighter;
    m_highlighter = nullptr;
    if (json)
        m_highlighter = new JsonHighlighter(m_text->document());
    else if (xml)
        m_highlighter = new XmlHighlighter(m_text->document());
}

bool BodyEditor::format()
{
    if (m_body.mode != Mode::Json && m_body.mode != Mode::Xml)
        return false;
    // A body holding {{variables}} is formatted as it is: they sit in strings or between
    // tags, where re-spacing does not touch them.
    const FormattedBody formatted = m_body.mode == Mode::Json ? formatJson(m_body.content.toUtf8())
                                                              : formatXml(m_body.content.toUtf8());
    if (!formatted.reformatted) {
        m_problem->setText(tr("Not formatted: %1").arg(formatted.problem));
        m_problem->show();
        return false;
    }
    m_problem->hide();
    if (formatted.text == m_body.content)
        return true;
    // One edit of the text, so that Ctrl+Z in the editor undoes the formatting too.
    QTextCursor cursor(m_text->document());
    cursor.select(QTextCursor::Document);
    m_formatting = true;
    cursor.insertText(formatted.text);
    m_formatting = false;
    return true;
}

} // namespace Conflux::Ui
