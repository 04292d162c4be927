#pragma once

#include <QRandomGenerator>

#include <array>

namespace Conflux {

// A per-thread pseudo-random generator seeded once with 256 bits from the system's. For ids
// that must be unique but need not be secret (request ids, trace ids): QRandomGenerator::system()
// costs a getrandom() call each time. Never use it for keys, tokens or salts.
inline QRandomGenerator64 &fastRandom()
{
    thread_local QRandomGenerator64 generator = [] {
        std::array<quint32, 8> seed;
        QRandomGenerator::system()->fillRange(seed.data(), qsizetype(seed.size()));
        return QRandomGenerator64(seed.data(), qsizetype(seed.size()));
    }();
    return generator;
}

} // namespace Conflux
