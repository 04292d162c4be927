#pragma once

#include <QStringList>

namespace Conflux::Security {

// Route authorization from what a credential grants (API key record, JWT "scope"/"scp",
// Basic user) and what a route requires. Names compare exactly and case-sensitively (OAuth
// scope tokens are case-sensitive, RFC 6749 §3.3); there are no wildcards or hierarchies.

// True if every required scope is granted. Nothing required: true.
inline bool hasScopes(const QStringList &granted, const QStringList &required)
{
    for (const QString &scope : required) {
        if (!granted.contains(scope))
            return false;
    }
    return true;
}

// True if at least one of the accepted roles is granted. No roles accepted (the route does
// not restrict by role): true.
inline bool hasAnyRole(const QStringList &granted, const QStringList &accepted)
{
    if (accepted.isEmpty())
        return true;
    for (const QString &role : accepted) {
        if (granted.contains(role))
            return true;
    }
    return false;
}

// What a route demands: all of `scopes` and any one of `roles`.
struct RouteRequirements
{
    QStringList scopes;
    QStringList roles;

    bool isSatisfiedBy(const QStringList &grantedScopes, const QStringList &grantedRoles) const
    {
        return hasScopes(grantedScopes, scopes) && hasAnyRole(grantedRoles, roles);
    }
};

} // namespace Conflux::Security
