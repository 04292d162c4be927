#include "junit.h"

#include "runner.h"

#include <QXmlStreamWriter>

using namespace Qt::StringLiterals;

namespace Conflux::Tester {

namespace {

QString seconds(qint64 ms)
{
    return QString::number(double(ms) / 1000.0, 'f', 3);
}

struct Suite
{
    QString name;
    QList<const RequestResult *> results;
};

qint64 elapsedOf(const RequestResult &r)
{
    return r.response ? r.response->elapsedMs : 0;
}

} // namespace

QByteArray toJUnitXml(const RunReport &report)
{
    QList<Suite> suites;
    for (const RequestResult &r : report.results) {
        const QString name = r.folders.isEmpty() ? report.collectionName : r.folders.join(u" / "_s);
        auto it = std::find_if(suites.begin(), suites.end(), [&](const Suite &s) { return s.name == name; });
        if (it == suites.end()) {
            suites.append({name, {}});
            it = suites.end() - 1;
        }
        it->results.append(&r);
    }
    int failures = 0;
    int errors = 0;
    for (const RequestResult &r : report.results) {
        if (r.error)
            ++errors;
        else if (!r.passed())
            ++failures;
    }

    QByteArray out;
    QXmlStreamWriter xml(&out);
    xml.setAutoFormatting(true);
    xml.setAutoFormattingIndent(2);
    xml.writeStartDocument();
    xml.writeStartElement(u"testsuites"_s);
    xml.writeAttribute(u"name"_s, report.collectionName);
    xml.writeAttribute(u"tests"_s, QString::number(report.results.size()));
    xml.writeAttribute(u"failures"_s, QString::number(failures));
    xml.writeAttribute(u"errors"_s, QString::number(errors));
    xml.writeAttribute(u"time"_s, seconds(report.elapsedMs));
    for (const Suite &suite : std::as_const(suites)) {
        int suiteFailures = 0;
        int suiteErrors = 0;
        qint64 suiteMs = 0;
        for (const RequestResult *r : suite.results) {
            suiteErrors += r->error ? 1 : 0;
            suiteFailures += !r->error && !r->passed() ? 1 : 0;
            suiteMs += elapsedOf(*r);
        }
        xml.writeStartElement(u"testsuite"_s);
        xml.writeAttribute(u"name"_s, suite.name);
        xml.writeAttribute(u"tests"_s, QString::number(suite.results.size()));
        xml.writeAttribute(u"failures"_s, QString::number(suiteFailures));
        xml.writeAttribute(u"errors"_s, QString::number(suiteErrors));
        xml.writeAttribute(u"time"_s, seconds(suiteMs));
        if (!suite.results.isEmpty())
            xml.writeAttribute(u"timestamp"_s, suite.results.first()->sentAt.toString(Qt::ISODate));
        for (const RequestResult *r : suite.results) {
            xml.writeStartElement(u"testcase"_s);
            xml.writeAttribute(u"name"_s, r->name);
            xml.writeAttribute(u"classname"_s, (QStringList{report.collectionName} + r->folders).join(u'.'));
            xml.writeAttribute(u"time"_s, seconds(elapsedOf(*r)));
            if (r->error) {
                xml.writeStartElement(u"error"_s);
                xml.writeAttribute(u"message"_s, r->error->message);
                xml.writeAttribute(u"type"_s, r->error->code);
                xml.writeCharacters(r->error->toString());
                xml.writeEndElement();
            }
            QStringList failed;
            for (const AssertionResult &a : r->assertions) {
                if (!a.passed)
                    failed.append(a.name + u": "_s + a.message);
            }
            if (!failed.isEmpty()) {
                xml.writeStartElement(u"failure"_s);
                xml.writeAttribute(u"message"_s, failed.size() == 1 ? failed.first()
                                                                    : u"%1 assertions failed"_s.arg(failed.size()));
                xml.writeAttribute(u"type"_s, u"assertion"_s);
                xml.writeCharacters(failed.join(u'\n'));
                xml.writeEndElement();
            }
            xml.writeEndElement();
        }
        xml.writeEndElement();
    }
    xml.writeEndElement();
    xml.writeEndDocument();
    return out;
}

} // namespace Conflux::Tester
