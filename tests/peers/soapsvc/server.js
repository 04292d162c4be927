// Conflux test peer: an order service over SOAP 1.1 and SOAP 1.2 with the `soap` npm package,
// on 127.0.0.1:$PORT. One WSDL service (orders.wsdl), two ports:
//   /soap11/orders   SOAP 1.1: Content-Type text/xml, SOAPAction header
//   /soap12/orders   SOAP 1.2: Content-Type application/soap+xml;action="..."
//   /orders?wsdl     the WSDL (also /soap11/orders?wsdl, /soap12/orders?wsdl, /orders.wsdl)
//   /ready           200 once it serves
// The data lives in memory and is seeded at every start (seed.js); writes last until the peer
// stops.
//
// The soap package is lenient about what it accepts (any envelope namespace, unqualified
// elements, no action), so a check runs before it and answers a SOAP fault of the port's
// version for what a strict SOAP stack refuses: a wrong Content-Type (415), malformed XML, the
// other SOAP version's envelope (VersionMismatch), a missing or wrong action, an element of the
// body outside the target namespace (the schema qualifies local elements).
//
// Run: PORT=... node server.js
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const express = require('express');
const sax = require('sax');
const soap = require('soap');
const { seedOrders } = require('./seed');

const port = Number(process.env.PORT);
if (!port) {
    console.error('server.js: PORT must be set');
    process.exit(2);
}

const TNS = 'urn:conflux:test:orders';
const SOAP11_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';
const SOAP12_ENV = 'http://www.w3.org/2003/05/soap-envelope';
const OPERATIONS = ['ListOrders', 'GetOrder', 'CreateOrder', 'UpdateOrder', 'DeleteOrder'];
const actionOf = op => `${TNS}/${op}`;

const wsdlXml = fs.readFileSync(path.join(__dirname, 'orders.wsdl'), 'utf8')
    .replaceAll('http://127.0.0.1:8000/', `http://127.0.0.1:${port}/`);

// ---------------------------------------------------------------------------------------
// data

const orders = new Map(seedOrders().map(o => [o.id, o]));
let nextId = Math.max(...orders.keys()) + 1;
let lastStamp = 0;

// A changedAt that grows with every write, so incremental reads see each change once.
function stamp() {
    const now = Math.max(Date.now(), lastStamp + 1);
    lastStamp = now;
    return new Date(now).toISOString();
}

class Fault extends Error {
    constructor(code, message, orderId, fields) {
        super(message);
        this.code = code;           // NOT_FOUND, INVALID
        this.orderId = orderId;
        this.fields = fields || [];
    }
}

// The soap package hands values over as strings, numbers, booleans or Dates (xsd:date and
// xsd:dateTime), and an element with attributes as an object with $value.
function text(v) {
    if (v === undefined || v === null)
        return '';
    if (v instanceof Date)
        return Number.isNaN(v.getTime()) ? 'invalid date' : v.toISOString();
    if (typeof v === 'object' && '$value' in v)
        return text(v.$value);
    return String(v);
}
const asList = v => v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];

function intArg(value, name, { min = 0, optional = true } = {}) {
    if (value === undefined || value === null || text(value) === '') {
        if (optional)
            return undefined;
        throw new Fault('INVALID', `${name} is required`, undefined, [name]);
    }
    const t = text(value).trim();
    if (!/^[+-]?\d+$/.test(t) || Number(t) < min)
        throw new Fault('INVALID', `${name} must be a whole number >= ${min}, not "${t}"`, undefined, [name]);
    return Number(t);
}

function boolArg(value, name) {
    const t = text(value).trim();
    if (t === 'true' || t === '1')
        return true;
    if (t === 'false' || t === '0')
        return false;
    throw new Fault('INVALID', `${name} must be true or false, not "${t}"`, undefined, [name]);
}

// An order of a request (create or update) checked and normalised.
function orderFromArgs(o, { requireId }) {
    if (!o || typeof o !== 'object')
        throw new Fault('INVALID', 'order is required', undefined, ['order']);
    const bad = [];
    const id = intArg(o.id, 'id', { min: 1, optional: !requireId });
    const customer = text(o.customer).trim();
    if (!customer)
        bad.push('customer');
    const status = text(o.status).trim();
    if (!['open', 'shipped', 'cancelled'].includes(status))
        bad.push('status');
    // xsd:date arrives as a Date at midnight UTC
    const orderDate = o.orderDate instanceof Date ? text(o.orderDate).slice(0, 10) : text(o.orderDate).trim();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(orderDate))
        bad.push('orderDate');
    const items = asList(o.item).map((it, i) => {
        const sku = text(it && it.sku).trim();
        const quantity = Number(text(it && it.quantity));
        const price = text(it && it.price).trim();
        if (!sku)
            bad.push(`item[${i}].sku`);
        if (!Number.isInteger(quantity) || quantity <= 0)
            bad.push(`item[${i}].quantity`);
        if (!/^-?\d+(\.\d+)?$/.test(price))
            bad.push(`item[${i}].price`);
        return { line: i + 1, sku, quantity, price: Number(price) };
    });
    if (items.length === 0)
        bad.push('item');
    if (bad.length > 0)
        throw new Fault('INVALID', `invalid order: ${bad.join(', ')}`, id, bad);
    const attrs = o.attributes || {};
    // A nil note (xsi:nil="true") arrives as an object with the xsi attribute.
    const noteNil = o.note && typeof o.note === 'object' && !('$value' in o.note);
    return {
        id,
        currency: text(attrs.currency).trim() || 'EUR',
        customer,
        status,
        orderDate,
        express: o.express === undefined ? false : boolArg(o.express, 'express'),
        note: o.note === undefined || noteNil ? null : text(o.note),
        items,
    };
}

const totalOf = items => Math.round(items.reduce((s, it) => s + it.quantity * it.price * 100, 0)) / 100;

// An order as the soap package serialises it (element order from the schema).
function orderOut(o) {
    const out = {
        attributes: { currency: o.currency },
        id: o.id,
        customer: o.customer,
        status: o.status,
        orderDate: o.orderDate,
        total: totalOf(o.items).toFixed(2),
        express: o.express,
    };
    out.note = o.note;
    out.changedAt = o.changedAt;
    out.item = o.items.map(it => ({
        attributes: { line: it.line },
        sku: it.sku,
        quantity: it.quantity,
        price: it.price.toFixed(2),
    }));
    return out;
}

function find(id) {
    const o = orders.get(id);
    if (!o)
        throw new Fault('NOT_FOUND', `Order ${id} does not exist`, id);
    return o;
}

const handlers = {
    ListOrders(args) {
        const offset = intArg(args.offset, 'offset') ?? 0;
        const limit = intArg(args.limit, 'limit', { min: 1 }) ?? 20;
        if (limit > 100)
            throw new Fault('INVALID', `limit must be at most 100, not ${limit}`, undefined, ['limit']);
        const since = text(args.changedSince).trim();
        let sinceMs;
        if (since) {
            sinceMs = Date.parse(since);
            if (Number.isNaN(sinceMs))
                throw new Fault('INVALID', `changedSince is not a dateTime: "${since}"`, undefined, ['changedSince']);
        }
        const status = text(args.status).trim();
        const all = [...orders.values()]
            .filter(o => sinceMs === undefined || Date.parse(o.changedAt) > sinceMs)
            .filter(o => !status || o.status === status)
            .sort((a, b) => Date.parse(a.changedAt) - Date.parse(b.changedAt) || a.id - b.id);
        return { total: all.length, order: all.slice(offset, offset + limit).map(orderOut) };
    },
    GetOrder(args) {
        return { order: orderOut(find(intArg(args.id, 'id', { min: 1, optional: false }))) };
    },
    CreateOrder(args) {
        const o = orderFromArgs(args.order, { requireId: false });
        o.id = nextId++;
        o.changedAt = stamp();
        orders.set(o.id, o);
        return { id: o.id, changedAt: o.changedAt };
    },
    UpdateOrder(args) {
        const o = orderFromArgs(args.order, { requireId: true });
        find(o.id);
        o.changedAt = stamp();
        orders.set(o.id, o);
        return { updated: true, changedAt: o.changedAt };
    },
    DeleteOrder(args) {
        const id = intArg(args.id, 'id', { min: 1, optional: false });
        find(id);
        orders.delete(id);
        return { deleted: true };
    },
};

// ---------------------------------------------------------------------------------------
// faults

const esc = s => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function faultDetailXml(f) {
    return `<tns:orderFault xmlns:tns="${TNS}"><tns:code>${esc(f.code)}</tns:code>`
        + (f.orderId !== undefined ? `<tns:orderId>${f.orderId}</tns:orderId>` : '')
        + f.fields.map(x => `<tns:field>${esc(x)}</tns:field>`).join('')
        + '</tns:orderFault>';
}

const subcodeOf = code => code === 'NOT_FOUND' ? 'tns:OrderNotFound' : 'tns:InvalidOrder';

// What the soap package turns into a fault of the listener's SOAP version.
function soapFault(version, f) {
    if (version === 11) {
        return {
            Fault: {
                faultcode: 'soap:Client',
                faultstring: f.message,
                detail: { $xml: faultDetailXml(f) },
                statusCode: 500,
            },
        };
    }
    // SOAP 1.2 over HTTP: a Sender fault is 400 Bad Request (SOAP 1.2 part 2, table 20).
    return {
        Fault: {
            Code: { Value: 'soap:Sender', Subcode: { Value: subcodeOf(f.code) } },
            Reason: { Text: { attributes: { 'xml:lang': 'en' }, $value: f.message } },
            Detail: { $xml: faultDetailXml(f) },
            statusCode: 400,
        },
    };
}

function service(version) {
    const ops = {};
    for (const [name, fn] of Object.entries(handlers)) {
        ops[name] = args => {
            try {
                return fn(args || {});
            } catch (e) {
                if (e instanceof Fault)
                    throw soapFault(version, e);
                throw e;
            }
        };
    }
    return { OrderService: { OrderPortSoap11: ops, OrderPortSoap12: ops } };
}

// A fault written here, for requests the check refuses before the soap package sees them.
function faultXml(version, code, reason, subcode) {
    if (version === 11) {
        return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP11_ENV}"><soap:Body>`
            + `<soap:Fault><faultcode>soap:${code}</faultcode><faultstring>${esc(reason)}</faultstring></soap:Fault>`
            + '</soap:Body></soap:Envelope>';
    }
    // VersionMismatch names the envelope this node understands in an Upgrade header block.
    const header = code === 'VersionMismatch'
        ? `<env:Header><env:Upgrade><env:SupportedEnvelope qname="ns:Envelope" xmlns:ns="${SOAP12_ENV}"/></env:Upgrade></env:Header>`
        : '';
    return `<?xml version="1.0" encoding="utf-8"?><env:Envelope xmlns:env="${SOAP12_ENV}">${header}<env:Body>`
        + `<env:Fault><env:Code><env:Value>env:${code}</env:Value>`
        + (subcode ? `<env:Subcode><env:Value xmlns:tns="${TNS}">tns:${subcode}</env:Value></env:Subcode>` : '')
        + `</env:Code><env:Reason><env:Text xml:lang="en">${esc(reason)}</env:Text></env:Reason></env:Fault>`
        + '</env:Body></env:Envelope>';
}

// ---------------------------------------------------------------------------------------
// the strict check in front of the soap package

// Parameters of a media type: 'application/soap+xml; charset=utf-8; action="x"' ->
// { type: 'application/soap+xml', params: { charset: 'utf-8', action: 'x' } }
function mediaType(header) {
    const parts = (header || '').split(';');
    const params = {};
    for (const p of parts.slice(1)) {
        const eq = p.indexOf('=');
        if (eq < 0)
            continue;
        let v = p.slice(eq + 1).trim();
        if (v.startsWith('"') && v.endsWith('"') && v.length >= 2)
            v = v.slice(1, -1).replace(/\\(.)/g, '$1');
        params[p.slice(0, eq).trim().toLowerCase()] = v;
    }
    return { type: parts[0].trim().toLowerCase(), params };
}

class Refusal {
    constructor(code, reason, subcode) {
        Object.assign(this, { code, reason, subcode });
    }
}

// Reads the envelope with namespaces; returns the operation's local name or throws a Refusal.
function checkEnvelope(xml, version) {
    const envNs = version === 11 ? SOAP11_ENV : SOAP12_ENV;
    const parser = sax.parser(true, { xmlns: true, position: true });
    const stack = [];
    let operation;
    let problem;
    const where = () => `line ${parser.line + 1}, column ${parser.column}`;
    // Thrown out of write()/close(), which stops the parser.
    parser.onerror = e => {
        throw new Refusal('Client', `invalid XML: ${e.message.split('\n')[0]} (${where()})`);
    };
    parser.ondoctype = () => {
        if (!problem)
            problem = new Refusal('Client', 'a DOCTYPE is not allowed in a SOAP message');
    };
    parser.onopentag = node => {
        if (problem)
            return;
        const depth = stack.length;
        stack.push(node.local);
        if (depth === 0) {
            if (node.local !== 'Envelope' || (node.uri !== SOAP11_ENV && node.uri !== SOAP12_ENV)) {
                problem = new Refusal('Client', `not a SOAP envelope: root element {${node.uri}}${node.local}`);
            } else if (node.uri !== envNs) {
                problem = new Refusal('VersionMismatch', `this port speaks SOAP ${version === 11 ? '1.1' : '1.2'}; `
                    + `the envelope is in namespace ${node.uri}`);
            }
            return;
        }
        if (depth === 1 && node.uri === envNs && node.local === 'Body')
            stack[1] = '#body';
        if (stack[1] !== '#body' || depth < 2)
            return;
        if (node.uri !== TNS) {
            problem = new Refusal('Client', `element <${node.name}> at ${where()} must be in namespace ${TNS} `
                + '(the schema qualifies local elements)', 'InvalidOrder');
            return;
        }
        for (const a of Object.values(node.attributes)) {
            if (a.uri && a.uri !== 'http://www.w3.org/2001/XMLSchema-instance' && a.prefix !== 'xmlns' && a.name !== 'xmlns') {
                problem = new Refusal('Client', `attribute ${a.name} of <${node.name}> must not be qualified`, 'InvalidOrder');
                return;
            }
        }
        if (depth === 2) {
            if (operation !== undefined)
                problem = new Refusal('Client', `the Body holds more than one element (<${node.name}> at ${where()})`);
            else if (!OPERATIONS.includes(node.local))
                problem = new Refusal('Client', `unknown operation ${node.local}`);
            operation = node.local;
        }
    };
    parser.onclosetag = () => stack.pop();
    parser.write(xml).close();
    if (problem)
        throw problem;
    if (stack.length > 0 || operation === undefined)
        throw new Refusal('Client', operation === undefined ? 'the SOAP Body holds no operation element'
            : 'the document ends early');
    return operation;
}

function precheck(version) {
    return (req, res, next) => {
        const refuse = (status, r) => {
            const code = version === 11 ? r.code : (r.code === 'Client' ? 'Sender' : r.code);
            const http = version === 12 && code === 'Sender' ? 400 : status;
            res.status(http).type(version === 11 ? 'text/xml; charset=utf-8' : 'application/soap+xml; charset=utf-8')
                .send(faultXml(version, code, r.reason, r.subcode));
        };
        const ct = mediaType(req.get('content-type'));
        const expected = version === 11 ? 'text/xml' : 'application/soap+xml';
        if (ct.type !== expected) {
            return res.status(415).type('text/plain')
                .send(`SOAP ${version === 11 ? '1.1' : '1.2'} expects Content-Type ${expected}, not "${ct.type}"\n`);
        }
        const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
        if (!body.trim())
            return refuse(500, new Refusal('Client', 'empty request body: a SOAP envelope was expected'));
        let operation;
        try {
            operation = checkEnvelope(body, version);
        } catch (e) {
            if (!(e instanceof Refusal))
                throw e;
            return refuse(500, e);
        }
        let action;
        if (version === 11) {
            action = req.get('soapaction');
            if (action === undefined)
                return refuse(500, new Refusal('Client', 'the SOAPAction header is missing'));
            action = action.trim().replace(/^"(.*)"$/, '$1');
        } else {
            action = ct.params.action;
            if (action === undefined)
                return refuse(500, new Refusal('Client', 'the Content-Type has no action parameter'));
        }
        if (action !== actionOf(operation)) {
            return refuse(500, new Refusal('Client', `the action "${action}" is not the one of ${operation} `
                + `("${actionOf(operation)}")`));
        }
        return next();
    };
}

// ---------------------------------------------------------------------------------------
// HTTP

const app = express();
app.disable('x-powered-by');
app.get('/ready', (req, res) => res.type('text/plain').send('ready\n'));
const sendWsdl = (req, res) => res.type('text/xml; charset=utf-8').send(wsdlXml);
app.get('/orders.wsdl', sendWsdl);
app.get('/orders', (req, res, next) => (/^wsdl$/i.test(Object.keys(req.query)[0] || '') ? sendWsdl(req, res) : next()));
for (const version of [11, 12]) {
    const p = `/soap${version}/orders`;
    app.get(p, (req, res, next) => (/^wsdl$/i.test(Object.keys(req.query)[0] || '') ? sendWsdl(req, res) : next()));
    app.post(p, express.raw({ type: () => true, limit: '20mb' }), precheck(version));
}

app.use((err, req, res, next) => { // eslint-disable-line no-unused-vars
    console.error(err);
    res.status(err.status || 500).type('text/plain').send(`${err.message}\n`);
});

for (const version of [11, 12]) {
    const server = soap.listen(app, {
        path: `/soap${version}/orders`,
        services: service(version),
        xml: wsdlXml,
        forceSoap12Headers: version === 12,
        suppressStack: true,
    });
    // soap 1.13.0 writes a null value of a nillable element as <note xsi:nil="true"> without
    // declaring the xsi prefix (it leaves www.w3.org namespaces out of the envelope): declare
    // it on the envelope, or the answer is not namespace-well-formed.
    server.on('response', response => {
        if (typeof response.result === 'string' && response.result.includes(' xsi:nil=')
            && !response.result.includes('xmlns:xsi=')) {
            response.result = response.result.replace(/<soap:Envelope /,
                '<soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ');
        }
    });
    server.log = (type, data) => {
        if (type === 'error')
            console.error(`soap ${version}:`, data);
    };
}

app.listen(port, '127.0.0.1', () => {
    console.log(`conflux soap order service ready at http://127.0.0.1:${port} (SOAP 1.1 /soap11/orders, `
        + 'SOAP 1.2 /soap12/orders, WSDL /orders?wsdl)');
});

// All state is in memory and disposable: stop at once.
process.on('SIGTERM', () => process.exit(0));
