<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name>Conflux::Ui::AutosaveStore</name>
    <message>
        <location filename="../ui/autosave.cpp" line="+42"/>
        <source>cannot create the folder of %1</source>
        <translation>kann den Ordner von %1 nicht anlegen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>cannot write %1: %2</source>
        <translation>kann %1 nicht schreiben: %2</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>%1 is not a path inside the project</source>
        <translation>%1 ist kein Pfad innerhalb des Projekts</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::Autosaver</name>
    <message>
        <location filename="../ui/autosaver.cpp" line="+107"/>
        <source>Restore Unsaved Changes</source>
        <translation>Ungespeicherte Änderungen wiederherstellen</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>Conflux was not closed properly. Unsaved changes to %n document(s) were kept:</source>
        <translation>
            <numerusform>Conflux wurde nicht ordnungsgemäß beendet. Ungespeicherte Änderungen an %n Dokument wurden aufbewahrt:</numerusform>
            <numerusform>Conflux wurde nicht ordnungsgemäß beendet. Ungespeicherte Änderungen an %n Dokumenten wurden aufbewahrt:</numerusform>
        </translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Restore</source>
        <translation>&amp;Wiederherstellen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Discard</source>
        <translation>&amp;Verwerfen</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Re-enter Credentials</source>
        <translation>Zugangsdaten erneut eingeben</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Credentials are never written to disk, not even to autosaved copies, so the restored changes have empty values where credentials were typed. Re-enter them before saving:</source>
        <translation>Zugangsdaten werden nie auf die Festplatte geschrieben, auch nicht in automatisch gesicherte Kopien. Die wiederhergestellten Änderungen enthalten daher leere Werte, wo Zugangsdaten eingegeben wurden. Geben Sie sie vor dem Speichern erneut ein:</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::DocumentSaver</name>
    <message>
        <location filename="../ui/documentsaver.cpp" line="+37"/>
        <source>%1 was not saved: it is not a valid JSON document. Fix the errors shown in the editor first.</source>
        <translation>%1 wurde nicht gespeichert: Es ist kein gültiges JSON-Dokument. Beheben Sie zuerst die im Editor angezeigten Fehler.</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>%1 was not saved: it holds plaintext credentials, and a project never stores secrets.</source>
        <translation>%1 wurde nicht gespeichert: Es enthält Zugangsdaten im Klartext, und ein Projekt speichert niemals Geheimnisse.</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>%1 was not saved: its credentials could not be moved to the OS keychain (%2). Nothing was written; the values remain only in the editor.</source>
        <translation>%1 wurde nicht gespeichert: Die Zugangsdaten konnten nicht in den Schlüsselbund des Betriebssystems verschoben werden (%2). Es wurde nichts geschrieben; die Werte stehen nur im Editor.</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::FindBar</name>
    <message>
        <location filename="../ui/findbar.cpp" line="+21"/>
        <source>Find:</source>
        <translation>Suchen:</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Previous</source>
        <translation>Vorheriges</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Next</source>
        <translation>Nächstes</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>Not found</source>
        <translation>Nicht gefunden</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::LocalEngineWidget</name>
    <message>
        <location filename="../ui/localengine.cpp" line="+55"/>
        <source>Engine: stopped</source>
        <translation>Engine: gestoppt</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Engine: running — %1</source>
        <translation>Engine: läuft — %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Engine: stopping…</source>
        <translation>Engine: wird gestoppt…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Stop</source>
        <translation>Stoppen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Start</source>
        <translation>Starten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Stop the local engine (drains open requests)</source>
        <translation>Lokale Engine stoppen (offene Anfragen werden abgeschlossen)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start the local engine on this project</source>
        <translation>Lokale Engine mit diesem Projekt starten</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::MainWindow</name>
    <message>
        <location filename="../ui/mainwindow.cpp" line="+145"/>
        <source>The local engine stopped.</source>
        <translation>Die lokale Engine wurde gestoppt.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Autosave failed: %1</source>
        <translation>Automatisches Sichern fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>&amp;New Project…</source>
        <translation>&amp;Neues Projekt…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Open Project…</source>
        <translation>Projekt ö&amp;ffnen…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Save</source>
        <translation>&amp;Speichern</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save A&amp;ll</source>
        <translation>A&amp;lle speichern</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Close Tab</source>
        <translation>Tab s&amp;chließen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Clear Recent Projects</source>
        <translation>Liste &amp;leeren</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Undo</source>
        <translation>&amp;Rückgängig</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Redo</source>
        <translation>&amp;Wiederherstellen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cu&amp;t</source>
        <translation>&amp;Ausschneiden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Copy</source>
        <translation>&amp;Kopieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Paste</source>
        <translation>&amp;Einfügen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Find…</source>
        <translation>&amp;Suchen…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Find &amp;Next</source>
        <translation>Wei&amp;tersuchen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Find Pre&amp;vious</source>
        <translation>Rück&amp;wärts suchen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Project &amp;Explorer</source>
        <translation>Projekt-&amp;Explorer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Editor</source>
        <translation>&amp;Editor</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Problems</source>
        <translation>&amp;Probleme</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Start Local Engine</source>
        <translation>Lokale Engine &amp;starten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>S&amp;top Local Engine</source>
        <translation>Lokale Engine s&amp;toppen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;About Conflux</source>
        <translation>&amp;Über Conflux</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>About Conflux</source>
        <translation>Über Conflux</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&lt;h3&gt;Conflux %1&lt;/h3&gt;&lt;p&gt;An integration studio: design endpoints, mappings, workflows and SAP operations, and run them on the embedded engine or on headless nodes.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Conflux %1&lt;/h3&gt;&lt;p&gt;Ein Integrationsstudio: Entwerfen Sie Endpunkte, Mappings, Workflows und SAP-Operationen und führen Sie sie in der eingebetteten Engine oder auf Knoten ohne Oberfläche aus.&lt;/p&gt;</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open &amp;Recent</source>
        <translation>&amp;Zuletzt geöffnet</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>New &amp;Document</source>
        <translation>Neues &amp;Dokument</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1…</source>
        <translation>%1…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Edit</source>
        <translation>&amp;Bearbeiten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Show Problems &amp;Panel</source>
        <translation>Bereich „Probleme“ &amp;anzeigen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>E&amp;ngine</source>
        <translation>E&amp;ngine</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>No recent projects</source>
        <translation>Keine zuletzt geöffneten Projekte</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>%1 is not a Conflux project: it has no project.json.</source>
        <translation>%1 ist kein Conflux-Projekt: Es enthält keine project.json.</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+76"/>
        <source>Open Project</source>
        <translation>Projekt öffnen</translation>
    </message>
    <message>
        <location line="-59"/>
        <source>Opened %1.</source>
        <translation>%1 geöffnet.</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>New Project</source>
        <translation>Neues Projekt</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Conflux</source>
        <translation>Conflux</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1[*] — Conflux</source>
        <translation>%1[*] — Conflux</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>No project is open.

File ▸ Open Project… (%1) opens a project folder;
File ▸ New Project… (%2) creates one.</source>
        <translation>Kein Projekt geöffnet.

Datei ▸ Projekt öffnen… (%1) öffnet einen Projektordner;
Datei ▸ Neues Projekt… (%2) legt einen an.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No document is open.

Double-click a document in the project explorer, or create one with File ▸ New Document.</source>
        <translation>Kein Dokument geöffnet.

Doppelklicken Sie auf ein Dokument im Projekt-Explorer oder legen Sie eines mit Datei ▸ Neues Dokument an.</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Cannot read %1.</source>
        <translation>%1 kann nicht gelesen werden.</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Created %1.</source>
        <translation>%1 angelegt.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>New Document</source>
        <translation>Neues Dokument</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Line %1, Column %2</source>
        <translation>Zeile %1, Spalte %2</translation>
    </message>
    <message>
        <location line="+70"/>
        <source>Saved %1.</source>
        <translation>%1 gespeichert.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 is unchanged on disk.</source>
        <translation>%1 ist auf der Festplatte unverändert.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Not Saved</source>
        <translation>Nicht gespeichert</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Unsaved Changes</source>
        <translation>Ungespeicherte Änderungen</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n document(s) have unsaved changes:</source>
        <translation>
            <numerusform>%n Dokument hat ungespeicherte Änderungen:</numerusform>
            <numerusform>%n Dokumente haben ungespeicherte Änderungen:</numerusform>
        </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save them?</source>
        <translation>Speichern?</translation>
    </message>
    <message>
        <location line="+113"/>
        <source>Discarded the autosaved changes.</source>
        <translation>Die automatisch gesicherten Änderungen wurden verworfen.</translation>
    </message>
    <message numerus="yes">
        <location line="+13"/>
        <source>Restored unsaved changes to %n document(s).</source>
        <translation>
            <numerusform>Ungespeicherte Änderungen an %n Dokument wiederhergestellt.</numerusform>
            <numerusform>Ungespeicherte Änderungen an %n Dokumenten wiederhergestellt.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Open a project to run it on the local engine.</source>
        <translation>Öffnen Sie ein Projekt, um es in der lokalen Engine auszuführen.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>The local engine did not start: %1</source>
        <translation>Die lokale Engine wurde nicht gestartet: %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The local engine runs the saved project at %1.</source>
        <translation>Die lokale Engine führt das gespeicherte Projekt unter %1 aus.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Stopping the local engine…</source>
        <translation>Die lokale Engine wird gestoppt…</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::MoveSecretsDialog</name>
    <message>
        <location filename="../ui/movesecretsdialog.cpp" line="+23"/>
        <source>Move Credentials to the Keychain</source>
        <translation>Zugangsdaten in den Schlüsselbund verschieben</translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>&lt;p&gt;&lt;b&gt;%1&lt;/b&gt; holds %n plaintext credential(s). A project never stores secrets, so it cannot be saved like this.&lt;/p&gt;&lt;p&gt;Conflux can move each value into the OS keychain (service &quot;%2&quot;) and write a reference &lt;code&gt;{&quot;secret&quot;: &quot;name&quot;}&lt;/code&gt; in its place. Nodes resolve the same names from their environment or credentials directory.&lt;/p&gt;</source>
        <translation>
            <numerusform>&lt;p&gt;&lt;b&gt;%1&lt;/b&gt; enthält %n Zugangsdatum im Klartext. Ein Projekt speichert niemals Geheimnisse, daher kann es so nicht gespeichert werden.&lt;/p&gt;&lt;p&gt;Conflux kann den Wert in den Schlüsselbund des Betriebssystems (Dienst „%2“) verschieben und an seiner Stelle einen Verweis &lt;code&gt;{&quot;secret&quot;: &quot;name&quot;}&lt;/code&gt; schreiben. Knoten lösen denselben Namen aus ihrer Umgebung oder ihrem Zugangsdatenverzeichnis auf.&lt;/p&gt;</numerusform>
            <numerusform>&lt;p&gt;&lt;b&gt;%1&lt;/b&gt; enthält %n Zugangsdaten im Klartext. Ein Projekt speichert niemals Geheimnisse, daher kann es so nicht gespeichert werden.&lt;/p&gt;&lt;p&gt;Conflux kann jeden Wert in den Schlüsselbund des Betriebssystems (Dienst „%2“) verschieben und an seiner Stelle einen Verweis &lt;code&gt;{&quot;secret&quot;: &quot;name&quot;}&lt;/code&gt; schreiben. Knoten lösen dieselben Namen aus ihrer Umgebung oder ihrem Zugangsdatenverzeichnis auf.&lt;/p&gt;</numerusform>
        </translation>
    </message>
    <message>
        <location line="+16"/>
        <source>%1 →</source>
        <translation>%1 →</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Move to Keychain and Save</source>
        <translation>In den Schlüsselbund verschieben und speichern</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>A secret name is 1–128 characters of letters, digits, &apos;.&apos;, &apos;_&apos; and &apos;-&apos;, starting with a letter or digit.</source>
        <translation>Ein Geheimnisname besteht aus 1–128 Buchstaben, Ziffern, &apos;.&apos;, &apos;_&apos; und &apos;-&apos; und beginnt mit einem Buchstaben oder einer Ziffer.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Each credential needs its own name.</source>
        <translation>Jedes Zugangsdatum braucht einen eigenen Namen.</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::NewDocumentDialog</name>
    <message>
        <location filename="../ui/newdocumentdialog.cpp" line="+24"/>
        <source>New %1</source>
        <translation>Neu: %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>e.g. orders-to-erp</source>
        <translation>z. B. orders-to-erp</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Create</source>
        <translation>Anlegen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Id:</source>
        <translation>&amp;ID:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Lowercase letters, digits, &apos;.&apos;, &apos;_&apos; and &apos;-&apos;. The file will be %1/&lt;id&gt;.json.</source>
        <translation>Kleinbuchstaben, Ziffern, &apos;.&apos;, &apos;_&apos; und &apos;-&apos;. Die Datei wird %1/&lt;id&gt;.json.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>An id starts with a letter or digit.</source>
        <translation>Eine ID beginnt mit einem Buchstaben oder einer Ziffer.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 already exists.</source>
        <translation>%1 existiert bereits.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Creates %1.</source>
        <translation>Legt %1 an.</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::NewProjectDialog</name>
    <message>
        <location filename="../ui/newprojectdialog.cpp" line="+25"/>
        <source>New Project</source>
        <translation>Neues Projekt</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Browse…</source>
        <translation>&amp;Durchsuchen…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>e.g. order-hub</source>
        <translation>z. B. order-hub</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>e.g. Order Hub</source>
        <translation>z. B. Order Hub</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Create</source>
        <translation>Anlegen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Location:</source>
        <translation>&amp;Speicherort:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Id:</source>
        <translation>&amp;ID:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Location of the New Project</source>
        <translation>Speicherort des neuen Projekts</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Choose an existing folder to create the project in.</source>
        <translation>Wählen Sie einen vorhandenen Ordner, in dem das Projekt angelegt wird.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The id names the project folder: lowercase letters, digits, &apos;.&apos;, &apos;_&apos; and &apos;-&apos;.</source>
        <translation>Die ID benennt den Projektordner: Kleinbuchstaben, Ziffern, &apos;.&apos;, &apos;_&apos; und &apos;-&apos;.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 already exists and is not empty.</source>
        <translation>%1 existiert bereits und ist nicht leer.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Creates %1 with project.json and a folder for each kind of document.</source>
        <translation>Legt %1 mit project.json und einem Ordner für jede Dokumentart an.</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::ProblemsPanel</name>
    <message>
        <location filename="../ui/problemspanel.cpp" line="+21"/>
        <location line="+92"/>
        <source>Problems</source>
        <translation>Probleme</translation>
    </message>
    <message>
        <location line="-79"/>
        <source>No problems found.</source>
        <translation>Keine Probleme gefunden.</translation>
    </message>
    <message>
        <location line="+55"/>
        <source>%1, line %2, column %3</source>
        <translation>%1, Zeile %2, Spalte %3</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+5"/>
        <source>Local engine: %1</source>
        <translation>Lokale Engine: %1</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Problems (%1)</source>
        <translation>Probleme (%1)</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::ProjectExplorer</name>
    <message>
        <location filename="../ui/projectexplorer.cpp" line="+68"/>
        <source>&amp;Open</source>
        <translation>Ö&amp;ffnen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;New %1…</source>
        <translation>&amp;Neu: %1…</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::ProjectFiles</name>
    <message>
        <location filename="../ui/projectfiles.cpp" line="+41"/>
        <source>&quot;%1&quot; is not a valid project id.</source>
        <translation>„%1“ ist keine gültige Projekt-ID.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 already exists and is not empty.</source>
        <translation>%1 existiert bereits und ist nicht leer.</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+3"/>
        <source>Cannot create %1.</source>
        <translation>%1 kann nicht angelegt werden.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>&quot;%1&quot; is not a valid document id.</source>
        <translation>„%1“ ist keine gültige Dokument-ID.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 already exists.</source>
        <translation>%1 existiert bereits.</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::ProjectModel</name>
    <message>
        <location filename="../ui/projectmodel.cpp" line="+40"/>
        <location line="+18"/>
        <source>Project</source>
        <translation>Projekt</translation>
    </message>
    <message>
        <location line="-17"/>
        <source>Endpoints</source>
        <translation>Endpunkte</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mappings</source>
        <translation>Mappings</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Workflows</source>
        <translation>Workflows</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>SAP connections</source>
        <translation>SAP-Verbindungen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>SAP operations</source>
        <translation>SAP-Operationen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sync jobs</source>
        <translation>Sync-Jobs</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Routes</source>
        <translation>Routen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Queues</source>
        <translation>Warteschlangen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Consumers</source>
        <translation>Consumer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Routing rules</source>
        <translation>Routing-Regeln</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Endpoint</source>
        <translation>Endpunkt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mapping</source>
        <translation>Mapping</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Workflow</source>
        <translation>Workflow</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>SAP connection</source>
        <translation>SAP-Verbindung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>SAP operation</source>
        <translation>SAP-Operation</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sync job</source>
        <translation>Sync-Job</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Route</source>
        <translation>Route</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Queue</source>
        <translation>Warteschlange</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Consumer</source>
        <translation>Consumer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Routing rule</source>
        <translation>Routing-Regel</translation>
    </message>
    <message>
        <location line="+173"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 documents in %2/</source>
        <translation>%1-Dokumente in %2/</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>File: %1
Id: %2</source>
        <translation>Datei: %1
ID: %2</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n problem(s):</source>
        <translation>
            <numerusform>%n Problem:</numerusform>
            <numerusform>%n Probleme:</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::SecretStore</name>
    <message>
        <location filename="../ui/secretstore.cpp" line="+15"/>
        <source>The keychain holds no secret &quot;%1&quot;.</source>
        <translation>Der Schlüsselbund enthält kein Geheimnis „%1“.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The OS keychain refused access: %1</source>
        <translation>Der Schlüsselbund des Betriebssystems hat den Zugriff verweigert: %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+9"/>
        <source>The OS keychain is not available: %1</source>
        <translation>Der Schlüsselbund des Betriebssystems ist nicht verfügbar: %1</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>The OS keychain failed: %1</source>
        <translation>Fehler im Schlüsselbund des Betriebssystems: %1</translation>
    </message>
</context>
</TS>
