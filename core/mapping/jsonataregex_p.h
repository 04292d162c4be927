#pragma once

// Regular expression literals: JavaScript syntax translated for QRegularExpression.
// Internal to core/mapping.

#include "data/value.h"

#include <QString>

namespace Conflux::Mapping::Internal {

// The PCRE2 (QRegularExpression) pattern equivalent to the JavaScript `pattern`.
QString translateJsRegex(QStringView pattern, bool multiline);

// A Regex function value for /pattern/flags (flags: i, m). Throws JsonataException
// S0303 when the pattern is not a valid regular expression.
Data::Value makeRegex(const QString &pattern, const QString &flags, int position);

} // namespace Conflux::Mapping::Internal
