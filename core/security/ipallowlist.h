#pragma once

#include "base/result.h"

#include <QHostAddress>
#include <QList>
#include <QString>
#include <QStringList>

namespace Conflux::Security {

// A set of IP networks in CIDR notation, for "this credential may only be used from ..."
// rules.
//
// Syntax, deliberately stricter than QHostAddress (which accepts "10.1", "0x7f.0.0.1" and
// reads "010.0.0.1" as octal 8.0.0.1): an entry is an address, optionally followed by
// "/prefix-length".
//   IPv4: four dotted decimal octets without leading zeros; prefix 0–32 (default 32).
//   IPv6: any RFC 4291 text form without a zone ("%eth0"); prefix 0–128 (default 128).
// The address must be the network address: "10.1.2.3/8" is refused (a typo for /32 that
// would otherwise admit 16 million hosts). Surrounding whitespace is ignored.
//
// IPv4-mapped IPv6 (RFC 4291 §2.5.5.2, "::ffff:a.b.c.d") is IPv4: a peer such as
// ::ffff:10.0.0.1 (what a dual-stack socket reports) matches the rule 10.0.0.0/8, and an
// entry "::ffff:10.0.0.0/104" is read as 10.0.0.0/8. Other IPv6 rules never match IPv4
// peers ("::/0" is every IPv6 address, not every address).
//
// Errors: "ip_allow_list_invalid", with one line in Error::details per bad entry, each
// naming the entry and what is wrong.
//
// An IpAllowList is an immutable value; const methods are safe from any number of threads.
class IpAllowList
{
public:
    IpAllowList() = default;

    static Result<IpAllowList> parse(const QStringList &entries);

    // True if `address` is in one of the networks. An empty list contains nothing, and a
    // null address (no IP peer) is in no list: callers that treat "no list" as "no
    // restriction" test isEmpty() first.
    bool contains(const QHostAddress &address) const;

    bool isEmpty() const { return m_networks.isEmpty(); }
    qsizetype size() const { return m_networks.size(); }
    // The entries in canonical form ("10.0.0.0/8", "2001:db8::/32"), in the given order.
    QStringList entries() const;

    // `address` as IPv4 if it is an IPv4-mapped IPv6 address, else unchanged. ("::" is not
    // mapped, although QHostAddress::toIPv4Address() says it converts to 0.0.0.0.)
    static QHostAddress normalized(const QHostAddress &address);

    friend bool operator==(const IpAllowList &a, const IpAllowList &b) { return a.entries() == b.entries(); }

private:
    struct Network
    {
        QHostAddress address;
        int prefixLength = 0;
    };
    QList<Network> m_networks;
};

} // namespace Conflux::Security
