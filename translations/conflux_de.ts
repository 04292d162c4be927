<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name>Conflux::Ui</name>
    <message>
        <location filename="../ui/keychainsecrets.cpp" line="+63"/>
        <source>The secret &quot;%1&quot; is needed, and no OS keychain is available here</source>
        <translation>Das Geheimnis „%1“ wird benötigt, aber hier ist kein Schlüsselbund des Betriebssystems verfügbar</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::AssertionEditor</name>
    <message>
        <location filename="../ui/tester/assertioneditor.cpp" line="+26"/>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Header</source>
        <translation>Header</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Body (JSONata)</source>
        <translation>Body (JSONata)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Response time</source>
        <translation>Antwortzeit</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Check</source>
        <translation>Prüfung</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Subject</source>
        <translation>Gegenstand</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Condition</source>
        <translation>Bedingung</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Expected</source>
        <translation>Erwartet</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Result</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>&amp;Add check</source>
        <translation>Prüfung &amp;hinzufügen</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Remove</source>
        <translation>&amp;Entfernen</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>✓ passed</source>
        <translation>✓ bestanden</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>✗ %1</source>
        <translation>✗ %1</translation>
    </message>
    <message>
        <location line="+66"/>
        <source>the status code</source>
        <translation>der Statuscode</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+91"/>
        <source>is one of</source>
        <translation>ist einer von</translation>
    </message>
    <message>
        <location line="-91"/>
        <location line="+91"/>
        <source>is</source>
        <translation>ist</translation>
    </message>
    <message>
        <location line="-88"/>
        <source>200, or 200, 202</source>
        <translation>200 oder 200, 202</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>header name</source>
        <translation>Header-Name</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>exists</source>
        <translation>existiert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>is absent</source>
        <translation>fehlt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>equals</source>
        <translation>ist gleich</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>matches</source>
        <translation>entspricht</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>regular expression</source>
        <translation>regulärer Ausdruck</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>JSONata on the body, e.g. total &gt; 0</source>
        <translation>JSONata auf dem Body, z. B. total &gt; 0</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>is true</source>
        <translation>ist wahr</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>milliseconds</source>
        <translation>Millisekunden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>below (ms)</source>
        <translation>unter (ms)</translation>
    </message>
    <message>
        <location line="+77"/>
        <source>Status codes from 100 to 599, separated by commas</source>
        <translation>Statuscodes von 100 bis 599, durch Kommas getrennt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A number of milliseconds above 0</source>
        <translation>Eine Anzahl Millisekunden größer als 0</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::AuthEditor</name>
    <message>
        <location filename="../ui/tester/autheditor.cpp" line="+41"/>
        <source>Inherit from parent</source>
        <translation>Vom übergeordneten Element erben</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No authentication</source>
        <translation>Keine Authentifizierung</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Basic</source>
        <translation>Basic</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Bearer token</source>
        <translation>Bearer-Token</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>API key</source>
        <translation>API-Schlüssel</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>OAuth2 client credentials</source>
        <translation>OAuth2-Client-Credentials</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>An endpoint&apos;s authentication</source>
        <translation>Die Authentifizierung eines Endpunkts</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>The request is sent without credentials.</source>
        <translation>Die Anfrage wird ohne Zugangsdaten gesendet.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Username</source>
        <translation>&amp;Benutzername</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>user or {{variable}}</source>
        <translation>Benutzer oder {{variable}}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Password</source>
        <translation>&amp;Passwort</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Token</source>
        <translation>&amp;Token</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Header</source>
        <translation>Header</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Query parameter</source>
        <translation>Query-Parameter</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Add to</source>
        <translation>Hin&amp;zufügen zu</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Name</source>
        <translation>&amp;Name</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>X-Api-Key</source>
        <translation>X-Api-Key</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Value</source>
        <translation>&amp;Wert</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Token &amp;URL</source>
        <translation>Token-&amp;URL</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>https://auth.example.com/oauth/token</source>
        <translation>https://auth.example.com/oauth/token</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Client ID</source>
        <translation>&amp;Client-ID</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>client id or {{variable}}</source>
        <translation>Client-ID oder {{variable}}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Client &amp;secret</source>
        <translation>Client-&amp;Geheimnis</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>S&amp;copes</source>
        <translation>Sc&amp;opes</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>separated by spaces</source>
        <translation>durch Leerzeichen getrennt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Audience</source>
        <translation>&amp;Audience</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>optional</source>
        <translation>optional</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&amp;Endpoint</source>
        <translation>&amp;Endpunkt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The request is sent with that endpoint&apos;s authentication, its secrets read from the OS keychain.</source>
        <translation>Die Anfrage wird mit der Authentifizierung dieses Endpunkts gesendet; seine Geheimnisse werden aus dem Schlüsselbund des Betriebssystems gelesen.</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>&amp;Type</source>
        <translation>T&amp;yp</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Variable</source>
        <translation>Variable</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Keychain secret</source>
        <translation>Geheimnis im Schlüsselbund</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A {{variable}} from the environment, or the name of a secret in the OS keychain</source>
        <translation>Eine {{variable}} aus der Umgebung oder der Name eines Geheimnisses im Schlüsselbund des Betriebssystems</translation>
    </message>
    <message>
        <location line="+30"/>
        <location line="+64"/>
        <source>secret name, e.g. partner.api-key</source>
        <translation>Name des Geheimnisses, z. B. partner.api-key</translation>
    </message>
    <message>
        <location line="-63"/>
        <location line="+63"/>
        <source>{{variable}}</source>
        <translation>{{variable}}</translation>
    </message>
    <message>
        <location line="-51"/>
        <source>A credential written here as text would be saved in the project, which refuses it: use a {{variable}} from an environment or a keychain secret.</source>
        <translation>Ein hier als Text eingegebenes Zugangsdatum würde im Projekt gespeichert, das dies ablehnt: Verwenden Sie eine {{variable}} aus einer Umgebung oder ein Geheimnis im Schlüsselbund.</translation>
    </message>
</context>
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
    <name>Conflux::Ui::BodyEditor</name>
    <message>
        <location filename="../ui/tester/bodyeditor.cpp" line="+49"/>
        <source>No body</source>
        <translation>Kein Body</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>JSON</source>
        <translation>JSON</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>XML</source>
        <translation>XML</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Raw text</source>
        <translation>Rohtext</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Form (URL-encoded)</source>
        <translation>Formular (URL-codiert)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Multipart form</source>
        <translation>Multipart-Formular</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>What the request sends, and the Content-Type it gets</source>
        <translation>Was die Anfrage sendet und welchen Content-Type sie erhält</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Content-Type (by the mode)</source>
        <translation>Content-Type (nach Modus)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Overrides the Content-Type the mode sends, e.g. application/vnd.api+json</source>
        <translation>Überschreibt den Content-Type, den der Modus sendet, z. B. application/vnd.api+json</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Format</source>
        <translation>&amp;Formatieren</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Indent the JSON or XML body (Ctrl+Shift+F)</source>
        <translation>JSON- oder XML-Body einrücken (Strg+Umschalt+F)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>This request has no body.</source>
        <translation>Diese Anfrage hat keinen Body.</translation>
    </message>
    <message>
        <location line="+108"/>
        <source>Not formatted: %1</source>
        <translation>Nicht formatiert: %1</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::BodyFormat</name>
    <message numerus="yes">
        <location filename="../ui/tester/bodyformat.cpp" line="+258"/>
        <source>(%n byte(s) of binary data; save the body to look at it)</source>
        <translation>
            <numerusform>(%n Byte Binärdaten; speichern Sie den Body, um ihn anzusehen)</numerusform>
            <numerusform>(%n Bytes Binärdaten; speichern Sie den Body, um ihn anzusehen)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::CodeView</name>
    <message>
        <location filename="../ui/tester/codeview.cpp" line="+80"/>
        <source>Showing the first %1 MB of %2 MB as it came; save the body to see all of it.</source>
        <translation>Es werden die ersten %1 MB von %2 MB unverändert angezeigt; speichern Sie den Body, um alles zu sehen.</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::CollectionDesigner</name>
    <message>
        <location filename="../ui/tester/collectiondesigner.cpp" line="+94"/>
        <source>The environment whose variables fill the {{names}} (Ctrl+E)</source>
        <translation>Die Umgebung, deren Variablen die {{names}} füllen (Strg+E)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>En&amp;vironment</source>
        <translation>&amp;Umgebung</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Through the local &amp;gateway</source>
        <translation>Über das lokale &amp;Gateway</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Requests that name a route go to the local engine&apos;s gateway instead of their URL</source>
        <translation>Anfragen, die eine Route angeben, gehen statt an ihre URL an das Gateway der lokalen Engine</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+158"/>
        <location filename="../ui/tester/collectionrun.cpp" line="+395"/>
        <source>&amp;Run Collection</source>
        <translation>Sammlung aus&amp;führen</translation>
    </message>
    <message>
        <location line="-156"/>
        <source>Send every request in order and check it (Ctrl+Shift+Return)</source>
        <translation>Jede Anfrage der Reihe nach senden und prüfen (Strg+Umschalt+Return)</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+561"/>
        <source>Run Collection</source>
        <translation>Sammlung ausführen</translation>
    </message>
    <message>
        <location line="-560"/>
        <source>Stop Run</source>
        <translation>Lauf stoppen</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Postman</source>
        <translation>Postman</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Import Postman Collection…</source>
        <translation>Postman-Sammlung &amp;importieren…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Export as Postman Collection…</source>
        <translation>Als Postman-Sammlung &amp;exportieren…</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>+ Request</source>
        <translation>+ Anfrage</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A new request in the selected folder (Ctrl+Alt+N)</source>
        <translation>Eine neue Anfrage im ausgewählten Ordner (Strg+Alt+N)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>+ Folder</source>
        <translation>+ Ordner</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Response</source>
        <translation>Antwort</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Run</source>
        <translation>Lauf</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>History</source>
        <translation>Verlauf</translation>
    </message>
    <message>
        <location line="+63"/>
        <source>From the history: %1 %2, sent %3</source>
        <translation>Aus dem Verlauf: %1 %2, gesendet %3</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Running: %1…</source>
        <translation>Läuft: %1…</translation>
    </message>
    <message>
        <location line="+54"/>
        <location filename="../ui/tester/collectionrun.cpp" line="-194"/>
        <source>No environment</source>
        <translation>Keine Umgebung</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>The collection cannot be shown (%1). Fix it in the JSON view; the tester is read-only until then.</source>
        <translation>Die Sammlung kann nicht angezeigt werden (%1). Beheben Sie den Fehler in der JSON-Ansicht; bis dahin ist der Tester schreibgeschützt.</translation>
    </message>
    <message>
        <location line="+111"/>
        <source>the collection</source>
        <translation>der Sammlung</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>the folder %1</source>
        <translation>dem Ordner %1</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Nothing around it sets authentication: the request is sent without credentials.</source>
        <translation>Keine übergeordnete Ebene legt eine Authentifizierung fest: Die Anfrage wird ohne Zugangsdaten gesendet.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1, from %2.</source>
        <translation>%1, geerbt von %2.</translation>
    </message>
    <message numerus="yes">
        <location line="+17"/>
        <source>%n request(s) in this folder</source>
        <translation>
            <numerusform>%n Anfrage in diesem Ordner</numerusform>
            <numerusform>%n Anfragen in diesem Ordner</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+6"/>
        <source>%n request(s)</source>
        <translation>
            <numerusform>%n Anfrage</numerusform>
            <numerusform>%n Anfragen</numerusform>
        </translation>
    </message>
    <message>
        <location line="+98"/>
        <source>New request</source>
        <translation>Neue Anfrage</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>New folder</source>
        <translation>Neuer Ordner</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>%1 copy</source>
        <translation>%1 Kopie</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Removed &quot;%1&quot; (Undo brings it back)</source>
        <translation>„%1“ entfernt (Rückgängig stellt es wieder her)</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy as curl</source>
        <translation>Als curl kopieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy as curl (credentials masked)</source>
        <translation>Als curl kopieren (Zugangsdaten maskiert)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Run Folder</source>
        <translation>Ordner ausführen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>New Request</source>
        <translation>Neue Anfrage</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New Folder</source>
        <translation>Neuer Ordner</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Rename</source>
        <translation>Umbenennen</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Duplicate</source>
        <translation>Duplizieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Move Up</source>
        <translation>Nach oben</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Move Down</source>
        <translation>Nach unten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <location filename="../ui/tester/collectionrun.cpp" line="+5"/>
        <source>%1 (keychain secret %2)</source>
        <translation>%1 (Geheimnis %2 im Schlüsselbund)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>environments/%1.json: %2</source>
        <translation>environments/%1.json: %2</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Some environments cannot be used: %1</source>
        <translation>Einige Umgebungen können nicht verwendet werden: %1</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>The environment &quot;%1&quot; is no longer in the project (environments/%1.json)</source>
        <translation>Die Umgebung „%1“ ist nicht mehr im Projekt (environments/%1.json)</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The local engine is not running: start it (F5) to send through its gateway, or turn &quot;Through the local gateway&quot; off</source>
        <translation>Die lokale Engine läuft nicht: Starten Sie sie (F5), um über ihr Gateway zu senden, oder schalten Sie „Über das lokale Gateway“ aus</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The local engine runs without a gateway: the project settings do not enable it</source>
        <translation>Die lokale Engine läuft ohne Gateway: Die Projekteinstellungen aktivieren es nicht</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>Sending…</source>
        <translation>Wird gesendet…</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Cancelled before it was sent</source>
        <translation>Vor dem Senden abgebrochen</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>%1 %2 in %3 ms</source>
        <translation>%1 %2 in %3 ms</translation>
    </message>
    <message>
        <location line="+5"/>
        <source> · checks: %1 of %2 passed</source>
        <translation> · Prüfungen: %1 von %2 bestanden</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>&amp;Stop Run</source>
        <translation>Lauf &amp;stoppen</translation>
    </message>
    <message>
        <location line="+108"/>
        <source>Not copied: %1</source>
        <translation>Nicht kopiert: %1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Copied as curl, without the OAuth2 token: it is fetched when the request is sent</source>
        <translation>Als curl kopiert, ohne das OAuth2-Token: Es wird beim Senden der Anfrage abgerufen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Copied as curl</source>
        <translation>Als curl kopiert</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Import a Postman collection</source>
        <translation>Eine Postman-Sammlung importieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Postman collections (*.json);;All files (*)</source>
        <translation>Postman-Sammlungen (*.json);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Export as a Postman collection</source>
        <translation>Als Postman-Sammlung exportieren</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Postman collections (*.json)</source>
        <translation>Postman-Sammlungen (*.json)</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Open a project to import into</source>
        <translation>Öffnen Sie ein Projekt, in das importiert werden soll</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Importing %1…</source>
        <translation>%1 wird importiert…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 is not a Postman collection v2.1: %2</source>
        <translation>%1 ist keine Postman-Sammlung v2.1: %2</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Not imported: the collection holds credentials as plain text, which a project never stores (%1). Replace them with {{variables}} in Postman and export again.</source>
        <translation>Nicht importiert: Die Sammlung enthält Zugangsdaten im Klartext, die ein Projekt niemals speichert (%1). Ersetzen Sie sie in Postman durch {{variables}} und exportieren Sie erneut.</translation>
    </message>
    <message numerus="yes">
        <location line="+29"/>
        <location line="+40"/>
        <source>Imported %n request(s) into %1</source>
        <translation>
            <numerusform>%n Anfrage in %1 importiert</numerusform>
            <numerusform>%n Anfragen in %1 importiert</numerusform>
        </translation>
    </message>
    <message>
        <location line="-38"/>
        <location line="+79"/>
        <source>. Kept but not done: %1</source>
        <translation>. Übernommen, aber nicht umgesetzt: %1</translation>
    </message>
    <message>
        <location line="-58"/>
        <source>no OS keychain is available here</source>
        <translation>hier ist kein Schlüsselbund des Betriebssystems verfügbar</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>. Its credentials were not kept (%1): define %2 in an environment</source>
        <translation>. Die Zugangsdaten wurden nicht übernommen (%1): Definieren Sie %2 in einer Umgebung</translation>
    </message>
    <message>
        <location line="+17"/>
        <location line="+13"/>
        <source>%1 (from Postman)</source>
        <translation>%1 (aus Postman)</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>. Its credentials (%1) are in the OS keychain, used through the environment environments/%2.json, now selected</source>
        <translation>. Die Zugangsdaten (%1) liegen im Schlüsselbund des Betriebssystems und werden über die Umgebung environments/%2.json verwendet, die jetzt ausgewählt ist</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>. Its credentials are in the OS keychain, but the environment was not written (%1): define %2 in an environment as keychain secrets &quot;%3.&lt;name&gt;&quot;</source>
        <translation>. Die Zugangsdaten liegen im Schlüsselbund des Betriebssystems, aber die Umgebung wurde nicht geschrieben (%1): Definieren Sie %2 in einer Umgebung als Geheimnisse „%3.&lt;name&gt;“ im Schlüsselbund</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Exported %1 as a Postman collection v2.1 to %2</source>
        <translation>%1 als Postman-Sammlung v2.1 nach %2 exportiert</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::ContainerEditor</name>
    <message>
        <location filename="../ui/tester/containereditor.cpp" line="+36"/>
        <source>Add a variable</source>
        <translation>Variable hinzufügen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>value (credentials belong in an environment)</source>
        <translation>Wert (Zugangsdaten gehören in eine Umgebung)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Name</source>
        <translation>&amp;Name</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Description</source>
        <translation>&amp;Beschreibung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Variables</source>
        <translation>&amp;Variablen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Authentication of its requests</source>
        <translation>Authentifizierung der enthaltenen Anfragen</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Collection</source>
        <translation>Sammlung</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Folder</source>
        <translation>Ordner</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::DocumentDesigner</name>
    <message>
        <location filename="../ui/documentdesigner.cpp" line="+104"/>
        <source>line %1, column %2: %3</source>
        <translation>Zeile %1, Spalte %2: %3</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the document is not a JSON object</source>
        <translation>das Dokument ist kein JSON-Objekt</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::DocumentPage</name>
    <message>
        <location filename="../ui/documentpage.cpp" line="+35"/>
        <source>Design</source>
        <translation>Design</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>JSON</source>
        <translation>JSON</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Switch between the designer and the document&apos;s JSON (View ▸ Design / JSON)</source>
        <translation>Zwischen dem Designer und dem JSON des Dokuments wechseln (Ansicht ▸ Design / JSON)</translation>
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
    <name>Conflux::Ui::Endpoint::ArrayEditor</name>
    <message>
        <location filename="../ui/endpoint/arrayeditor.cpp" line="+49"/>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::Endpoint::ConnectionRunner</name>
    <message>
        <location filename="../ui/endpoint/connectionrunner.cpp" line="+67"/>
        <source>The endpoint needs the secret &quot;%1&quot;, and no OS keychain is available here</source>
        <translation>Der Endpunkt benötigt das Geheimnis „%1“, aber hier ist kein Schlüsselbund des Betriebssystems verfügbar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The endpoint needs the secret &quot;%1&quot; from the OS keychain: %2</source>
        <translation>Der Endpunkt benötigt das Geheimnis „%1“ aus dem Schlüsselbund des Betriebssystems: %2</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::Endpoint::FormField</name>
    <message>
        <location filename="../ui/endpoint/formfield.cpp" line="+103"/>
        <location line="+143"/>
        <source>Typed here, kept in the OS keychain</source>
        <translation>Hier eingegeben, im Schlüsselbund des Betriebssystems aufbewahrt</translation>
    </message>
    <message>
        <location line="-87"/>
        <source>Required</source>
        <translation>Erforderlich</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Must be a whole number</source>
        <translation>Muss eine ganze Zahl sein</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+9"/>
        <source>Must be from %1 to %2</source>
        <translation>Muss zwischen %1 und %2 liegen</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>Must be a number</source>
        <translation>Muss eine Zahl sein</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>A URL has no spaces before or after it</source>
        <translation>Eine URL hat keine Leerzeichen davor oder danach</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not a URL: it must start with a scheme such as %1:</source>
        <translation>Keine URL: Sie muss mit einem Schema wie %1: beginnen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not a valid URL: %1</source>
        <translation>Keine gültige URL: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Needs a %1 URL, not %2:</source>
        <translation>Benötigt eine %1-URL, nicht %2:</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The URL names no host</source>
        <translation>Die URL nennt keinen Host</translation>
    </message>
    <message>
        <location line="+52"/>
        <source>•••••••• (in the keychain)</source>
        <translation>•••••••• (im Schlüsselbund)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The document holds this credential as plain text: type it here to move it into the OS keychain</source>
        <translation>Das Dokument enthält dieses Zugangsdatum im Klartext: Geben Sie es hier ein, um es in den Schlüsselbund des Betriebssystems zu verschieben</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Keychain item: %1</source>
        <translation>Schlüsselbund-Eintrag: %1</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::Endpoint::HeadersEditor</name>
    <message>
        <location filename="../ui/endpoint/headerseditor.cpp" line="+23"/>
        <source>Header</source>
        <translation>Header</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Add header</source>
        <translation>Header hinzufügen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>(keychain: %1)</source>
        <translation>(Schlüsselbund: %1)</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::Endpoint::ImportPanel</name>
    <message>
        <location filename="../ui/endpoint/importpanel.cpp" line="+51"/>
        <source>Create an endpoint from an API definition or a Postman collection. The new documents go into the project&apos;s endpoints folder; their entities show in the schema view.</source>
        <translation>Legen Sie einen Endpunkt aus einer API-Definition oder einer Postman-Sammlung an. Die neuen Dokumente kommen in den Ordner „endpoints“ des Projekts; ihre Entitäten erscheinen in der Schema-Ansicht.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>OpenAPI 3 (JSON or YAML)</source>
        <translation>OpenAPI 3 (JSON oder YAML)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>WSDL 1.1 (SOAP)</source>
        <translation>WSDL 1.1 (SOAP)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>OData $metadata</source>
        <translation>OData $metadata</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Postman collection v2.1</source>
        <translation>Postman-Sammlung v2.1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Definition</source>
        <translation>Definition</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>A file, or an http(s) URL to download</source>
        <translation>Eine Datei oder eine http(s)-URL zum Herunterladen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>From</source>
        <translation>Aus</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>New endpoint id</source>
        <translation>ID des neuen Endpunkts</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Service URL</source>
        <translation>Dienst-URL</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Import</source>
        <translation>Importieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location line="+64"/>
        <source>Import a definition</source>
        <translation>Eine Definition importieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Definitions (*.json *.yaml *.yml *.wsdl *.xml *.edmx);;Postman collections (*.postman_collection.json *.json);;All files (*)</source>
        <translation>Definitionen (*.json *.yaml *.yml *.wsdl *.xml *.edmx);;Postman-Sammlungen (*.postman_collection.json *.json);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>from the collection&apos;s name; several base URLs: &lt;id&gt;, &lt;id&gt;-2, ...</source>
        <translation>aus dem Namen der Sammlung; bei mehreren Basis-URLs: &lt;id&gt;, &lt;id&gt;-2, ...</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the collection&apos;s name</source>
        <translation>der Name der Sammlung</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>the definition&apos;s title</source>
        <translation>der Titel der Definition</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>what {{baseUrl}} stands for, when the collection does not define it</source>
        <translation>wofür {{baseUrl}} steht, wenn die Sammlung es nicht definiert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>from the definition (OData from a file: the service root)</source>
        <translation>aus der Definition (OData aus einer Datei: die Stamm-URL des Dienstes)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Open a project first: an import writes a new document into its endpoints folder.</source>
        <translation>Öffnen Sie zuerst ein Projekt: Ein Import schreibt ein neues Dokument in dessen Ordner „endpoints“.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Give the file or URL of the definition.</source>
        <translation>Geben Sie die Datei oder URL der Definition an.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 already exists: choose another endpoint id.</source>
        <translation>%1 existiert bereits: Wählen Sie eine andere Endpunkt-ID.</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Downloading %1…</source>
        <translation>%1 wird heruntergeladen…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Reading %1…</source>
        <translation>%1 wird gelesen…</translation>
    </message>
    <message numerus="yes">
        <location line="+30"/>
        <source>Postman collection &quot;%1&quot;: %n request(s)</source>
        <translation>
            <numerusform>Postman-Sammlung „%1“: %n Anfrage</numerusform>
            <numerusform>Postman-Sammlung „%1“: %n Anfragen</numerusform>
        </translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Import cancelled; nothing was written.</source>
        <translation>Import abgebrochen; es wurde nichts geschrieben.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Import failed (%1): %2</source>
        <translation>Import fehlgeschlagen (%1): %2</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>%1 already exists: choose another endpoint id. Nothing was written.</source>
        <translation>%1 existiert bereits: Wählen Sie eine andere Endpunkt-ID. Es wurde nichts geschrieben.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Could not write %1: %2</source>
        <translation>%1 konnte nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Written before: %1.</source>
        <translation>Bereits geschrieben: %1.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source> (and %1 more)</source>
        <translation> (und %1 weitere)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Created %1 — %2.</source>
        <translation>%1 angelegt — %2.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Operations: %1.</source>
        <translation>Operationen: %1.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not imported: %1</source>
        <translation>Nicht importiert: %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Created %1 — %2, endpoints: %3.</source>
        <translation>%1 angelegt — %2, Endpunkte: %3.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1: %2, operations: %3.</source>
        <translation>%1: %2, Operationen: %3.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Not imported:</source>
        <translation>Nicht importiert:</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Saved in the OS keychain: %1 (the credentials the collection held).</source>
        <translation>Im Schlüsselbund des Betriebssystems gespeichert: %1 (die Zugangsdaten aus der Sammlung).</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Set these secrets (open the endpoint, type the credential under Authentication and press Enter):</source>
        <translation>Legen Sie diese Geheimnisse fest (öffnen Sie den Endpunkt, geben Sie das Zugangsdatum unter „Authentifizierung“ ein und drücken Sie die Eingabetaste):</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+23"/>
        <source>endpoints/%1.json, %2</source>
        <translation>endpoints/%1.json, %2</translation>
    </message>
    <message>
        <location line="-20"/>
        <source>%1 (%2): the collection gives no value</source>
        <translation>%1 (%2): Die Sammlung gibt keinen Wert an</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 (%2): the collection takes it from %3, which it does not define</source>
        <translation>%1 (%2): Die Sammlung übernimmt ihn aus %3, definiert %3 aber nicht</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 (%2): no OS keychain is available here, so the value the collection held was not saved anywhere</source>
        <translation>%1 (%2): Hier ist kein Schlüsselbund des Betriebssystems verfügbar, daher wurde der Wert aus der Sammlung nirgends gespeichert</translation>
    </message>
    <message numerus="yes">
        <location line="+12"/>
        <source>Saving %n credential(s) in the OS keychain…</source>
        <translation>
            <numerusform>%n Zugangsdatum wird im Schlüsselbund des Betriebssystems gespeichert…</numerusform>
            <numerusform>%n Zugangsdaten werden im Schlüsselbund des Betriebssystems gespeichert…</numerusform>
        </translation>
    </message>
    <message>
        <location line="+9"/>
        <source>%1 (%2): the OS keychain is not available, so the value the collection held was not saved anywhere (%3)</source>
        <translation>%1 (%2): Der Schlüsselbund des Betriebssystems ist nicht verfügbar, daher wurde der Wert aus der Sammlung nirgends gespeichert (%3)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 (%2): the OS keychain refused it, so the value the collection held was not saved anywhere (%3)</source>
        <translation>%1 (%2): Der Schlüsselbund des Betriebssystems hat ihn abgelehnt, daher wurde der Wert aus der Sammlung nirgends gespeichert (%3)</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::Endpoint::SchemaTree</name>
    <message>
        <location filename="../ui/endpoint/schematree.cpp" line="+22"/>
        <source>Entity / field</source>
        <translation>Entität / Feld</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Notes</source>
        <translation>Hinweise</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>array of %1</source>
        <translation>Array von %1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>array</source>
        <translation>Array</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>null</source>
        <translation>null</translation>
    </message>
    <message>
        <location line="+0"/>
        <source> or </source>
        <translation> oder </translation>
    </message>
    <message>
        <location line="+5"/>
        <source>, nullable</source>
        <translation>, kann null sein</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>entity</source>
        <translation>Entität</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>key: %1</source>
        <translation>Schlüssel: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>cursor: %1</source>
        <translation>Cursor: %1</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>key</source>
        <translation>Schlüssel</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>optional</source>
        <translation>optional</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::EndpointDesigner</name>
    <message>
        <location filename="../ui/endpoint/endpointdesigner.cpp" line="+57"/>
        <source>General</source>
        <translation>Allgemein</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Connection</source>
        <translation>Verbindung</translation>
    </message>
    <message>
        <location line="+2"/>
        <location filename="../ui/endpoint/endpointfields.cpp" line="+262"/>
        <source>Authentication</source>
        <translation>Authentifizierung</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Client certificate and trusted CAs (TLS)</source>
        <translation>Client-Zertifikat und vertrauenswürdige CAs (TLS)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 settings</source>
        <translation>%1-Einstellungen</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../ui/endpoint/endpointfields.cpp" line="-69"/>
        <source>Schema</source>
        <translation>Schema</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Import</source>
        <translation>Import</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Cancelled: the result will be ignored (the connector stops within its timeout).</source>
        <translation>Abgebrochen: Das Ergebnis wird ignoriert (der Connector stoppt innerhalb seines Timeouts).</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Discovery cancelled.</source>
        <translation>Ermittlung abgebrochen.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Kind of system</source>
        <translation>Art des Systems</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Test connection</source>
        <translation>Verbindung testen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location line="+47"/>
        <source>Headers sent with every request</source>
        <translation>Header, die mit jeder Anfrage gesendet werden</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Id</source>
        <translation>ID</translation>
    </message>
    <message>
        <location line="+21"/>
        <location line="+8"/>
        <location filename="../ui/endpoint/endpointfields.cpp" line="-115"/>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>Method</source>
        <translation>Methode</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Path</source>
        <translation>Pfad</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+7"/>
        <source>Records at</source>
        <translation>Datensätze unter</translation>
    </message>
    <message>
        <location line="-6"/>
        <location line="+7"/>
        <location filename="../ui/endpoint/endpointfields.cpp" line="+203"/>
        <source>Key</source>
        <translation>Schlüssel</translation>
    </message>
    <message>
        <location line="-6"/>
        <source>Add resource</source>
        <translation>Ressource hinzufügen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Resources</source>
        <translation>Ressourcen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Operation</source>
        <translation>Operation</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Add entity</source>
        <translation>Entität hinzufügen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Entities</source>
        <translation>Entitäten</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Discover entities</source>
        <translation>Entitäten ermitteln</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Discover the endpoint&apos;s entities, or import a definition.</source>
        <translation>Ermitteln Sie die Entitäten des Endpunkts oder importieren Sie eine Definition.</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>%1 (file %2)</source>
        <translation>%1 (Datei %2)</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>A webhook endpoint receives calls: there is nothing to connect to</source>
        <translation>Ein Webhook-Endpunkt empfängt Aufrufe: Es gibt nichts, womit eine Verbindung hergestellt werden kann</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The JSON text does not parse (%1). Fix it in the JSON view; the form is read-only until then.</source>
        <translation>Der JSON-Text lässt sich nicht parsen (%1). Beheben Sie den Fehler in der JSON-Ansicht; bis dahin ist das Formular schreibgeschützt.</translation>
    </message>
    <message>
        <location line="+134"/>
        <source>No OS keychain is available here, so the credential was not saved, and nothing was written anywhere.</source>
        <translation>Hier ist kein Schlüsselbund des Betriebssystems verfügbar, daher wurde das Zugangsdatum nicht gespeichert und nirgends etwas geschrieben.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Saving in the OS keychain…</source>
        <translation>Wird im Schlüsselbund des Betriebssystems gespeichert…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The OS keychain is not available, so the credential was not saved and nothing was written anywhere. Start the desktop&apos;s keyring (Secret Service) and press Enter again.
Reason: %1</source>
        <translation>Der Schlüsselbund des Betriebssystems ist nicht verfügbar, daher wurde das Zugangsdatum nicht gespeichert und nirgends etwas geschrieben. Starten Sie den Schlüsselring der Arbeitsumgebung (Secret Service) und drücken Sie erneut die Eingabetaste.
Grund: %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The OS keychain refused the credential (%1): nothing was written.</source>
        <translation>Der Schlüsselbund des Betriebssystems hat das Zugangsdatum abgelehnt (%1): Es wurde nichts geschrieben.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Saved in the OS keychain as %1</source>
        <translation>Im Schlüsselbund des Betriebssystems als %1 gespeichert</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Connecting…</source>
        <translation>Verbindung wird hergestellt…</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Discovering…</source>
        <translation>Wird ermittelt…</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>Connected in %1 ms</source>
        <translation>Verbunden in %1 ms</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Connection failed (%1): %2</source>
        <translation>Verbindung fehlgeschlagen (%1): %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+17"/>
        <source>Cause: %1</source>
        <translation>Ursache: %1</translation>
    </message>
    <message>
        <location line="-6"/>
        <source>Entities discovered: %1</source>
        <translation>Ermittelte Entitäten: %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Discovery failed (%1): %2</source>
        <translation>Ermittlung fehlgeschlagen (%1): %2</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>From the imported definition (%1): %2</source>
        <translation>Aus der importierten Definition (%1): %2</translation>
    </message>
    <message>
        <location filename="../ui/endpoint/endpointfields.cpp" line="-203"/>
        <source>Web shop REST API</source>
        <translation>REST-API des Webshops</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>What this system is, who owns it</source>
        <translation>Was dieses System ist und wem es gehört</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The base URL: resources, operations and entity sets are below it</source>
        <translation>Die Basis-URL: Ressourcen, Operationen und Entitätsmengen liegen darunter</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Database URL</source>
        <translation>Datenbank-URL</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>postgresql://, mysql://, mariadb://, sqlite: or odbc: (no password: use Authentication)</source>
        <translation>postgresql://, mysql://, mariadb://, sqlite: oder odbc: (kein Passwort: verwenden Sie „Authentifizierung“)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Folder</source>
        <translation>Ordner</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A file: URL of the folder</source>
        <translation>Eine file:-URL des Ordners</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Broker</source>
        <translation>Broker</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Embedded Conflux broker</source>
        <translation>Eingebetteter Conflux-Broker</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>RabbitMQ</source>
        <translation>RabbitMQ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Server URL</source>
        <translation>Server-URL</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Data format</source>
        <translation>Datenformat</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The protocol&apos;s own</source>
        <translation>Das des Protokolls</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>NDJSON (JSON lines)</source>
        <translation>NDJSON (JSON-Zeilen)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Timeout (s)</source>
        <translation>Timeout (s)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Each remote call; for SQL, connecting</source>
        <translation>Jeder entfernte Aufruf; bei SQL der Verbindungsaufbau</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Retries</source>
        <translation>Wiederholungen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Retries after the first attempt, for failures worth retrying</source>
        <translation>Wiederholungen nach dem ersten Versuch, bei Fehlern, für die sich ein erneuter Versuch lohnt</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Catalog definition</source>
        <translation>Katalogdefinition</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A connector catalog definition&apos;s id; it describes the resources</source>
        <translation>Die ID einer Connector-Katalogdefinition; sie beschreibt die Ressourcen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pagination</source>
        <translation>Paginierung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>None (default)</source>
        <translation>Keine (Standard)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Offset and limit</source>
        <translation>Offset und Limit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Page number</source>
        <translation>Seitennummer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cursor</source>
        <translation>Cursor</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Link header</source>
        <translation>Link-Header</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Next URL in the body</source>
        <translation>Nächste URL im Body</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+30"/>
        <location line="+20"/>
        <source>Page size</source>
        <translation>Seitengröße</translation>
    </message>
    <message>
        <location line="-46"/>
        <source>Requests per second</source>
        <translation>Anfragen pro Sekunde</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>unlimited</source>
        <translation>unbegrenzt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Most pages per read</source>
        <translation>Höchstzahl Seiten pro Lesevorgang</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Infer fields from a sample page</source>
        <translation>Felder aus einer Beispielseite ableiten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Discovery reads one page of each resource to infer its fields</source>
        <translation>Die Ermittlung liest eine Seite jeder Ressource, um ihre Felder abzuleiten</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>WSDL</source>
        <translation>WSDL</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A URL, a file, or a URL relative to the endpoint&apos;s URL; default: the URL with ?wsdl</source>
        <translation>Eine URL, eine Datei oder eine URL relativ zur URL des Endpunkts; Standard: die URL mit ?wsdl</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>SOAP version</source>
        <translation>SOAP-Version</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The WSDL&apos;s first port</source>
        <translation>Der erste Port der WSDL</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Service</source>
        <translation>Dienst</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Port</source>
        <translation>Port</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Binding</source>
        <translation>Binding</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&quot;wsdl&quot;: the port&apos;s soap:address; &quot;endpoint&quot;: this endpoint&apos;s URL; or a URL</source>
        <translation>&quot;wsdl&quot;: die soap:address des Ports; &quot;endpoint&quot;: die URL dieses Endpunkts; oder eine URL</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>SAP client</source>
        <translation>SAP-Mandant</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>0: the server pages; otherwise $top/$skip pages of this size</source>
        <translation>0: Der Server paginiert; sonst Seiten dieser Größe per $top/$skip</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Records per write</source>
        <translation>Datensätze pro Schreibvorgang</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>2 to 1000: $batch requests</source>
        <translation>2 bis 1000: $batch-Anfragen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Fetch a CSRF token before writes</source>
        <translation>Vor Schreibvorgängen ein CSRF-Token abrufen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Update method</source>
        <translation>Aktualisierungsmethode</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Default (merge for v2, patch for v4)</source>
        <translation>Standard (merge für v2, patch für v4)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Next-link hosts</source>
        <translation>Hosts für Next-Links</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Partial data</source>
        <translation>Unvollständige Daten</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+55"/>
        <source>Fail (default)</source>
        <translation>Fehlschlagen (Standard)</translation>
    </message>
    <message>
        <location line="-55"/>
        <source>Accept</source>
        <translation>Akzeptieren</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Schema depth</source>
        <translation>Schematiefe</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Tables</source>
        <translation>Tabellen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>every table and view</source>
        <translation>alle Tabellen und Views</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Batch size</source>
        <translation>Batch-Größe</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Driver options</source>
        <translation>Treiberoptionen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>ODBC driver</source>
        <translation>ODBC-Treiber</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Statement timeout (s)</source>
        <translation>Anweisungs-Timeout (s)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>none</source>
        <translation>keines</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>File pattern</source>
        <translation>Dateimuster</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Include subfolders</source>
        <translation>Unterordner einbeziehen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Entity name</source>
        <translation>Entitätsname</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the endpoint id</source>
        <translation>die Endpunkt-ID</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add _file and _modified</source>
        <translation>_file und _modified hinzufügen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delimiter</source>
        <translation>Trennzeichen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>First line names the columns</source>
        <translation>Erste Zeile enthält die Spaltennamen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Typed values</source>
        <translation>Typisierte Werte</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Record path</source>
        <translation>Datensatzpfad</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>json: a JSON pointer to the records in each file; xml: the path of the repeated record element (Orders/Order)</source>
        <translation>json: ein JSON-Pointer auf die Datensätze in jeder Datei; xml: der Pfad des wiederholten Datensatzelements (Orders/Order)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>After reading</source>
        <translation>Nach dem Lesen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Keep the file (default)</source>
        <translation>Datei behalten (Standard)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Move it</source>
        <translation>Verschieben</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Archive it by day</source>
        <translation>Tageweise archivieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete it</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Move to</source>
        <translation>Verschieben nach</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Archive to</source>
        <translation>Archivieren nach</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Malformed files</source>
        <translation>Fehlerhafte Dateien</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Quarantine</source>
        <translation>Quarantäne</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Written file name</source>
        <translation>Name der geschriebenen Datei</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Writes</source>
        <translation>Schreibvorgänge</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A new file each time (default)</source>
        <translation>Jedes Mal eine neue Datei (Standard)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Append</source>
        <translation>Anhängen</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Queue</source>
        <translation>Warteschlange</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Publish to topic</source>
        <translation>In Topic veröffentlichen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>none: publish to the queue</source>
        <translation>keines: in die Warteschlange veröffentlichen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Wait for messages (ms)</source>
        <translation>Auf Nachrichten warten (ms)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Lease (s)</source>
        <translation>Lease (s)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Read whole messages (envelope)</source>
        <translation>Ganze Nachrichten lesen (Umschlag)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Declare the queue</source>
        <translation>Warteschlange deklarieren</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>None</source>
        <translation>Keine</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Basic (user and password)</source>
        <translation>Basic (Benutzer und Passwort)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Bearer token</source>
        <translation>Bearer-Token</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>API key</source>
        <translation>API-Schlüssel</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>OAuth 2.0 client credentials</source>
        <translation>OAuth 2.0 Client-Credentials</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>User</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Password</source>
        <translation>Passwort</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Token</source>
        <translation>Token</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sent in</source>
        <translation>Übertragen als</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A header</source>
        <translation>Header</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>A query parameter</source>
        <translation>Query-Parameter</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Header or parameter</source>
        <translation>Header oder Parameter</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Token URL</source>
        <translation>Token-URL</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Client id</source>
        <translation>Client-ID</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Client secret</source>
        <translation>Client-Geheimnis</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Scopes</source>
        <translation>Scopes</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Audience</source>
        <translation>Audience</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Client certificate (PEM)</source>
        <translation>Client-Zertifikat (PEM)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Private key (PEM)</source>
        <translation>Privater Schlüssel (PEM)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Key pass phrase</source>
        <translation>Passphrase des Schlüssels</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Trusted CAs (PEM)</source>
        <translation>Vertrauenswürdige CAs (PEM)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Verify the server&apos;s certificate</source>
        <translation>Zertifikat des Servers überprüfen</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>REST API</source>
        <translation>REST-API</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>SOAP web service</source>
        <translation>SOAP-Webservice</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>OData v2 service</source>
        <translation>OData-v2-Dienst</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>OData v4 service</source>
        <translation>OData-v4-Dienst</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>GraphQL API</source>
        <translation>GraphQL-API</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>SQL database</source>
        <translation>SQL-Datenbank</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Files in a folder</source>
        <translation>Dateien in einem Ordner</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Message queue</source>
        <translation>Nachrichtenwarteschlange</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Webhook</source>
        <translation>Webhook</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::EndpointEntityRow</name>
    <message>
        <location filename="../ui/mapping/endpointentityrow.cpp" line="+37"/>
        <source>fields: %1</source>
        <translation>Felder: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>key: %1</source>
        <translation>Schlüssel: %1</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>&amp;Source:</source>
        <translation>&amp;Quelle:</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Target:</source>
        <translation>&amp;Ziel:</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The endpoint the records come from (source_endpoint)</source>
        <translation>Der Endpunkt, aus dem die Datensätze kommen (source_endpoint)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The endpoint the records go to (target_endpoint)</source>
        <translation>Der Endpunkt, in den die Datensätze gehen (target_endpoint)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Discover</source>
        <translation>Ermitteln</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Ask the endpoint which entities it offers, and their fields</source>
        <translation>Den Endpunkt fragen, welche Entitäten er anbietet und welche Felder sie haben</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>The entity whose fields become source.schema</source>
        <translation>Die Entität, deren Felder zu source.schema werden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The entity whose fields become target.schema</source>
        <translation>Die Entität, deren Felder zu target.schema werden</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>%1 is larger than %2 MB; it is no endpoint document</source>
        <translation>%1 ist größer als %2 MB; es ist kein Endpunktdokument</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 cannot be read: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 is not valid JSON (%2 at byte %3); fix it in its editor</source>
        <translation>%1 ist kein gültiges JSON (%2 bei Byte %3); beheben Sie den Fehler in seinem Editor</translation>
    </message>
    <message>
        <location line="+59"/>
        <source>No endpoint &quot;%1&quot; in this project (endpoints/%1.json): choose another one.</source>
        <translation>Kein Endpunkt „%1“ in diesem Projekt (endpoints/%1.json): Wählen Sie einen anderen.</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>(none)</source>
        <translation>(keiner)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1
protocol: %2
%3</source>
        <translation>%1
Protokoll: %2
%3</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1 (not found)</source>
        <translation>%1 (nicht gefunden)</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>Choose an entity</source>
        <translation>Entität wählen</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Choose an endpoint first.</source>
        <translation>Wählen Sie zuerst einen Endpunkt.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No project is open: the endpoint&apos;s document cannot be found.</source>
        <translation>Kein Projekt geöffnet: Das Dokument des Endpunkts kann nicht gefunden werden.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Reading %1…</source>
        <translation>%1 wird gelesen…</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Discovering the entities of %1…</source>
        <translation>Entitäten von %1 werden ermittelt…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Discovery cancelled.</source>
        <translation>Ermittlung abgebrochen.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Discovery of %1 failed: %2</source>
        <translation>Ermittlung von %1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1 offers no entities.</source>
        <translation>%1 bietet keine Entitäten an.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Entities of %1: %2. Choose one to use its fields.</source>
        <translation>Entitäten von %1: %2. Wählen Sie eine aus, um ihre Felder zu verwenden.</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::FieldTree</name>
    <message>
        <location filename="../ui/mapping/fieldtree.cpp" line="+28"/>
        <source>%1 — required</source>
        <translation>%1 — erforderlich</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Field</source>
        <translation>Feld</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Type</source>
        <translation>Typ</translation>
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
    <name>Conflux::Ui::HistoryPanel</name>
    <message>
        <location filename="../ui/tester/historypanel.cpp" line="+18"/>
        <source>Requests sent from this project, newest first (kept in .conflux/history, never in git).</source>
        <translation>Aus diesem Projekt gesendete Anfragen, neueste zuerst (in .conflux/history gespeichert, niemals in git).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Clear History</source>
        <translation>Verlauf löschen</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>no answer</source>
        <translation>keine Antwort</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::JsonataEditor</name>
    <message>
        <location filename="../ui/mapping/jsonataeditor.cpp" line="+263"/>
        <source>%1 at position %2: %3</source>
        <translation>%1 an Position %2: %3</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::KeyValueTable</name>
    <message>
        <location filename="../ui/tester/keyvaluetable.cpp" line="+15"/>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Add a name</source>
        <translation>Namen hinzufügen</translation>
    </message>
    <message>
        <location line="+74"/>
        <source>Uncheck to leave this pair out without deleting it</source>
        <translation>Deaktivieren, um dieses Paar auszulassen, ohne es zu löschen</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::KeychainSecrets</name>
    <message>
        <location filename="../ui/keychainsecrets.cpp" line="+25"/>
        <source>&quot;%1&quot; is not a secret name</source>
        <translation>„%1“ ist kein Geheimnisname</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The secret &quot;%1&quot; is not in the OS keychain</source>
        <translation>Das Geheimnis „%1“ ist nicht im Schlüsselbund des Betriebssystems</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>the OS keychain</source>
        <translation>der Schlüsselbund des Betriebssystems</translation>
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
        <location filename="../ui/mainwindow.cpp" line="+164"/>
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
        <location line="+3"/>
        <source>&amp;Undo</source>
        <translation>&amp;Rückgängig</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Redo</source>
        <translation>&amp;Wiederherstellen</translation>
    </message>
    <message>
        <location line="+4"/>
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
        <source>&amp;Design / JSON</source>
        <translation>&amp;Design / JSON</translation>
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
        <location line="+114"/>
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
        <location line="+14"/>
        <source>The local engine did not start: %1</source>
        <translation>Die lokale Engine wurde nicht gestartet: %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The local engine runs the saved project: routes at %1, admin API at %2.</source>
        <translation>Die lokale Engine führt das gespeicherte Projekt aus: Routen unter %1, Admin-API unter %2.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Stopping the local engine…</source>
        <translation>Die lokale Engine wird gestoppt…</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::MappingCanvas</name>
    <message>
        <location filename="../ui/mapping/mappingcanvas.cpp" line="+53"/>
        <source>Drag a source field onto a target field to map it; click a line to select its rule.</source>
        <translation>Ziehen Sie ein Quellfeld auf ein Zielfeld, um es zuzuordnen; klicken Sie auf eine Linie, um ihre Regel auszuwählen.</translation>
    </message>
    <message>
        <location line="+168"/>
        <source>Drag a source field onto a target field</source>
        <translation>Ziehen Sie ein Quellfeld auf ein Zielfeld</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::MappingDesigner</name>
    <message>
        <location filename="../ui/mapping/mappingdesigner.cpp" line="+97"/>
        <source>Source field</source>
        <translation>Quellfeld</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+5"/>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <location line="-4"/>
        <source>No source fields yet: give the mapping a source.schema, or open or paste a sample below.</source>
        <translation>Noch keine Quellfelder: Geben Sie dem Mapping ein source.schema, oder öffnen Sie unten ein Beispiel bzw. fügen Sie eines ein.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Target field</source>
        <translation>Zielfeld</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No target fields yet: give the mapping a target.schema, or drop a source field here.</source>
        <translation>Noch keine Zielfelder: Geben Sie dem Mapping ein target.schema, oder legen Sie hier ein Quellfeld ab.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>&amp;Rule</source>
        <translation>&amp;Regel</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Select a rule and press Ctrl+E to see its JSONata.</source>
        <translation>Wählen Sie eine Regel aus und drücken Sie Strg+E, um ihr JSONata zu sehen.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>&amp;Accept as expression rule (Ctrl+Return)</source>
        <translation>Als Ausdrucksregel &amp;übernehmen (Strg+Return)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;JSONata</source>
        <translation>&amp;JSONata</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Checks</source>
        <translation>&amp;Prüfungen</translation>
    </message>
    <message>
        <location line="+56"/>
        <source>The expression compiles.</source>
        <translation>Der Ausdruck lässt sich kompilieren.</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Open a sample</source>
        <translation>Beispiel öffnen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Samples (*.json *.ndjson *.jsonl *.xml *.csv);;All files (*)</source>
        <translation>Beispiele (*.json *.ndjson *.jsonl *.xml *.csv);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location line="+20"/>
        <location line="+376"/>
        <source>Add rule</source>
        <translation>Regel hinzufügen</translation>
    </message>
    <message>
        <location line="-374"/>
        <location line="+377"/>
        <source>Delete rule</source>
        <translation>Regel löschen</translation>
    </message>
    <message>
        <location line="-376"/>
        <location line="+375"/>
        <source>Open as JSONata</source>
        <translation>Als JSONata öffnen</translation>
    </message>
    <message>
        <location line="-298"/>
        <source>The source fields are now those of %1 in %2 (Ctrl+Z undoes it).</source>
        <translation>Die Quellfelder sind jetzt die von %1 in %2 (Strg+Z macht das rückgängig).</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The target fields are now those of %1 in %2 (Ctrl+Z undoes it).</source>
        <translation>Die Zielfelder sind jetzt die von %1 in %2 (Strg+Z macht das rückgängig).</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>The JSON text cannot be read (%1); fix it in the JSON view.</source>
        <translation>Der JSON-Text kann nicht gelesen werden (%1); beheben Sie den Fehler in der JSON-Ansicht.</translation>
    </message>
    <message>
        <location line="+77"/>
        <source>The rule of %1 no longer exists.</source>
        <translation>Die Regel von %1 existiert nicht mehr.</translation>
    </message>
    <message>
        <location line="+84"/>
        <source>Mapped %1 → %2</source>
        <translation>%1 → %2 zugeordnet</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Select a target field (or a source field) first.</source>
        <translation>Wählen Sie zuerst ein Zielfeld (oder ein Quellfeld) aus.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 already has a rule.</source>
        <translation>%1 hat bereits eine Regel.</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Removed the rule of %1 (Ctrl+Z brings it back).</source>
        <translation>Die Regel von %1 wurde entfernt (Strg+Z stellt sie wieder her).</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Select a rule to open its JSONata.</source>
        <translation>Wählen Sie eine Regel aus, um ihr JSONata zu öffnen.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>JSONata of &lt;b&gt;%1&lt;/b&gt; (%2)</source>
        <translation>JSONata von &lt;b&gt;%1&lt;/b&gt; (%2)</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Fix the expression first: %1</source>
        <translation>Beheben Sie zuerst den Ausdruck: %1</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>The rule of %1 is now a JSONata expression.</source>
        <translation>Die Regel von %1 ist jetzt ein JSONata-Ausdruck.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Show rule</source>
        <translation>Regel anzeigen</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Add check</source>
        <translation>Prüfung hinzufügen</translation>
    </message>
    <message>
        <location line="+56"/>
        <source>Drop to map %1 → %2</source>
        <translation>Ablegen, um %1 → %2 zuzuordnen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Drag %1 onto a target field</source>
        <translation>Ziehen Sie %1 auf ein Zielfeld</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Dropped outside the target fields: nothing mapped.</source>
        <translation>Außerhalb der Zielfelder abgelegt: Es wurde nichts zugeordnet.</translation>
    </message>
    <message>
        <location line="+94"/>
        <source>The pasted sample cannot be read: %1</source>
        <translation>Das eingefügte Beispiel kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The sample cannot be read: %1</source>
        <translation>Das Beispiel kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>the pasted sample</source>
        <translation>das eingefügte Beispiel</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The pasted sample is too large to keep in the document; open it as a file to keep it.</source>
        <translation>Das eingefügte Beispiel ist zu groß, um es im Dokument aufzubewahren; öffnen Sie es als Datei, um es zu behalten.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Sample: %1</source>
        <translation>Beispiel: %1</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>No sample yet: the mapped records appear here once there is one.</source>
        <translation>Noch kein Beispiel: Die zugeordneten Datensätze erscheinen hier, sobald eines vorhanden ist.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>record %1: %2 — %3</source>
        <translation>Datensatz %1: %2 — %3</translation>
    </message>
    <message>
        <location filename="../ui/mapping/mappingfields.cpp" line="+253"/>
        <source>copy</source>
        <translation>kopieren</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>UPPER</source>
        <translation>GROSS</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>lower</source>
        <translation>klein</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>date</source>
        <translation>Datum</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>concat</source>
        <translation>verketten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>constant</source>
        <translation>Konstante</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>lookup</source>
        <translation>nachschlagen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>arithmetic</source>
        <translation>Arithmetik</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>if / else</source>
        <translation>wenn / sonst</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>JSONata</source>
        <translation>JSONata</translation>
    </message>
    <message>
        <location filename="../ui/mapping/previewengine.cpp" line="+71"/>
        <source>line %1: %2</source>
        <translation>Zeile %1: %2</translation>
    </message>
    <message>
        <location line="+77"/>
        <location line="+6"/>
        <source>record_path: %1</source>
        <translation>record_path: %1</translation>
    </message>
    <message>
        <location line="+36"/>
        <location line="+7"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
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
    <name>Conflux::Ui::PreviewPane</name>
    <message>
        <location filename="../ui/mapping/previewpane.cpp" line="+46"/>
        <source>[%1 items]</source>
        <translation>[%1 Elemente]</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>&lt;b&gt;Sample input&lt;/b&gt;</source>
        <translation>&lt;b&gt;Beispieleingabe&lt;/b&gt;</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Open sample…</source>
        <translation>Beispiel ö&amp;ffnen…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Use &amp;pasted text</source>
        <translation>&amp;Eingefügten Text verwenden</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Paste JSON, XML or CSV into the box below, then use it as the sample.</source>
        <translation>Fügen Sie JSON, XML oder CSV in das Feld unten ein und verwenden Sie es dann als Beispiel.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Open a sample file, or paste a JSON, XML or CSV sample here.</source>
        <translation>Öffnen Sie eine Beispieldatei, oder fügen Sie hier ein JSON-, XML- oder CSV-Beispiel ein.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>&lt;b&gt;Mapped output&lt;/b&gt;</source>
        <translation>&lt;b&gt;Zugeordnete Ausgabe&lt;/b&gt;</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Field</source>
        <translation>Feld</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Problem</source>
        <translation>Problem</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Reading %1…</source>
        <translation>%1 wird gelesen…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>No sample yet.</source>
        <translation>Noch kein Beispiel.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The sample cannot be read: %1</source>
        <translation>Das Beispiel kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Records: %1</source>
        <translation>Datensätze: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> — showing the first %1 of %2</source>
        <translation> — die ersten %1 von %2 werden angezeigt</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The mapping cannot run: %1</source>
        <translation>Das Mapping kann nicht ausgeführt werden: %1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Record %1</source>
        <translation>Datensatz %1</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>(absent)</source>
        <translation>(fehlt)</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Problems: %1</source>
        <translation>Probleme: %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Mapped the first %1 of %2 records</source>
        <translation>Die ersten %1 von %2 Datensätzen zugeordnet</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>; records with problems: %1</source>
        <translation>; Datensätze mit Problemen: %1</translation>
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
        <location line="+20"/>
        <source>Project</source>
        <translation>Projekt</translation>
    </message>
    <message>
        <location line="-19"/>
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
        <location line="+1"/>
        <source>Collections</source>
        <translation>Sammlungen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Environments</source>
        <translation>Umgebungen</translation>
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
        <location line="+1"/>
        <source>Collection</source>
        <translation>Sammlung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Environment</source>
        <translation>Umgebung</translation>
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
    <name>Conflux::Ui::RequestEditor</name>
    <message>
        <location filename="../ui/tester/requesteditor.cpp" line="+42"/>
        <source>The HTTP method</source>
        <translation>Die HTTP-Methode</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>https://api.example.com/orders/{{order_id}}</source>
        <translation>https://api.example.com/orders/{{order_id}}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The URL; {{name}} takes a variable&apos;s value (Ctrl+L)</source>
        <translation>Die URL; {{name}} übernimmt den Wert einer Variablen (Strg+L)</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+224"/>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <location line="-221"/>
        <location line="+222"/>
        <source>Send the request (Ctrl+Return)</source>
        <translation>Anfrage senden (Strg+Return)</translation>
    </message>
    <message>
        <location line="-212"/>
        <source>Add a query parameter</source>
        <translation>Query-Parameter hinzufügen</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+3"/>
        <source>value or {{variable}}</source>
        <translation>Wert oder {{variable}}</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Add a header</source>
        <translation>Header hinzufügen</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>A route of the project: with &quot;Through the local gateway&quot; on, the request goes to the gateway&apos;s path for it instead of the URL</source>
        <translation>Eine Route des Projekts: Ist „Über das lokale Gateway“ aktiviert, geht die Anfrage statt an die URL an den Pfad des Gateways für diese Route</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Gateway &amp;route</source>
        <translation>Gateway-&amp;Route</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Follow &amp;redirects</source>
        <translation>&amp;Weiterleitungen folgen</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Add a variable of this request</source>
        <translation>Variable dieser Anfrage hinzufügen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Variables</source>
        <translation>&amp;Variablen</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Description</source>
        <translation>&amp;Beschreibung</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <location line="+117"/>
        <source>Params</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Headers</source>
        <translation>Header</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Body</source>
        <translation>Body</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Body •</source>
        <translation>Body •</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Auth</source>
        <translation>Auth</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Checks</source>
        <translation>Prüfungen</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stop waiting for the answer (Esc)</source>
        <translation>Nicht länger auf die Antwort warten (Esc)</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::ResponseView</name>
    <message>
        <location filename="../ui/tester/responseview.cpp" line="+68"/>
        <source>Pretty</source>
        <translation>Formatiert</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Indented, highlighted and foldable</source>
        <translation>Eingerückt, hervorgehoben und einklappbar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Raw</source>
        <translation>Roh</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>The body as it came</source>
        <translation>Der Body so, wie er kam</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Fold All</source>
        <translation>Alle einklappen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Fold every object, array and element</source>
        <translation>Alle Objekte, Arrays und Elemente einklappen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unfold All</source>
        <translation>Alle ausklappen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Show every line</source>
        <translation>Alle Zeilen anzeigen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save Body…</source>
        <translation>Body speichern…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Write the body to a file, byte for byte</source>
        <translation>Den Body Byte für Byte in eine Datei schreiben</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Body</source>
        <translation>Body</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+35"/>
        <source>Headers</source>
        <translation>Header</translation>
    </message>
    <message numerus="yes">
        <location line="-17"/>
        <source>%n B</source>
        <translation>
            <numerusform>%n B</numerusform>
            <numerusform>%n B</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 KB</source>
        <translation>%1 KB</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 MB</source>
        <translation>%1 MB</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>No response yet</source>
        <translation>Noch keine Antwort</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>No response: %1</source>
        <translation>Keine Antwort: %1</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Time: %1 ms</source>
        <translation>Zeit: %1 ms</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Size: %1</source>
        <translation>Größe: %1</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n byte(s) of body</source>
        <translation>
            <numerusform>%n Byte Body</numerusform>
            <numerusform>%n Bytes Body</numerusform>
        </translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Headers (%1)</source>
        <translation>Header (%1)</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Shown as it came: the body is not well-formed (%1).</source>
        <translation>Unverändert angezeigt: Der Body ist nicht wohlgeformt (%1).</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Save Response Body</source>
        <translation>Antwort-Body speichern</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::RuleForm</name>
    <message>
        <location filename="../ui/mapping/ruleform.cpp" line="+93"/>
        <source>Select a rule: click its line or its target field.</source>
        <translation>Wählen Sie eine Regel aus: Klicken Sie auf ihre Linie oder ihr Zielfeld.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>&amp;Type</source>
        <translation>&amp;Typ</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>T&amp;arget</source>
        <translation>&amp;Ziel</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>customer.id</source>
        <translation>customer.id</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Source</source>
        <translation>&amp;Quelle</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>customer.email</source>
        <translation>customer.email</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Fields</source>
        <translation>&amp;Felder</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>first, last (comma separated)</source>
        <translation>first, last (durch Kommas getrennt)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Se&amp;parator</source>
        <translation>Tre&amp;nnzeichen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>From picture</source>
        <translation>Quellformat</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>ISO 8601 when empty</source>
        <translation>ISO 8601, wenn leer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>To picture</source>
        <translation>Zielformat</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Value</source>
        <translation>&amp;Wert</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>text, or JSON: 42, true, {&quot;a&quot;: 1}</source>
        <translation>Text oder JSON: 42, true, {&quot;a&quot;: 1}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ta&amp;ble</source>
        <translation>Ta&amp;belle</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Key column</source>
        <translation>Sc&amp;hlüsselspalte</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Result column</source>
        <translation>Er&amp;gebnisspalte</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Left</source>
        <translation>&amp;Links</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+8"/>
        <source>a field path or a number</source>
        <translation>ein Feldpfad oder eine Zahl</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>&amp;Operator</source>
        <translation>&amp;Operator</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Right</source>
        <translation>&amp;Rechts</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>T&amp;est</source>
        <translation>Be&amp;dingung</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>JSONata, e.g. total &gt; 100</source>
        <translation>JSONata, z. B. total &gt; 100</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>T&amp;hen</source>
        <translation>D&amp;ann</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>E&amp;lse</source>
        <translation>Son&amp;st</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>E&amp;xpression</source>
        <translation>A&amp;usdruck</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Default</source>
        <translation>Standardw&amp;ert</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>when the rule yields nothing</source>
        <translation>wenn die Regel nichts liefert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Re&amp;quired</source>
        <translation>&amp;Pflichtfeld</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Open as JSONata (Ctrl+E)</source>
        <translation>Als JSONata öffnen (Strg+E)</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>field</source>
        <translation>Feld</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>value</source>
        <translation>Wert</translation>
    </message>
</context>
<context>
    <name>Conflux::Ui::RunReportView</name>
    <message>
        <location filename="../ui/tester/runreportview.cpp" line="+28"/>
        <source>Run the collection, or a folder, to see a report here (Ctrl+Shift+Return).</source>
        <translation>Führen Sie die Sammlung oder einen Ordner aus, um hier einen Bericht zu sehen (Strg+Umschalt+Return).</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Stop</source>
        <translation>Stoppen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Save JUnit XML…</source>
        <translation>JUnit-XML speichern…</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Request</source>
        <translation>Anfrage</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Result</source>
        <translation>Ergebnis</translation>
    </message>
    <message numerus="yes">
        <location line="+35"/>
        <source>Running %1: 0 of %n request(s)…</source>
        <translation>
            <numerusform>%1 läuft: 0 von %n Anfrage…</numerusform>
            <numerusform>%1 läuft: 0 von %n Anfragen…</numerusform>
        </translation>
    </message>
    <message>
        <location line="+11"/>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>✓ passed</source>
        <translation>✓ bestanden</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>✗ failed</source>
        <translation>✗ fehlgeschlagen</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>✓</source>
        <translation>✓</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>✗</source>
        <translation>✗</translation>
    </message>
    <message numerus="yes">
        <location line="+5"/>
        <source>Running: %1 of %n request(s)…</source>
        <translation>
            <numerusform>Läuft: %1 von %n Anfrage…</numerusform>
            <numerusform>Läuft: %1 von %n Anfragen…</numerusform>
        </translation>
    </message>
    <message>
        <location line="+10"/>
        <source>%1: %2 passed, %3 failed, in %4 s</source>
        <translation>%1: %2 bestanden, %3 fehlgeschlagen, in %4 s</translation>
    </message>
    <message>
        <location line="+6"/>
        <source> (stopped before the end)</source>
        <translation> (vor dem Ende gestoppt)</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>There is no finished run to save</source>
        <translation>Es gibt keinen abgeschlossenen Lauf zum Speichern</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Save the run as JUnit XML</source>
        <translation>Lauf als JUnit-XML speichern</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>JUnit XML (*.xml)</source>
        <translation>JUnit-XML (*.xml)</translation>
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
<context>
    <name>Conflux::Ui::ValidationForm</name>
    <message>
        <location filename="../ui/mapping/validationform.cpp" line="+53"/>
        <source>&amp;Add check</source>
        <translation>Prüfung &amp;hinzufügen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Re&amp;move check</source>
        <translation>Prüfung &amp;entfernen</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>required</source>
        <translation>erforderlich</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>pattern</source>
        <translation>Muster</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>range</source>
        <translation>Bereich</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>enum</source>
        <translation>Aufzählung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Check</source>
        <translation>&amp;Prüfung</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>T&amp;ype</source>
        <translation>&amp;Typ</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>&amp;Pattern</source>
        <translation>&amp;Muster</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>a regular expression</source>
        <translation>ein regulärer Ausdruck</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>M&amp;inimum</source>
        <translation>Mi&amp;nimum</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+1"/>
        <source>number, length or item count</source>
        <translation>Zahl, Länge oder Anzahl der Elemente</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Ma&amp;ximum</source>
        <translation>Ma&amp;ximum</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Values</source>
        <translation>&amp;Werte</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>EUR, USD, 42 (comma separated)</source>
        <translation>EUR, USD, 42 (durch Kommas getrennt)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Me&amp;ssage</source>
        <translation>Mel&amp;dung</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>shown when the check fails</source>
        <translation>wird angezeigt, wenn die Prüfung fehlschlägt</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>type %1</source>
        <translation>Typ %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>pattern %1</source>
        <translation>Muster %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>range %1 – %2</source>
        <translation>Bereich %1 – %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>one of %1</source>
        <translation>einer von %1</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Select a target field to see and edit its checks.</source>
        <translation>Wählen Sie ein Zielfeld aus, um seine Prüfungen zu sehen und zu bearbeiten.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Checks of &lt;b&gt;%1&lt;/b&gt;</source>
        <translation>Prüfungen von &lt;b&gt;%1&lt;/b&gt;</translation>
    </message>
</context>
</TS>
