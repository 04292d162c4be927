#pragma once

#include <QWidget>

class QStackedWidget;
class QTabBar;

namespace Conflux::Ui {

class DocumentDesigner;
class JsonEditor;

// One open document in the studio's tabs: its JSON text and, for the kinds that have
// one, its visual designer over the same text. A bar at the bottom switches between
// "Design" and "JSON" (so does the main window's View ▸ Design / JSON); without a
// designer the page is the text alone and the bar is hidden.
class DocumentPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DocumentPage)

public:
    // Takes ownership of both; `designer` may be null.
    DocumentPage(JsonEditor *editor, DocumentDesigner *designer, QWidget *parent = nullptr);

    JsonEditor *editor() const { return m_editor; }
    DocumentDesigner *designer() const { return m_designer; }

    bool isDesignShown() const;
    void showDesign();
    void showSource();
    void toggleView();
    // Gives the keyboard focus to what is shown.
    void focusView();

Q_SIGNALS:
    void viewChanged();

private:
    void showView(int index);

    JsonEditor *m_editor = nullptr;
    DocumentDesigner *m_designer = nullptr;
    QStackedWidget *m_stack = nullptr;
    QTabBar *m_switch = nullptr;
};

} // namespace Conflux::Ui
