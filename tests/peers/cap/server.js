// SAP CAP test peer for Conflux: the SalesService (srv/service.cds) as OData v4 at
// /odata/v4/sales/ and as OData v2 at /odata/v2/sales/ (odata-v2-adapter), on
// 127.0.0.1:$PORT, in-memory SQLite filled from db/data/*.csv at every start.
//
// In front of both protocols sit what SAP Gateway does on every OData service:
//   - HTTP Basic authentication of one user ($CAP_USER / $CAP_PASSWORD), 401 otherwise;
//   - CSRF protection: GET/HEAD with "X-CSRF-Token: Fetch" answers a token in the
//     X-CSRF-Token response header and sets a session cookie; a modifying request
//     (POST/PUT/PATCH/MERGE/DELETE, $batch included) needs that token in X-CSRF-Token AND
//     the session cookie, else 403 with "X-CSRF-Token: Required".
//
// Run: PORT=... CAP_USER=... CAP_PASSWORD=... node server.js   (cwd does not matter)
'use strict';

const path = require('node:path');
const crypto = require('node:crypto');

const user = process.env.CAP_USER;
const password = process.env.CAP_PASSWORD;
if (!user || !password) {
    console.error('server.js: CAP_USER and CAP_PASSWORD must be set');
    process.exit(2);
}

// cds reads its configuration from the project folder and from CDS_CONFIG; both must be in
// place before @sap/cds is loaded. Only the configured user exists (kind "basic" has no
// built-in mock users).
process.chdir(__dirname);
process.env.CDS_CONFIG = JSON.stringify({
    requires: {
        auth: { kind: 'basic', users: { [user]: { password, roles: ['authenticated-user'] } } },
    },
});

const cds = require('@sap/cds');
const express = require('express');

const SESSION_COOKIE = 'SAP_SESSIONID_CFX_100';
const MODIFYING = new Set(['POST', 'PUT', 'PATCH', 'MERGE', 'DELETE']);
const sessions = new Map(); // session id -> CSRF token

function cookieValue(req, name) {
    const header = req.headers.cookie;
    if (!header)
        return undefined;
    for (const part of header.split(';')) {
        const eq = part.indexOf('=');
        if (eq > 0 && part.slice(0, eq).trim() === name)
            return part.slice(eq + 1).trim();
    }
    return undefined;
}

function timingSafeEqualText(a, b) {
    const x = Buffer.from(String(a));
    const y = Buffer.from(String(b));
    return x.length === y.length && crypto.timingSafeEqual(x, y);
}

function basicAuthOk(req) {
    const auth = req.headers.authorization || '';
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(auth);
    if (!m)
        return false;
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0)
        return false;
    return timingSafeEqualText(decoded.slice(0, colon), user)
        && timingSafeEqualText(decoded.slice(colon + 1), password);
}

// SAP Gateway style authentication + CSRF protection for everything under /odata/.
function gateway(req, res, next) {
    if (!req.path.startsWith('/odata/'))
        return next();
    if (!basicAuthOk(req)) {
        res.set('WWW-Authenticate', 'Basic realm="SAP NetWeaver Application Server [CFX/100]"');
        return res.status(401).type('text/plain').send('Logon failed: user or password wrong');
    }
    const method = req.method.toUpperCase();
    const tokenHeader = req.get('X-CSRF-Token');
    if (method === 'GET' || method === 'HEAD') {
        if (tokenHeader && tokenHeader.toLowerCase() === 'fetch') {
            let sid = cookieValue(req, SESSION_COOKIE);
            if (!sid || !sessions.has(sid)) {
                sid = crypto.randomBytes(24).toString('base64url');
                sessions.set(sid, crypto.randomBytes(18).toString('base64'));
                res.cookie(SESSION_COOKIE, sid, { httpOnly: true, path: '/' });
            }
            res.set('X-CSRF-Token', sessions.get(sid));
        }
        return next();
    }
    if (MODIFYING.has(method)) {
        const sid = cookieValue(req, SESSION_COOKIE);
        const expected = sid && sessions.get(sid);
        if (!expected || !tokenHeader || !timingSafeEqualText(tokenHeader, expected)) {
            res.set('X-CSRF-Token', 'Required');
            return res.status(403).type('text/plain').send('CSRF token validation failed');
        }
    }
    return next();
}

cds.on('bootstrap', app => {
    app.use(gateway);
    // The adapter translates OData v2 to v4 and forwards over HTTP to this same server, so
    // forwarded requests pass the gateway check again with the client's own headers/cookie.
    const cov2ap = require('@cap-js-community/odata-v2-adapter');
    app.use(cov2ap({
        path: 'odata/v2',
        targetPath: 'odata/v4',
        target: `http://127.0.0.1:${process.env.PORT}`,
        registerOnListening: false,
    }));
});

// cds.server listens on all interfaces; a test peer listens on loopback only.
module.exports = options => {
    const app = express();
    const listen = app.listen;
    app.listen = (port, ...rest) => listen.call(app, port, '127.0.0.1', ...rest);
    return cds.server({ ...options, app });
};

if (require.main === module) {
    // The database is in memory and disposable: stop at once instead of cds' graceful
    // shutdown, which waits for the adapter's keep-alive connections.
    process.on('SIGTERM', () => process.exit(0));
    const port = process.env.PORT;
    if (!port) {
        console.error('server.js: PORT must be set');
        process.exit(2);
    }
    // cds-serve loads this file again as the project's server.js (it is cached, so only the
    // exports above are used), loads the models, fills the in-memory database and listens.
    cds.exec('--in-memory', '--port', port).then(({ url }) => {
        console.log(`conflux sap cap peer ready at ${url}`);
    }, err => {
        console.error('server.js: cannot start:', err);
        process.exit(1);
    });
}
