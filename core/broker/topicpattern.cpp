#include "broker/topicpattern.h"

#include <QCoreApplication>
#include <QList>

namespace Conflux::Broker {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Broker)
};

// Matches pattern words [p, pEnd) against topic words [t, tEnd). '#' backtracks over
// zero or more words; patterns are short, so the recursion stays shallow.
bool matchWords(const QList<QStringView> &pattern, qsizetype p, const QList<QStringView> &topic, qsizetype t)
{
    while (p < pattern.size()) {
        const QStringView word = pattern[p];
        if (word == u'#') {
            if (p + 1 == pattern.size())
                return true;
            for (qsizetype skip = t; skip <= topic.size(); ++skip) {
                if (matchWords(pattern, p + 1, topic, skip))
                    return true;
            }
            return false;
        }
        if (t == topic.size())
            return false;
        if (word != u'*' && word != topic[t])
            return false;
        ++p;
        ++t;
    }
    return t == topic.size();
}

bool isWordChar(QChar c)
{
    return c.isLetterOrNumber() || c == u'_' || c == u'-' || c == u':' || c == u'/';
}

QString problem(QStringView text, bool wildcards)
{
    if (text.isEmpty())
        return Tr::tr("the topic is empty");
    const QList<QStringView> words = text.split(u'.');
    for (qsizetype i = 0; i < words.size(); ++i) {
        const QStringView word = words[i];
        if (word.isEmpty())
            return Tr::tr("word %1 is empty (two dots, or a dot at an end)").arg(i + 1);
        if (wildcards && (word == u'*' || word == u'#'))
            continue;
        for (QChar c : word) {
            if (!isWordChar(c)) {
                return wildcards || (c != u'*' && c != u'#')
                    ? Tr::tr("word %1 (\"%2\") has the character '%3'; topic words use letters, "
                             "digits, '_', '-', ':' and '/'")
                          .arg(i + 1)
                          .arg(word.toString(), QString(c))
                    : Tr::tr("word %1 (\"%2\") has a wildcard; a published topic names one topic")
                          .arg(i + 1)
                          .arg(word.toString());
            }
        }
    }
    return {};
}

} // namespace

bool topicMatches(QStringView pattern, QStringView topic)
{
    if (pattern == topic)
        return true;
    if (!pattern.contains(u'*') && !pattern.contains(u'#'))
        return false;
    return matchWords(pattern.split(u'.'), 0, topic.split(u'.'), 0);
}

QString topicProblem(QStringView topic)
{
    return problem(topic, false);
}

QString topicPatternProblem(QStringView pattern)
{
    return problem(pattern, true);
}

} // namespace Conflux::Broker
