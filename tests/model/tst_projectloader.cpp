#include "model/bundle.h"
#include "model/jsontext.h"
#include "model/projectloader.h"
#include "model/projectwriter.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include "testsupport.h"

using namespace Conflux;
using namespace Conflux::Model;
using namespace Qt::StringLiterals;

namespace {

const QString sampleFolder = Conflux::Test::sampleFolder();
using Conflux::Test::copyFolder;

ProjectFiles sampleFiles()
{
    Diagnostics errors;
    ProjectFiles files = readProjectFolder(sampleFolder, &errors);
    if (!errors.isEmpty())
        qFatal("cannot read the sample project");
    return files;
}

QJsonObject object(const QByteArray &text)
{
    return QJsonDocument::fromJson(text).object();
}

QByteArray text(const QJsonObject &o)
{
    return canonicalJson(o);
}

// Replaces the value at a top-level key of one file.
ProjectFiles withMember(ProjectFiles files, const QString &file, const QString &key, const QJsonValue &value)
{
    QJsonObject o = object(files.value(file));
    o.insert(key, value);
    files.insert(file, text(o));
    return files;
}

QStringList messages(const LoadResult &result)
{
    return toStrings(result.errors);
}


} // namespace

class tst_ProjectLoader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sampleLoads()
    {
        const LoadResult result = ProjectLoader().loadFolder(sampleFolder);
        QVERIFY2(result.isOk(), qPrintable(messages(result).join(u'\n')));
        const Project &p = *result.project;
        QCOMPARE(p.name(), u"Order Hub"_s);
        // Every kind is used by the sample.
        for (const KindInfo &info : documentKinds())
            QVERIFY2(p.count(info.kind) > 0, qPrintable(info.name));
        QCOMPARE(p.endpoints.size(), 4);
        QCOMPARE(p.queues.size(), 3);
        const SyncJob *job = nullptr;
        for (const SyncJob &j : p.syncJobs) {
            if (j.document.id == u"customers-nightly")
                job = &j;
        }
        QVERIFY(job);
        QCOMPARE(job->syncStrategy, u"scheduled"_s);
        QCOMPARE(job->keyFields, QStringList{u"customer_id"_s});
        QCOMPARE(p.sapConnections.constFirst().passwordSecret, std::optional<QString>(u"sap.production.password"_s));
        QVERIFY(p.document(DocumentKind::Mapping, u"shop-order-to-erp"_s));
        QVERIFY(!p.document(DocumentKind::Endpoint, u"shop-order-to-erp"_s));
    }

    void sampleIsCanonical()
    {
        // Every sample file is byte-identical to what Conflux writes: saving it changes nothing.
        const ProjectFiles files = sampleFiles();
        for (auto it = files.begin(); it != files.end(); ++it) {
            if (!it.key().startsWith(u"tables/"_s))   // lookup data, not documents
                QCOMPARE(QString::fromUtf8(canonicalJson(object(it.value()))), QString::fromUtf8(it.value()));
        }
    }

    void unchangedSaveChangesNoByte()
    {
        QTemporaryDir dir;
        QVERIFY(copyFolder(sampleFolder, dir.path()));
        const LoadResult loaded = ProjectLoader().loadFolder(dir.path());
        QVERIFY(loaded.isOk());
        const ProjectWriter writer(dir.path());
        const QDateTime before = QFileInfo(dir.filePath(u"sync/customers-nightly.json"_s)).lastModified();
        QTest::qWait(20);
        for (const Document &d : loaded.project->documents()) {
            Result<bool> written = writer.writeDocument(d.file, d.json);
            QVERIFY(written);
            QVERIFY2(!written.value(), qPrintable(d.file)); // nothing changed, nothing written
        }
        QCOMPARE(QFileInfo(dir.filePath(u"sync/customers-nightly.json"_s)).lastModified(), before);
    }

    void oneFieldChangeIsOneLineDiff()
    {
        QTemporaryDir dir;
        QVERIFY(copyFolder(sampleFolder, dir.path()));
        const QString file = u"sync/customers-nightly.json"_s;
        QFile original(dir.filePath(file));
        QVERIFY(original.open(QIODevice::ReadOnly));
        const QList<QByteArray> before = original.readAll().split('\n');
        original.close();
        QJsonObject json = object(sampleFiles().value(file));
        json.insert(u"batch_size"_s, 2500);
        QVERIFY(ProjectWriter(dir.path()).writeDocument(file, json).value());
        QVERIFY(original.open(QIODevice::ReadOnly));
        const QList<QByteArray> after = original.readAll().split('\n');
        QCOMPARE(after.size(), before.size());
        int differing = 0;
        for (qsizetype i = 0; i < before.size(); ++i) {
            if (before.at(i) != after.at(i)) {
                ++differing;
                QCOMPARE(after.at(i), QByteArray("  \"batch_size\": 2500,"));
            }
        }
        QCOMPARE(differing, 1);
    }

    void errors_data()
    {
        QTest::addColumn<ProjectFiles>("files");
        QTest::addColumn<QStringList>("expected");   // substrings of the rendered errors, in any order

        const ProjectFiles good = sampleFiles();

        ProjectFiles malformed = good;
        malformed.insert(u"endpoints/erp-db.json"_s, "{\n  \"kind\": \"Endpoint\",\n  \"id\": \"erp-db\"\n  \"name\": \"x\"\n}\n");
        QTest::addRow("malformed JSON with line and column")
            << malformed << QStringList{u"endpoints/erp-db.json:4:"_s};

        QTest::addRow("wrong type")
            << withMember(good, u"sync/customers-nightly.json"_s, u"batch_size"_s, u"many"_s)
            << QStringList{u"sync/customers-nightly.json:/batch_size: "_s};

        QTest::addRow("unknown property")
            << withMember(good, u"queues/orders.json"_s, u"max_szie"_s, 10)
            << QStringList{u"queues/orders.json:/max_szie: "_s};

        QTest::addRow("missing reference")
            << withMember(good, u"sync/customers-nightly.json"_s, u"target_endpoint"_s, u"crm-old"_s)
            << QStringList{u"sync/customers-nightly.json:/target_endpoint: endpoint \"crm-old\" does not exist (no endpoints/crm-old.json)"_s};

        ProjectFiles removedQueue = good;
        removedQueue.remove(u"queues/orders-dlq.json"_s);
        QTest::addRow("a removed document breaks every reference to it")
            << removedQueue
            << QStringList{u"project.json:/broker/dead_letter_queue: queue \"orders-dlq\""_s,
                           u"queues/orders.json:/dead_letter_queue: queue \"orders-dlq\""_s,
                           u"queues/high-value-orders.json:/dead_letter_queue: queue \"orders-dlq\""_s};

        QJsonObject mapping = object(good.value(u"mappings/shop-order-to-erp.json"_s));
        QJsonArray rules = mapping.value(u"rules"_s).toArray();
        QJsonObject duplicate = rules.at(3).toObject();
        duplicate.insert(u"target"_s, u"customer_id"_s);
        rules.replace(3, duplicate);
        mapping.insert(u"rules"_s, rules);
        ProjectFiles duplicateTarget = good;
        duplicateTarget.insert(u"mappings/shop-order-to-erp.json"_s, text(mapping));
        QTest::addRow("duplicate target field")
            << duplicateTarget
            << QStringList{u"mappings/shop-order-to-erp.json:/rules/3/target: duplicate target field \"customer_id\""_s};

        QJsonObject overlap = rules.at(4).toObject();
        overlap.insert(u"target"_s, u"order_number.suffix"_s);
        QJsonArray overlapping = mapping.value(u"rules"_s).toArray();
        overlapping.replace(3, rules.at(2));
        overlapping.replace(4, overlap);
        QJsonObject overlapMapping = mapping;
        overlapMapping.insert(u"rules"_s, overlapping);
        ProjectFiles overlapTarget = good;
        overlapTarget.insert(u"mappings/shop-order-to-erp.json"_s, text(overlapMapping));
        QTest::addRow("target inside another target")
            << overlapTarget
            << QStringList{u"mappings/shop-order-to-erp.json:/rules/4/target: target field \"order_number.suffix\" overlaps \"order_number\""_s};

        ProjectFiles noTable = good;
        noTable.remove(u"tables/countries.csv"_s);
        QTest::addRow("lookup table missing")
            << noTable
            << QStringList{u"mappings/shop-order-to-erp.json:/rules/5/table: no table \"countries\" in the project"_s};

        ProjectFiles badTable = good;
        badTable.insert(u"tables/Bad Name.csv"_s, "a,b\n");
        badTable.insert(u"tables/countries.json"_s, "[]");
        QTest::addRow("bad table files")
            << badTable
            << QStringList{u"tables/Bad Name.csv:: not a table"_s,
                           u"tables/countries.json:: table \"countries\" exists both as .csv and as .json"_s};

        QJsonObject ruleMissingOption = mapping;
        QJsonArray broken = mapping.value(u"rules"_s).toArray();
        QJsonObject lookup = broken.at(5).toObject();
        lookup.remove(u"column"_s);
        broken.replace(5, lookup);
        ruleMissingOption.insert(u"rules"_s, broken);
        ProjectFiles incomplete = good;
        incomplete.insert(u"mappings/shop-order-to-erp.json"_s, text(ruleMissingOption));
        QTest::addRow("rule form without its option")
            << incomplete << QStringList{u"mappings/shop-order-to-erp.json:/rules/5: "_s};

        QTest::addRow("future schemaVersion")
            << withMember(good, u"routes/partner-soap.json"_s, u"schemaVersion"_s, 99)
            << QStringList{u"routes/partner-soap.json:/schemaVersion: schemaVersion 99 is newer than this Conflux understands"_s};

        QJsonObject auth{{u"type"_s, u"basic"_s}, {u"username"_s, u"u"_s}, {u"password"_s, u"PLANTED-hunter2"_s}};
        QTest::addRow("plaintext secret")
            << withMember(good, u"endpoints/erp-db.json"_s, u"authentication"_s, auth)
            << QStringList{u"endpoints/erp-db.json:/authentication/password: plaintext credential"_s};

        QTest::addRow("id does not match the file name")
            << withMember(good, u"queues/orders.json"_s, u"id"_s, u"orders2"_s)
            << QStringList{u"queues/orders.json:/id: id \"orders2\" does not match the file name"_s};

        QTest::addRow("kind in the wrong folder")
            << withMember(good, u"queues/orders.json"_s, u"kind"_s, u"Endpoint"_s)
            << QStringList{u"queues/orders.json:/kind: a Endpoint document belongs in endpoints/"_s};

        QTest::addRow("unknown kind")
            << withMember(good, u"queues/orders.json"_s, u"kind"_s, u"Topic"_s)
            << QStringList{u"queues/orders.json:/kind: unknown kind \"Topic\""_s};

        ProjectFiles duplicateKeys = good;
        duplicateKeys.insert(u"queues/orders-dlq.json"_s,
                             "{\"kind\": \"Queue\", \"schemaVersion\": 1, \"id\": \"orders-dlq\", \"name\": \"a\", "
                             "\"queue_type\": \"dead_letter\", \"name\": \"b\"}\n");
        QTest::addRow("duplicate member names")
            << duplicateKeys << QStringList{u"queues/orders-dlq.json:/name: duplicate member name \"name\""_s};

        ProjectFiles noProject = good;
        noProject.remove(u"project.json"_s);
        QTest::addRow("missing project.json") << noProject << QStringList{u"project.json:: missing"_s};

        ProjectFiles stray = good;
        stray.insert(u"endpoints/nested/x.json"_s, "{}");
        QTest::addRow("file outside the layout") << stray << QStringList{u"endpoints/nested/x.json:: not a project document"_s};

        ProjectFiles several = withMember(good, u"sync/customers-nightly.json"_s, u"batch_size"_s, 0);
        several = withMember(several, u"routes/orders-api.json"_s, u"method"_s, u"FETCH"_s);
        several = withMember(several, u"workflows/order-fulfilment.json"_s, u"trigger"_s, QJsonObject{{u"type"_s, u"schedule"_s}});
        QTest::addRow("every error is reported, not just the first")
            << several
            << QStringList{u"sync/customers-nightly.json:/batch_size: "_s, u"routes/orders-api.json:/method: "_s,
                           u"workflows/order-fulfilment.json:/trigger: "_s};
    }

    void errors()
    {
        QFETCH(ProjectFiles, files);
        QFETCH(QStringList, expected);
        const LoadResult result = ProjectLoader().load(files);
        QVERIFY(!result.isOk());
        const QStringList rendered = messages(result);
        for (const QString &want : expected) {
            bool found = false;
            for (const QString &line : rendered)
                found |= line.contains(want);
            QVERIFY2(found, qPrintable(u"missing: "_s + want + u"\ngot:\n"_s + rendered.join(u'\n')));
        }
        // Every error names its file and has a position inside it.
        for (const Diagnostic &d : result.errors) {
            QVERIFY(!d.file.isEmpty());
            // (Whole-file problems have no position: a missing project.json, a stray file.)
            QVERIFY2(d.line > 0 || d.file == u"project.json" || d.message.startsWith(u"not a project document"_s)
                         || d.file.startsWith(u"tables/"_s),
                     qPrintable(d.toString()));
        }
    }

    void catalogEndpointsNeedNoUrl()
    {
        // A connector catalog endpoint takes its base URL from the definition; others need one.
        ProjectFiles files = sampleFiles();
        files.insert(u"endpoints/github.json"_s,
                     "{\n  \"kind\": \"Endpoint\",\n  \"schemaVersion\": 1,\n  \"id\": \"github\",\n"
                     "  \"name\": \"GitHub\",\n  \"type\": \"api\",\n  \"configuration\": {\n"
                     "    \"catalog\": \"github\"\n  },\n  \"protocol\": \"rest\"\n}\n");
        const LoadResult catalog = ProjectLoader().load(files);
        QVERIFY2(catalog.isOk(), qPrintable(messages(catalog).join(u'\n')));
        files.insert(u"endpoints/github.json"_s,
                     "{\n  \"kind\": \"Endpoint\",\n  \"schemaVersion\": 1,\n  \"id\": \"github\",\n"
                     "  \"name\": \"GitHub\",\n  \"type\": \"api\",\n  \"protocol\": \"rest\"\n}\n");
        const LoadResult inline_ = ProjectLoader().load(files);
        QVERIFY(!inline_.isOk());
        QVERIFY2(messages(inline_).join(u'\n').contains(u"endpoints/github.json"_s)
                     && messages(inline_).join(u'\n').contains(u"url"_s),
                 qPrintable(messages(inline_).join(u'\n')));
    }

    void syntaxErrorReportsOnlyItself()
    {
        // A file that does not parse is one error; references to it are not also reported.
        ProjectFiles files = sampleFiles();
        files.insert(u"endpoints/erp-db.json"_s, "{\n  \"kind\": \"Endpoint\",\n  \"id\": \"erp-db\"\n  \"name\": \"x\"\n}\n");
        const LoadResult result = ProjectLoader().load(files);
        QCOMPARE(result.errors.size(), 1);
        QCOMPARE(result.errors.first().file, u"endpoints/erp-db.json"_s);
        QVERIFY(result.errors.first().message.startsWith(u"invalid JSON: "_s));
    }

    void errorPositions()
    {
        // The line of a schema error points at the offending member.
        ProjectFiles files = withMember(sampleFiles(), u"sync/customers-nightly.json"_s, u"batch_size"_s, u"many"_s);
        const LoadResult result = ProjectLoader().load(files);
        QVERIFY(!result.isOk());
        const QList<QByteArray> lines = files.value(u"sync/customers-nightly.json"_s).split('\n');
        for (const Diagnostic &d : result.errors) {
            if (d.pointer == u"/batch_size") {
                QVERIFY(lines.at(d.line - 1).contains("\"batch_size\""));
                QCOMPARE(d.column, 3);
                return;
            }
        }
        QFAIL("no error at /batch_size");
    }

    void olderSchemaVersionIsMigrated()
    {
        // A registry where Queue is at version 2, renaming "max_size" → "capacity" is not
        // in the schema, so the step renames a made-up v1 member into the real one.
        MigrationRegistry registry;
        registry.setCurrentVersion(DocumentKind::Queue, 2);
        registry.addStep(DocumentKind::Queue, 1, [](const QJsonObject &doc) -> Result<QJsonObject> {
            QJsonObject out = doc;
            if (out.contains(u"capacity"_s))
                out.insert(u"max_size"_s, out.take(u"capacity"_s));
            return out;
        });
        ProjectFiles files = sampleFiles();
        QJsonObject queue = object(files.value(u"queues/orders.json"_s));
        queue.insert(u"capacity"_s, queue.take(u"max_size"_s));
        files.insert(u"queues/orders.json"_s, text(queue));

        // The built-in registry sees an unknown member...
        QVERIFY(!ProjectLoader().load(files).isOk());
        // ...the one with the migration upgrades the document on load.
        const LoadResult result = ProjectLoader(registry).load(files);
        QVERIFY2(result.isOk(), qPrintable(messages(result).join(u'\n')));
        QCOMPARE(result.migratedFiles.size(), 3); // every Queue document was at version 1
        QVERIFY(result.migratedFiles.contains(u"queues/orders.json"_s));
        const Queue &orders = *std::find_if(result.project->queues.begin(), result.project->queues.end(),
                                            [](const Queue &q) { return q.document.id == u"orders"; });
        QCOMPARE(orders.maxSize, 100000);
        QCOMPARE(orders.document.schemaVersion, 2);
        QCOMPARE(orders.document.json.value(u"schemaVersion"_s).toInt(), 2);

        // A missing step is a clear error, not a silent pass.
        MigrationRegistry gap;
        gap.setCurrentVersion(DocumentKind::Queue, 3);
        const LoadResult refused = ProjectLoader(gap).load(sampleFiles());
        QVERIFY(!refused.isOk());
        QVERIFY(messages(refused).join(u'\n').contains(u"no migration from schemaVersion 1 to 2 for Queue documents"_s));
    }

    void mappingVersion1IsMigrated()
    {
        // A mapping written by the first release: "fields" and top-level formats.
        ProjectFiles files = sampleFiles();
        files.insert(u"mappings/erp-order-to-sap.json"_s, R"j({
  "kind": "Mapping",
  "schemaVersion": 1,
  "id": "erp-order-to-sap",
  "name": "ERP order to SAP",
  "source_format": "json",
  "target_format": "xml",
  "record_path": "orders",
  "fields": [
    {"target": "DOC_TYPE", "default": "TA"},
    {"target": "PURCH_NO", "source": "order_number", "required": true},
    {"target": "TOTAL", "expression": "$sum(items.price)", "default": 0}
  ],
  "validation": [{"field": "TOTAL", "rule": "range", "min": 0}]
}
)j");
        const LoadResult result = ProjectLoader().load(files);
        QVERIFY2(result.isOk(), qPrintable(messages(result).join(u'\n')));
        QCOMPARE(result.migratedFiles, QStringList{u"mappings/erp-order-to-sap.json"_s});
        const Mapping &m = *std::find_if(result.project->mappings.begin(), result.project->mappings.end(),
                                         [](const Mapping &x) { return x.document.id == u"erp-order-to-sap"; });
        QCOMPARE(m.document.schemaVersion, 2);
        QCOMPARE(m.source.value(u"format"_s).toString(), u"json"_s);
        QCOMPARE(m.source.value(u"record_path"_s).toString(), u"orders"_s);
        QCOMPARE(m.target.value(u"format"_s).toString(), u"xml"_s);
        QCOMPARE(m.rules.size(), 3);
        QCOMPARE(m.rules.at(0).type, u"default_value"_s);
        QCOMPARE(m.rules.at(0).json.value(u"value"_s).toString(), u"TA"_s);
        QCOMPARE(m.rules.at(1).type, u"field_mapping"_s);
        QVERIFY(m.rules.at(1).json.value(u"required"_s).toBool());
        QCOMPARE(m.rules.at(2).type, u"expression"_s);
        QCOMPARE(m.rules.at(2).json.value(u"default"_s).toInt(), 0);
        QCOMPARE(m.validation.size(), 1);
    }

    void writerRefusesPlaintextSecrets()
    {
        QTemporaryDir dir;
        const QJsonObject endpoint = object(sampleFiles().value(u"endpoints/erp-db.json"_s));
        QJsonObject leaked = endpoint;
        leaked.insert(u"authentication"_s, QJsonObject{{u"type"_s, u"basic"_s}, {u"username"_s, u"u"_s},
                                                       {u"password"_s, u"PLANTED-hunter2"_s}});
        Result<bool> written = ProjectWriter(dir.path()).writeDocument(u"endpoints/erp-db.json"_s, leaked);
        QVERIFY(!written);
        QCOMPARE(written.error().code, u"plaintext_secret"_s);
        QVERIFY(!QFile::exists(dir.filePath(u"endpoints/erp-db.json"_s)));
        // Paths that escape the project are refused too.
        QVERIFY(!ProjectWriter(dir.path()).writeDocument(u"../evil.json"_s, endpoint));
    }

    void bundleRoundTrip()
    {
        const ProjectFiles files = sampleFiles();
        const QByteArray bundle = Bundle::make(files);
        Result<ProjectFiles> read = Bundle::read(bundle);
        QVERIFY(read);
        QCOMPARE(read->keys(), files.keys());
        QCOMPARE(Bundle::digest(*read), Bundle::digest(files));
        QVERIFY(ProjectLoader().load(*read).isOk());

        // A file carried as text that is not JSON still gets its line and column.
        QJsonObject root = object(bundle);
        QJsonObject content = root.value(u"files"_s).toObject();
        content.insert(u"queues/orders.json"_s, u"{\n  \"kind\": \"Queue\",,\n}"_s);
        root.insert(u"files"_s, content);
        Result<ProjectFiles> broken = Bundle::read(canonicalJson(root));
        QVERIFY(broken);
        const LoadResult result = ProjectLoader().load(*broken);
        QVERIFY(!result.isOk());
        QVERIFY(messages(result).join(u'\n').contains(u"queues/orders.json:2:"_s));

        QCOMPARE(Bundle::read("[]").error().code, u"bundle_invalid"_s);
        QCOMPARE(Bundle::read("{\"kind\": \"ProjectBundle\", \"schemaVersion\": 2, \"files\": {}}").error().code, u"bundle_invalid"_s);
        QCOMPARE(Bundle::read(QByteArray(2048, ' '), 1024).error().code, u"bundle_too_large"_s);
    }

    void loaderIsThreadSafe()
    {
        const ProjectLoader loader;
        const ProjectFiles files = sampleFiles();
        std::atomic<int> ok = 0;
        QList<QThread *> threads;
        for (int i = 0; i < 4; ++i) {
            threads.append(QThread::create([&] {
                for (int n = 0; n < 10; ++n)
                    ok += loader.load(files).isOk() ? 1 : 0;
            }));
            threads.last()->start();
        }
        for (QThread *t : threads) {
            t->wait();
            delete t;
        }
        QCOMPARE(ok.load(), 40);
    }
};

QTEST_GUILESS_MAIN(tst_ProjectLoader)
#include "tst_projectloader.moc"
