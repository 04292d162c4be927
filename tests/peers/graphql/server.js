// GraphQL test peer for Conflux's GraphQL connector, on 127.0.0.1:$PORT:
//   POST /graphql   GraphQL over HTTP (graphql-http): JSON body {query, variables, operationName};
//                   answers application/graphql-response+json (400 for documents that do not
//                   parse or validate) or application/json (always 200), by the Accept header
//   GET  /graphql   the same for queries (?query=…&variables=…); mutations over GET are 405
//   GET  /ready     200 once the server serves
// Schema: schema.graphql (customers as a Relay connection and as an offset list, one customer,
// create/update/delete mutations, an enum, nested objects, a non-null list, the custom scalar
// DateTime, and Customer.riskScore, which always fails). Data: 25 seeded customers (data.js),
// in memory: writes last until the peer stops, and every start serves the same data.
//
// When $GRAPHQL_TOKEN is set, /graphql needs "Authorization: Bearer $GRAPHQL_TOKEN" (401 with
// WWW-Authenticate: Bearer otherwise); without it there is no logon.
//
// Run: PORT=... [GRAPHQL_TOKEN=...] node server.js
'use strict';

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const crypto = require('node:crypto');
const { buildSchema, GraphQLError, Kind } = require('graphql');
const { createHandler } = require('graphql-http/lib/use/http');
const { seedCustomers } = require('./data');

const port = Number(process.env.PORT);
const token = process.env.GRAPHQL_TOKEN || '';
if (!port) {
    console.error('server.js: PORT must be set');
    process.exit(2);
}

const schema = buildSchema(fs.readFileSync(path.join(__dirname, 'schema.graphql'), 'utf8'));

// ---------------------------------------------------------------------------------------
// DateTime: RFC 3339 text with a zone ("Z" or ±hh:mm); answered as UTC with milliseconds.

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

function parseDateTime(text) {
    if (typeof text !== 'string' || !RFC3339.test(text) || Number.isNaN(Date.parse(text)))
        throw new GraphQLError(`DateTime must be RFC 3339 text with a zone, such as "2024-01-05T08:00:00Z", not ${JSON.stringify(text)}`);
    return new Date(Date.parse(text));
}

Object.assign(schema.getType('DateTime'), {
    serialize(value) {
        if (value instanceof Date && !Number.isNaN(value.getTime()))
            return value.toISOString();
        return parseDateTime(value).toISOString();
    },
    parseValue: parseDateTime,
    parseLiteral(ast) {
        if (ast.kind !== Kind.STRING)
            throw new GraphQLError(`DateTime must be a string, not a ${ast.kind} literal`, { nodes: ast });
        return parseDateTime(ast.value);
    },
});

// ---------------------------------------------------------------------------------------
// the store

let customers = seedCustomers();
let nextNumber = customers.length + 1;
let lastUpdate = 0;

// Strictly increasing modification times, so that incremental reads never miss a change.
function tick() {
    lastUpdate = Math.max(Date.now(), lastUpdate + 1);
    return new Date(lastUpdate);
}

function badInput(message) {
    return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

function checkRange(name, value, min, max) {
    if (!Number.isInteger(value) || value < min || value > max)
        throw badInput(`${name} must be from ${min} to ${max}, not ${value}`);
}

// Cursors are opaque to clients: base64 of "<order>|<sort key>|<id>". A cursor stays valid when
// its customer is deleted: the next page starts after its position.
function cursorOf(order, c) {
    const key = order === 'updated' ? String(c.updatedAt.getTime()) : c.id;
    return Buffer.from(`${order}|${key}|${c.id}`, 'utf8').toString('base64');
}

function parseCursor(order, cursor) {
    const parts = Buffer.from(String(cursor), 'base64').toString('utf8').split('|');
    if (parts.length !== 3 || parts[0] !== order || !parts[2])
        throw badInput(`invalid cursor ${JSON.stringify(cursor)}`);
    return { key: order === 'updated' ? Number(parts[1]) : parts[1], id: parts[2] };
}

function compareBy(order) {
    if (order === 'updated')
        return (a, b) => (a.updatedAt - b.updatedAt) || a.id.localeCompare(b.id);
    return (a, b) => a.id.localeCompare(b.id);
}

function isAfter(order, c, pos) {
    if (order === 'updated') {
        const t = c.updatedAt.getTime();
        return t > pos.key || (t === pos.key && c.id > pos.id);
    }
    return c.id > pos.id;
}

function applyInput(target, input, creating) {
    for (const [key, value] of Object.entries(input)) {
        if (value === null && (key === 'name' || key === 'status'))
            throw badInput(`input.${key} cannot be null`);
        if (key === 'name' && !String(value).trim())
            throw badInput('input.name cannot be empty');
        if (key === 'email' && value !== null && !/^[^@\s]+@[^@\s]+$/.test(value))
            throw badInput(`input.email ${JSON.stringify(value)} is not an e-mail address`);
        if (key === 'tags') {
            target.tags = value === null ? [] : [...value];
        } else if (key === 'address') {
            target.address = value === null ? null : {
                street: value.street ?? null,
                city: value.city,
                postalCode: value.postalCode ?? null,
                country: value.country,
            };
        } else {
            target[key] = value;
        }
    }
    if (creating && !target.name)
        throw badInput('createCustomer: input.name is required');
}

const rootValue = {
    customers({ first, after, updatedSince, status }) {
        checkRange('first', first, 0, 100);
        const order = updatedSince ? 'updated' : 'id';
        let list = customers.filter(c => (!updatedSince || c.updatedAt > updatedSince) && (!status || c.status === status));
        list.sort(compareBy(order));
        const total = list.length;
        if (after !== undefined && after !== null) {
            const pos = parseCursor(order, after);
            list = list.filter(c => isAfter(order, c, pos));
        }
        const page = list.slice(0, first);
        const edges = page.map(c => ({ cursor: cursorOf(order, c), node: c }));
        return {
            edges,
            pageInfo: {
                hasNextPage: list.length > page.length,
                hasPreviousPage: list.length < total,
                startCursor: edges.length ? edges[0].cursor : null,
                endCursor: edges.length ? edges[edges.length - 1].cursor : null,
            },
            totalCount: total,
        };
    },
    customerList({ offset, limit }) {
        checkRange('offset', offset, 0, 1e9);
        checkRange('limit', limit, 0, 100);
        return [...customers].sort(compareBy('id')).slice(offset, offset + limit);
    },
    customer({ id }) {
        return customers.find(c => c.id === id) || null;
    },
    serverTime() {
        return new Date();
    },
    createCustomer({ input }) {
        const c = {
            id: '', name: '', email: null, status: 'PROSPECT', creditLimit: null, employees: null, tags: [],
            address: null, orders: [],
        };
        applyInput(c, input, true);
        c.id = `cust-${String(nextNumber++).padStart(3, '0')}`;
        c.createdAt = tick();
        c.updatedAt = c.createdAt;
        customers.push(c);
        return c;
    },
    updateCustomer({ id, input }) {
        const c = customers.find(x => x.id === id);
        if (!c)
            return null;
        const changed = { ...c };
        applyInput(changed, input, false); // all or nothing
        Object.assign(c, changed, { updatedAt: tick() });
        return c;
    },
    deleteCustomer({ id }) {
        const before = customers.length;
        customers = customers.filter(c => c.id !== id);
        return customers.length < before;
    },
};

const customerFields = schema.getType('Customer').getFields();
customerFields.orders.resolve = (c, { first }) => {
    checkRange('first', first, 0, 100);
    return c.orders.slice(0, first);
};
customerFields.riskScore.resolve = c => {
    throw new GraphQLError(`risk scoring is unavailable for customer ${c.id}`, {
        extensions: { code: 'RISK_SERVICE_UNAVAILABLE' },
    });
};

// ---------------------------------------------------------------------------------------
// HTTP

const graphqlHandler = createHandler({ schema, rootValue });

function sameText(a, b) {
    const x = Buffer.from(String(a));
    const y = Buffer.from(String(b));
    return x.length === y.length && crypto.timingSafeEqual(x, y);
}

const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://peer');
    res.on('finish', () => console.log(`${req.method} ${url.pathname} -> ${res.statusCode}`));
    if (url.pathname === '/ready' && (req.method === 'GET' || req.method === 'HEAD')) {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ready\n');
        return;
    }
    if (url.pathname !== '/graphql') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end(`no resource at ${url.pathname}; GraphQL is at /graphql\n`);
        return;
    }
    if (token) {
        const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization || '');
        if (!m || !sameText(m[1], token)) {
            res.writeHead(401, {
                'content-type': 'application/json; charset=utf-8',
                'www-authenticate': 'Bearer realm="conflux-graphql-peer"',
            }).end(JSON.stringify({ errors: [{ message: m ? 'invalid bearer token' : 'a bearer token is required' }] }));
            return;
        }
    }
    graphqlHandler(req, res);
});

server.listen(port, '127.0.0.1', () => {
    console.log(`conflux graphql peer ready at http://127.0.0.1:${port}/graphql (${customers.length} customers, `
        + `${token ? 'bearer token required' : 'no logon'})`);
});

// All state is in memory and disposable: stop at once.
process.on('SIGTERM', () => process.exit(0));
