// The request tester's response panel: bodies pretty-printed without reordering or
// re-spelling anything, folding from the gutter, raw view, headers, saving the body byte
// for byte, big bodies shown in part, and bodies that are not well-formed shown as they
// came with where they break. Saves a screenshot of the panel.

#include "tester/bodyformat.h"
#include "tester/codeview.h"
#include "tester/responseview.h"

#include <QLabel>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QToolButton>

using namespace Qt::StringLiterals;
using namespace Conflux::Ui;

class TestResponseView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void jsonKeepsOrderAndSpelling();
    void jsonThatIsNotWellFormedComesBackAsItWas();
    void xmlIsIndentedWithFolds();
    void kindsFromContentTypeAndBytes();
    void panelShowsStatusHeadersAndFoldableBody();
    void rawShowsTheBytesAndSaveWritesThem();
    void bigBodiesAreShownInPart();
    void noResponseShowsTheError();
};

void TestResponseView::jsonKeepsOrderAndSpelling()
{
    const FormattedBody out = formatJson(R"({"b":1.50,"a":[1, 2,{"x":1e3}],"e":{ },"s":"a\"b,:{"})");
    QVERIFY2(out.reformatted, qPrintable(out.problem));
    QCOMPARE(out.text, uR"({
  "b": 1.50,
  "a": [
    1,
    2,
    {
      "x": 1e3
    }
  ],
  "e": {},
  "s": "a\"b,:{"
})"_s);
    QCOMPARE(out.folds.size(), 3);
    QCOMPARE(out.folds.at(0).first, 0);
    QCOMPARE(out.folds.at(0).last, 11);
    QCOMPARE(out.folds.at(1).first, 2);
    QCOMPARE(out.folds.at(1).last, 8);
    QCOMPARE(out.folds.at(2).first, 5);
    QCOMPARE(out.folds.at(2).last, 7);
}

void TestResponseView::jsonThatIsNotWellFormedComesBackAsItWas()
{
    const QByteArray broken = R"({"a": [1, 2}, "b": 3})";
    const FormattedBody out = formatJson(broken);
    QVERIFY(!out.reformatted);
    QCOMPARE(out.text, QString::fromUtf8(broken));
    QVERIFY2(out.problem.contains(u"'}'"_s) && out.problem.contains(u"byte 11"_s), qPrintable(out.problem));
    QVERIFY(!formatJson(R"({"a": "no end)").reformatted);
    QVERIFY(!formatJson("[1,,2]").reformatted);
    QVERIFY(!formatJson("{\"a\" 1}").reformatted);
}

void TestResponseView::xmlIsIndentedWithFolds()
{
    const FormattedBody out = formatXml(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><order id=\"7\"><!-- c --><line sku=\"A\">2</line><empty/></order>");
    QVERIFY2(out.reformatted, qPrintable(out.problem));
    QCOMPARE(out.text, uR"(<?xml version="1.0" encoding="UTF-8"?>
<order id="7">
  <!-- c -->
  <line sku="A">2</line>
  <empty/>
</order>
)"_s);
    QCOMPARE(out.folds.size(), 1);
    QCOMPARE(out.folds.at(0).first, 1);
    QCOMPARE(out.folds.at(0).last, 5);

    const FormattedBody broken = formatXml("<a><b></a>");
    QVERIFY(!broken.reformatted);
    QCOMPARE(broken.text, u"<a><b></a>"_s);
    QVERIFY2(broken.problem.startsWith(u"line 1, column "_s), qPrintable(broken.problem));
}

void TestResponseView::kindsFromContentTypeAndBytes()
{
    QCOMPARE(detectBodyKind("application/problem+json", "x"), BodyKind::Json);
    QCOMPARE(detectBodyKind("text/xml; charset=utf-8", ""), BodyKind::Xml);
    QCOMPARE(detectBodyKind("text/html", "<p>"), BodyKind::Html);
    QCOMPARE(detectBodyKind("image/png", "\x89PNG"), BodyKind::Binary);
    QCOMPARE(detectBodyKind("", "  [1]"), BodyKind::Json);
    QCOMPARE(detectBodyKind("", "<?xml version=\"1.0\"?><a/>"), BodyKind::Xml);
    QCOMPARE(detectBodyKind("", QByteArray("ab\0cd", 5)), BodyKind::Binary);
    QCOMPARE(detectBodyKind("text/plain", "hello"), BodyKind::Text);
}

void TestResponseView::panelShowsStatusHeadersAndFoldableBody()
{
    ResponseView view;
    view.resize(640, 420);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    ResponseDisplay response;
    response.status = 201;
    response.reason = u"Created"_s;
    response.elapsedMs = 42;
    response.headers = {{"Content-Type", "application/json"}, {"X-Request-Id", "r-1"}, {"Set-Cookie", "a=1"}};
    response.body = R"({"order":{"id":"SO-1001","lines":[{"sku":"A-1","qty":2},{"sku":"B-7","qty":1}]},"total":129.90})";
    view.setResponse(response);

    QCOMPARE(view.statusLabel()->text(), u"201 Created"_s);
    QCOMPARE(view.timeLabel()->text(), u"Time: 42 ms"_s);
    QCOMPARE(view.sizeLabel()->text(), u"Size: %1 B"_s.arg(response.body.size()));
    QCOMPARE(view.headersTable()->rowCount(), 3);
    QCOMPARE(view.headersTable()->item(1, 0)->text(), u"X-Request-Id"_s);

    CodeView *body = view.bodyView();
    QVERIFY(view.isPretty());
    QCOMPARE(body->document()->firstBlock().text(), u"{"_s);
    QCOMPARE(body->document()->findBlockByNumber(1).text(), u"  \"order\": {"_s);
    QVERIFY(!body->folds().isEmpty());

    // Folding "order" from the gutter: its lines are hidden, the rest stays.
    auto *gutter = body->findChild<QWidget *>(u"codeGutter"_s);
    QVERIFY(gutter);
    const QRect box = body->lineRect(1);
    QTest::mouseClick(gutter, Qt::LeftButton, {}, QPoint(gutter->width() - 6, int(box.center().y())));
    QVERIFY(body->isFolded(1));
    QVERIFY(!body->document()->findBlockByNumber(2).isVisible());
    QVERIFY(body->document()->findBlockByNumber(14).text().contains(u"total"_s));
    QVERIFY(body->document()->findBlockByNumber(14).isVisible());
    QVERIFY(QDir().mkpath(QStringLiteral(CONFLUX_TEST_ARTIFACTS)));
    QCoreApplication::processEvents();   // the labels' new sizes are laid out
    QVERIFY(view.grab().save(QStringLiteral(CONFLUX_TEST_ARTIFACTS "/tester-response-folded.png")));

    QTest::mouseClick(gutter, Qt::LeftButton, {}, QPoint(gutter->width() - 6, int(box.center().y())));
    QVERIFY(!body->isFolded(1));
    QVERIFY(body->document()->findBlockByNumber(2).isVisible());

    view.findChild<QToolButton *>(u"foldAllButton"_s)->click();
    QVERIFY(body->isFolded(1));
    QVERIFY(!body->isFolded(0));   // the outermost stays open
    view.findChild<QToolButton *>(u"unfoldAllButton"_s)->click();
    for (QTextBlock b = body->document()->firstBlock(); b.isValid(); b = b.next())
        QVERIFY(b.isVisible());
    QVERIFY(view.grab().save(QStringLiteral(CONFLUX_TEST_ARTIFACTS "/tester-response.png")));
}

void TestResponseView::rawShowsTheBytesAndSaveWritesThem()
{
    ResponseView view;
    ResponseDisplay response;
    response.status = 200;
    response.reason = u"OK"_s;
    response.headers = {{"content-type", "application/json; charset=utf-8"}};
    response.body = "{\"name\":\"M\xc3\xbcller\",\"n\":1}";
    view.setResponse(response);
    QCOMPARE(view.bodyView()->toPlainText(), u"{\n  \"name\": \"Müller\",\n  \"n\": 1\n}"_s);
    QTest::mouseClick(view.findChild<QToolButton *>(u"rawButton"_s), Qt::LeftButton);
    QVERIFY(!view.isPretty());
    QCOMPARE(view.bodyView()->toPlainText(), QString::fromUtf8(response.body));

    QTemporaryDir dir;
    const QString path = dir.filePath(u"body.json"_s);
    QVERIFY(view.saveBody(path));
    QFile saved(path);
    QVERIFY(saved.open(QIODevice::ReadOnly));
    QCOMPARE(saved.readAll(), response.body);
    QString error;
    QVERIFY(!view.saveBody(dir.filePath(u"missing/folder/body.json"_s), &error));
    QVERIFY2(error.contains(u"missing/folder"_s), qPrintable(error));
}

void TestResponseView::bigBodiesAreShownInPart()
{
    ResponseView view;
    ResponseDisplay response;
    response.status = 200;
    response.headers = {{"Content-Type", "application/json"}};
    QByteArray big = "[";
    while (big.size() < 6 * 1024 * 1024)
        big += R"({"id":12345,"name":"a fairly ordinary record","tags":["x","y"]},)";
    big.back() = ']';
    response.body = big;
    view.setResponse(response);
    QVERIFY(view.bodyView()->isTruncated());
    QCOMPARE(view.bodyView()->toPlainText().size(), CodeView::displayLimit());
    auto *note = view.findChild<QLabel *>(u"responseNote"_s);
    QVERIFY(note->isVisibleTo(&view));
    QVERIFY2(note->text().contains(u"first 4 MB"_s), qPrintable(note->text()));
    QCOMPARE(view.response().body.size(), big.size());   // saving writes all of it
}

void TestResponseView::noResponseShowsTheError()
{
    ResponseView view;
    ResponseDisplay response;
    response.error = u"connection refused (127.0.0.1:9)"_s;
    view.setResponse(response);
    QVERIFY(view.statusLabel()->text().contains(u"connection refused"_s));
    QVERIFY(!view.findChild<QToolButton *>(u"saveBodyButton"_s)->isEnabled());
}

QTEST_MAIN(TestResponseView)
#include "tst_responseview.moc"
