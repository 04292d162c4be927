#pragma once

#include <QString>
#include <QStringView>

namespace Conflux::Broker {

// Topic names are dot-separated words ("orders.created.eu"). A pattern matches them word by
// word, as AMQP topic exchanges do: '*' stands for exactly one word, '#' for zero or more.
// "orders.#" matches "orders" and "orders.created.eu"; "*.created" matches "orders.created".
bool topicMatches(QStringView pattern, QStringView topic);

// A topic a publisher may use: non-empty words of letters, digits, '_', '-', ':' or '/',
// without wildcards. Returns an empty string when valid, else what is wrong.
QString topicProblem(QStringView topic);
// The same for a binding pattern, which may use '*' and '#' as whole words.
QString topicPatternProblem(QStringView pattern);

} // namespace Conflux::Broker
