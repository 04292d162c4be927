#pragma once

// Internals shared by the files of the JSONata function library (jsonatafunctions*.cpp,
// jsonatanumberformat.cpp, jsonatadatetime.cpp). Not seen by the evaluator.

#include "mapping/jsonatafunctions_p.h"

#include <QString>
#include <QStringView>

#include <vector>

namespace Conflux::Mapping::Internal {

// Throws a JsonataException; `code` is the reference implementation's error code.
[[noreturn]] void throwJsonata(const char *code, int position, const QString &message,
                               const Data::Value &value = {});

// A value as JSON.stringify writes it, for error messages ("\"abc\"", "12", "[1,2]").
QString jsonLiteral(const Data::Value &value);

// The JSON text of a value as $string() writes it; `position` is used for D3001/D1001.
QString stringifyValue(const Data::Value &value, bool prettify, int position);

// JavaScript truthiness (what the reference's `if (x)` sees): objects and arrays are
// always true, unlike jsonataBoolean().
bool jsTruthy(const Data::Value &value);

// An array flagged as a JSONata result sequence (collapses to its item when singleton).
Data::Value makeSequence(Data::Array items);

inline const Data::Value &argAt(const std::vector<Data::Value> &args, size_t index)
{
    static const Data::Value undefined;
    return index < args.size() ? args[index] : undefined;
}

// The regular expression behind a function value, or nullptr for any other function.
inline const Regex *asRegex(const Data::Value &value)
{
    return dynamic_cast<const Regex *>(value.toFunction());
}

// Number of Unicode code points (a lone surrogate counts as one, as in JavaScript).
qsizetype codePointCount(QStringView text);

// JavaScript's String.prototype.substring(start, end) on UTF-16 units: NaN as 0,
// clamped to the text, swapped when start > end.
QString jsSubstring(const QString &text, double start, double end);

// ---- the built-ins, grouped by the file that defines them ----------------------------

// jsonatafunctions.cpp
Data::Value fnBoolean(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnNot(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnExists(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnType(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnError(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnAssert(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnClone(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnNow(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnMillis(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnFromMillis(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnToMillis(CallContext &context, std::vector<Data::Value> &args);

// jsonatafunctions_string.cpp
Data::Value fnString(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnLength(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnSubstring(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnSubstringBefore(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnSubstringAfter(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnUppercase(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnLowercase(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnTrim(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnPad(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnContains(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnMatch(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnReplace(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnSplit(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnJoin(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnBase64Encode(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnBase64Decode(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnEncodeUrlComponent(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnEncodeUrl(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnDecodeUrlComponent(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnDecodeUrl(CallContext &context, std::vector<Data::Value> &args);

// jsonatafunctions_numeric.cpp
Data::Value fnNumber(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnAbs(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnFloor(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnCeil(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnRound(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnPower(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnSqrt(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnRandom(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnSum(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnMax(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnMin(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnAverage(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnFormatNumber(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnFormatBase(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnFormatInteger(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnParseInteger(CallContext &context, std::vector<Data::Value> &args);

// jsonatafunctions_array.cpp
Data::Value fnCount(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnAppend(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnReverse(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnShuffle(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnDistinct(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnSort(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnZip(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnKeys(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnLookup(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnSpread(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnMerge(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnEach(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnSift(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnMap(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnFilter(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnSingle(CallContext &context, std::vector<Data::Value> &args);
Data::Value fnReduce(CallContext &context, std::vector<Data::Value> &args);

} // namespace Conflux::Mapping::Internal
