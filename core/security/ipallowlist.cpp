#include "ipallowlist.h"

#include "security/messagetext_p.h"

#include <QCoreApplication>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace Conflux::Security {
namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Security::IpAllowList)
};

using Internal::shown;

bool isMappedV4(const Q_IPV6ADDR &bytes)
{
    for (int i = 0; i < 10; ++i) {
        if (bytes[i] != 0)
            return false;
    }
    return bytes[10] == 0xff && bytes[11] == 0xff;
}

quint32 mappedV4Value(const Q_IPV6ADDR &bytes)
{
    return (quint32(bytes[12]) << 24) | (quint32(bytes[13]) << 16) | (quint32(bytes[14]) << 8) | bytes[15];
}

// Clears every bit after the first `prefixLength`; returns whether any was set.
bool clearHostBits(QHostAddress *address, int prefixLength)
{
    if (address->protocol() == QAbstractSocket::IPv4Protocol) {
        const quint32 value = address->toIPv4Address();
        const quint32 mask = prefixLength == 0 ? 0u : ~quint32(0) << (32 - prefixLength);
        *address = QHostAddress(value & mask);
        return (value & ~mask) != 0;
    }
    Q_IPV6ADDR bytes = address->toIPv6Address();
    bool hadHostBits = false;
    for (int i = 0; i < 16; ++i) {
        const int keep = std::clamp(prefixLength - i * 8, 0, 8);
        const quint8 mask = keep == 0 ? 0 : quint8(0xff << (8 - keep));
        hadHostBits |= (bytes[i] & ~mask) != 0;
        bytes[i] &= mask;
    }
    *address = QHostAddress(bytes);
    return hadHostBits;
}

QString canonical(const QHostAddress &address, int prefixLength)
{
    return address.toString() + u'/' + QString::number(prefixLength);
}
} // namespace

QHostAddress IpAllowList::normalized(const QHostAddress &address)
{
    if (address.protocol() != QAbstractSocket::IPv6Protocol)
        return address;
    const Q_IPV6ADDR bytes = address.toIPv6Address();
    return isMappedV4(bytes) ? QHostAddress(mappedV4Value(bytes)) : address;
}

Result<IpAllowList> IpAllowList::parse(const QStringList &entries)
{
    static const QRegularExpression ipv4(u"^(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}$"_s);
    static const QRegularExpression prefix(u"^(0|[1-9][0-9]{0,2})$"_s);

    IpAllowList list;
    QStringList problems;
    for (const QString &entry : entries) {
        const QString text = entry.trimmed();
        const qsizetype slash = text.indexOf(u'/');
        const QString addressText = slash < 0 ? text : text.left(slash);
        const QString prefixText = slash < 0 ? QString() : text.mid(slash + 1);
        const QString name = u'"' + shown(entry) + u'"';

        if (text.isEmpty()) {
            problems.append(Tr::tr("%1: empty entry").arg(name));
            continue;
        }
        QHostAddress address;
        if (addressText.contains(u'%')) {
            problems.append(Tr::tr("%1: IPv6 zone identifiers are not allowed").arg(name));
            continue;
        }
        const bool isV6 = addressText.contains(u':');
        if ((!isV6 && !ipv4.match(addressText).hasMatch()) || !address.setAddress(addressText)) {
            problems.append(Tr::tr("%1: \"%2\" is not an IPv4 or IPv6 address").arg(name, shown(addressText)));
            continue;
        }
        const int maxPrefix = isV6 ? 128 : 32;
        int prefixLength = maxPrefix;
        if (slash >= 0) {
            if (!prefix.match(prefixText).hasMatch() || prefixText.toInt() > maxPrefix) {
                problems.append(Tr::tr("%1: the prefix length must be a number from 0 to %2")
                                    .arg(name)
                                    .arg(maxPrefix));
                continue;
            }
            prefixLength = prefixText.toInt();
        }
        QHostAddress network = address;
        if (clearHostBits(&network, prefixLength)) {
            problems.append(Tr::tr("%1: the address has bits set after the prefix; the network is %2")
                                .arg(name, canonical(network, prefixLength)));
            continue;
        }
        if (isV6 && prefixLength >= 96 && isMappedV4(network.toIPv6Address())) {
            network = QHostAddress(mappedV4Value(network.toIPv6Address()));
            prefixLength -= 96;
        }
        list.m_networks.append({network, prefixLength});
    }
    if (!problems.isEmpty()) {
        return makeError("ip_allow_list_invalid",
                         Tr::tr("Invalid IP allow-list"),
                         problems);
    }
    return list;
}

bool IpAllowList::contains(const QHostAddress &address) const
{
    const QHostAddress peer = normalized(address);
    if (peer.protocol() != QAbstractSocket::IPv4Protocol && peer.protocol() != QAbstractSocket::IPv6Protocol)
        return false;
    for (const Network &network : m_networks) {
        // isInSubnet() compares within one protocol only, and ignores a peer's zone.
        if (network.address.protocol() == peer.protocol() && peer.isInSubnet(network.address, network.prefixLength))
            return true;
    }
    return false;
}

QStringList IpAllowList::entries() const
{
    QStringList out;
    out.reserve(m_networks.size());
    for (const Network &network : m_networks)
        out.append(canonical(network.address, network.prefixLength));
    return out;
}

} // namespace Conflux::Security
