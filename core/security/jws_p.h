#pragma once

// Internals of the JOSE code: strict base64url and the signature primitives over OpenSSL.

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

namespace Conflux::Security {

class Jwk;
enum class JwsAlgorithm;

namespace Internal {

enum class JwsFamily { Hmac, RsaPkcs1, RsaPss, Ecdsa };

JwsFamily jwsFamily(JwsAlgorithm algorithm);
int jwsHashBytes(JwsAlgorithm algorithm);        // 32, 48 or 64
const char *jwsDigestName(JwsAlgorithm algorithm); // "SHA256", ...
const char *jwsCurve(JwsAlgorithm algorithm);      // "P-256", ... for ES*, else nullptr

// RFC 7515 §2 base64url: only [A-Za-z0-9_-], no padding, no whitespace, and the unused
// bits of the last character must be zero (one encoding per byte string). On failure
// returns std::nullopt and sets *errorAt to the offset of the offending character.
std::optional<QByteArray> decodeBase64Url(QByteArrayView text, qsizetype *errorAt = nullptr);

// Verifies `signature` (as carried in the JWS: HMAC bytes, RSA signature, or ECDSA R||S)
// over `signingInput`. The caller has checked key.canVerify(algorithm). Never throws;
// any OpenSSL failure counts as "does not verify".
bool verifyJwsSignature(JwsAlgorithm algorithm, const Jwk &key, QByteArrayView signingInput,
                        QByteArrayView signature);

} // namespace Internal
} // namespace Conflux::Security
