#pragma once

#include <QByteArray>

namespace Conflux::Tester {

struct RunReport;

// The report as JUnit XML, the format CI servers read (Jenkins, GitLab, GitHub actions):
//   <testsuites name tests failures errors time>
//     <testsuite name="folder" tests failures errors time timestamp>   one per folder
//       <testcase name="request" classname="collection.folder" time="0.123">
//         <failure message="status is 200" type="assertion">status was 404 ...</failure>
//         <error message="..." type="timeout"/>     no answer, or the request could not be made
//       </testcase>
// Requests directly in the collection form a suite named after the collection. Times are
// seconds with millisecond precision. Text is escaped by QXmlStreamWriter.
QByteArray toJUnitXml(const RunReport &report);

} // namespace Conflux::Tester
