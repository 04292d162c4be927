// SAP SOAP RFC + IDoc XML test peer for Conflux, shaped like an SAP NetWeaver ABAP system's
// ICF services, on 127.0.0.1:$PORT:
//   /sap/bc/soap/rfc     SOAP 1.1 document/literal (soap npm package, WSDL in rfc.wsdl;
//                        the WSDL at /sap/bc/soap/rfc?wsdl and /sap/bc/soap/wsdl11)
//   /sap/bc/idoc_xml     IDoc-XML inbound (POST)
//   /test/idocs          what the IDoc inbound received (GET as JSON, DELETE to clear)
// Users log on with HTTP Basic ($SAP_USER, case-insensitive like SAP, / $SAP_PASSWORD) in
// client $SAP_CLIENT (?sap-client=NNN or the sap-client header; absent means that client).
//
// Stateful sessions as with SAP's SOAP runtime: a call with ?sap-sessioncmd=open starts a
// session and sets the cookie SAP_SESSIONID_CFX_<client>; later calls that send the cookie run
// in that session; ?sap-sessioncmd=close ends it. Changes a BAPI makes
// (BAPI_CUSTOMER_CREATEFROMDATA1) stay pending in the session until BAPI_TRANSACTION_COMMIT;
// BAPI_TRANSACTION_ROLLBACK, closing the session, or a call without a session discards them.
//
// Run: PORT=... SAP_USER=... SAP_PASSWORD=... SAP_CLIENT=100 node server.js
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const express = require('express');
const soap = require('soap');
const { vendors, customers, tables } = require('./data');
const { parseIdocXml, parseXml, localName, IdocError } = require('./idoc');

const port = Number(process.env.PORT);
const sapUser = process.env.SAP_USER;
const sapPassword = process.env.SAP_PASSWORD;
const sapClient = process.env.SAP_CLIENT || '100';
if (!port || !sapUser || !sapPassword) {
    console.error('server.js: PORT, SAP_USER and SAP_PASSWORD must be set');
    process.exit(2);
}

const RFC_NS = 'urn:sap-com:document:sap:rfc:functions';
const SESSION_COOKIE = `SAP_SESSIONID_CFX_${sapClient}`;
const SESSION_IDLE_MS = 10 * 60 * 1000;

// ---------------------------------------------------------------------------------------
// logon, client, sessions

function sameText(a, b) {
    const x = Buffer.from(String(a));
    const y = Buffer.from(String(b));
    return x.length === y.length && crypto.timingSafeEqual(x, y);
}

function queryParam(req, name) {
    const url = new URL(req.originalUrl || req.url, 'http://peer');
    for (const [k, v] of url.searchParams) {
        if (k.toLowerCase() === name)
            return v;
    }
    return undefined;
}

function cookieValue(req, name) {
    for (const part of (req.headers.cookie || '').split(';')) {
        const eq = part.indexOf('=');
        if (eq > 0 && part.slice(0, eq).trim() === name)
            return part.slice(eq + 1).trim();
    }
    return undefined;
}

function logon(req, res, next) {
    const client = queryParam(req, 'sap-client') || req.get('sap-client') || sapClient;
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.get('authorization') || '');
    let ok = false;
    if (m) {
        const decoded = Buffer.from(m[1], 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        ok = colon > 0
            && sameText(decoded.slice(0, colon).toUpperCase(), sapUser.toUpperCase())
            && sameText(decoded.slice(colon + 1), sapPassword);
    }
    if (!ok || client !== sapClient) {
        res.set('WWW-Authenticate', `Basic realm="SAP NetWeaver Application Server [CFX/${sapClient}]"`);
        return res.status(401).type('text/plain')
            .send(client !== sapClient ? `Logon failed: client ${client} is not available in this system`
                : 'Logon failed: user or password wrong');
    }
    req.sapClient = client;
    return next();
}

const sessions = new Map(); // id -> { pending: [customer], lastUse }

function newSession() {
    return { pending: [], lastUse: Date.now() };
}

// Attaches req.sapSession: the stateful session of the cookie or one opened now, else a
// throw-away session for this call only (its pending changes are discarded afterwards).
function sessionHandling(req, res, next) {
    const cmd = (queryParam(req, 'sap-sessioncmd') || '').toLowerCase();
    let id = cookieValue(req, SESSION_COOKIE);
    if (id && !sessions.has(id))
        id = undefined;
    if (!id && cmd === 'open') {
        id = crypto.randomBytes(24).toString('base64url');
        sessions.set(id, newSession());
        res.cookie(SESSION_COOKIE, id, { httpOnly: true, path: '/' });
    }
    if (id) {
        req.sapSession = sessions.get(id);
        req.sapSession.lastUse = Date.now();
        if (cmd === 'close') {
            res.on('finish', () => sessions.delete(id));
            res.clearCookie(SESSION_COOKIE, { path: '/' });
        }
    } else {
        req.sapSession = newSession();
    }
    return next();
}

setInterval(() => {
    const now = Date.now();
    for (const [id, s] of sessions) {
        if (now - s.lastUse > SESSION_IDLE_MS)
            sessions.delete(id);
    }
}, 60 * 1000).unref();

// ---------------------------------------------------------------------------------------
// function modules

const text = v => (v === undefined || v === null) ? '' : String(v).trim();
const alpha = (v, len) => /^\d+$/.test(v) ? v.padStart(len, '0') : v; // SAP ALPHA conversion

function emptyStructure(names) {
    return Object.fromEntries(names.map(n => [n, '']));
}
const BAPIRET1 = ['TYPE', 'ID', 'NUMBER', 'MESSAGE', 'LOG_NO', 'LOG_MSG_NO', 'MESSAGE_V1', 'MESSAGE_V2', 'MESSAGE_V3', 'MESSAGE_V4'];
const BAPIRET2 = [...BAPIRET1, 'PARAMETER', 'ROW', 'FIELD', 'SYSTEM'];
const BAPIVENDOR_04 = ['VENDOR', 'NAME', 'NAME_2', 'CITY', 'POSTL_CODE', 'STREET', 'REGION', 'COUNTRY', 'LANGU', 'LANGU_ISO', 'TELEPHONE', 'FAX_NUMBER'];
const BAPIVENDOR_05 = ['VENDOR', 'COMP_CODE', 'PMNTTRMS', 'PYMT_METH', 'RECON_ACCOUNT'];

function message(type, number, msg, vars = []) {
    const r = emptyStructure(BAPIRET1);
    Object.assign(r, { TYPE: type, ID: 'ZCFX', NUMBER: number, MESSAGE: msg });
    vars.forEach((v, i) => { r[`MESSAGE_V${i + 1}`] = v; });
    return r;
}

function bapiVendorGetDetail(args) {
    const vendorNo = alpha(text(args.VENDORNO), 10);
    const companyCode = text(args.COMPANYCODE);
    const result = {
        COMPANYDETAIL: emptyStructure(BAPIVENDOR_05),
        GENERALDETAIL: emptyStructure(BAPIVENDOR_04),
        RETURN: emptyStructure(BAPIRET1),
    };
    const v = vendors.find(x => x.LIFNR === vendorNo);
    if (!v) {
        result.RETURN = message('E', '001', `Vendor ${vendorNo} does not exist`, [vendorNo]);
        return result;
    }
    Object.assign(result.GENERALDETAIL, {
        VENDOR: v.LIFNR, NAME: v.NAME1, CITY: v.ORT01, POSTL_CODE: v.PSTLZ, STREET: v.STRAS,
        REGION: v.REGIO, COUNTRY: v.LAND1, LANGU: v.SPRAS, LANGU_ISO: v.SPRAS_ISO, TELEPHONE: v.TELF1,
    });
    if (companyCode) {
        if (!v.companyCodes.includes(companyCode)) {
            result.RETURN = message('E', '002', `Vendor ${vendorNo} is not created in company code ${companyCode}`,
                [vendorNo, companyCode]);
        } else {
            Object.assign(result.COMPANYDETAIL, {
                VENDOR: v.LIFNR, COMP_CODE: companyCode, PMNTTRMS: companyCode === '1000' ? '0001' : 'ZB30',
                PYMT_METH: 'T', RECON_ACCOUNT: '0000160000',
            });
        }
    }
    return result;
}

function rfcFault(fm, name, detailText) {
    const esc = s => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    return {
        Fault: {
            faultcode: 'soap:Client',
            faultstring: name,
            detail: {
                $xml: `<rfc:${fm}.Exception xmlns:rfc="${RFC_NS}"><Name>${name}</Name>`
                    + `<Text>${esc(detailText)}</Text></rfc:${fm}.Exception>`,
            },
            statusCode: 500,
        },
    };
}

const asItems = table => {
    if (!table || typeof table !== 'object')
        return [];
    const item = table.item;
    return item === undefined ? [] : Array.isArray(item) ? item : [item];
};

// WHERE clause of RFC_READ_TABLE's OPTIONS: FIELD op 'literal' joined by AND / OR (AND binds
// tighter), operators EQ NE LT LE GT GE (or = <> < <= > >=) and LIKE with % and _.
function parseOptions(where, fieldNames) {
    const tokens = [];
    const re = /\s*(?:('(?:[^']|'')*')|(<>|<=|>=|=|<|>)|([A-Za-z_][A-Za-z0-9_]*))/y;
    let pos = 0;
    const src = where.trim();
    while (pos < src.length) {
        re.lastIndex = pos;
        const m = re.exec(src);
        if (!m)
            throw new Error(`cannot read the OPTIONS at "${src.slice(pos, pos + 20)}"`);
        pos = re.lastIndex;
        if (m[1] !== undefined)
            tokens.push({ kind: 'lit', value: m[1].slice(1, -1).replace(/''/g, "'") });
        else if (m[2] !== undefined)
            tokens.push({ kind: 'op', value: m[2] });
        else
            tokens.push({ kind: 'word', value: m[3].toUpperCase() });
        while (pos < src.length && /\s/.test(src[pos]))
            pos++;
    }
    const ops = { EQ: '=', NE: '<>', LT: '<', LE: '<=', GT: '>', GE: '>=', LIKE: 'LIKE',
        '=': '=', '<>': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };
    const disjunction = [[]];
    for (let i = 0; i < tokens.length;) {
        const f = tokens[i], o = tokens[i + 1], v = tokens[i + 2];
        if (!f || f.kind !== 'word' || !fieldNames.includes(f.value))
            throw new Error(`expected a field of the table at token ${i + 1}${f ? ` ("${f.value}")` : ''}`);
        if (!o || !ops[o.value])
            throw new Error(`expected an operator after ${f.value}`);
        if (!v || v.kind !== 'lit')
            throw new Error(`expected a quoted literal after ${f.value} ${o.value}`);
        disjunction[disjunction.length - 1].push({ field: f.value, op: ops[o.value], value: v.value });
        i += 3;
        if (i < tokens.length) {
            const c = tokens[i];
            if (c.kind === 'word' && c.value === 'AND')
                ;
            else if (c.kind === 'word' && c.value === 'OR')
                disjunction.push([]);
            else
                throw new Error(`expected AND or OR, found "${c.value}"`);
            i++;
            if (i >= tokens.length)
                throw new Error('the OPTIONS end after AND/OR');
        }
    }
    const likeRe = p => new RegExp('^' + p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.') + '$', 's');
    const test = (c, value) => {
        const a = value.trimEnd(), b = c.value.trimEnd();
        switch (c.op) {
        case '=': return a === b;
        case '<>': return a !== b;
        case '<': return a < b;
        case '<=': return a <= b;
        case '>': return a > b;
        case '>=': return a >= b;
        default: return likeRe(c.value).test(a);
        }
    };
    if (tokens.length === 0)
        return () => true;
    return row => disjunction.some(conj => conj.every(c => test(c, row[c.field])));
}

function rfcReadTable(args, req) {
    const fm = 'RFC_READ_TABLE';
    const tableName = text(args.QUERY_TABLE).toUpperCase();
    const table = tables[tableName];
    if (!table)
        throw rfcFault(fm, 'TABLE_NOT_AVAILABLE', `Table ${tableName || '(empty)'} is not available`);
    const dictionary = table.fields;
    const allNames = dictionary.map(f => f[0]);
    // DELIMITER is CHAR1; a blank delimiter is no delimiter, as in SAP.
    const delimiter = typeof args.DELIMITER === 'string' ? args.DELIMITER.slice(0, 1).trim() : '';

    let wanted = asItems(args.FIELDS).map(f => text(f && f.FIELDNAME).toUpperCase()).filter(Boolean);
    if (wanted.length === 0)
        wanted = allNames;
    const unknown = wanted.find(n => !allNames.includes(n));
    if (unknown)
        throw rfcFault(fm, 'FIELD_NOT_VALID', `Field ${unknown} does not exist in table ${tableName}`);

    let offset = 0;
    const fields = wanted.map(name => {
        const [, type, length, fieldText] = dictionary.find(f => f[0] === name);
        const f = { FIELDNAME: name, OFFSET: offset, LENGTH: length, TYPE: type, FIELDTEXT: fieldText };
        offset += length + delimiter.length;
        return f;
    });

    const optionItems = asItems(args.OPTIONS);
    const where = optionItems.map(o => (o && typeof o.TEXT === 'string') ? o.TEXT : '').join(' ');
    let matches;
    try {
        matches = parseOptions(where, allNames);
    } catch (e) {
        throw rfcFault(fm, 'OPTION_NOT_VALID', `OPTIONS "${where.trim()}": ${e.message}`);
    }

    const rowSkips = Math.max(0, parseInt(args.ROWSKIPS, 10) || 0);
    const rowCount = Math.max(0, parseInt(args.ROWCOUNT, 10) || 0);
    let rows = table.rows().map(r => ({ ...r, MANDT: req.sapClient })).filter(matches).slice(rowSkips);
    if (rowCount > 0)
        rows = rows.slice(0, rowCount);
    if (text(args.NO_DATA))
        rows = [];

    const pad6 = n => String(n).padStart(6, '0'); // OFFSET and LENGTH are NUMC 6
    return {
        DATA: {
            item: rows.map(r => ({
                // Each value padded/cut to its field's length; like SAP's XML serialisation of a
                // CHAR field, the line itself loses its trailing blanks.
                WA: fields.map(f => String(r[f.FIELDNAME] ?? '').padEnd(f.LENGTH).slice(0, f.LENGTH))
                    .join(delimiter).trimEnd(),
            })),
        },
        FIELDS: {
            item: fields.map(f => ({ ...f, OFFSET: pad6(f.OFFSET), LENGTH: pad6(f.LENGTH) })),
        },
        OPTIONS: { item: optionItems.map(o => ({ TEXT: (o && o.TEXT) || '' })) },
    };
}

let nextCustomer = 200006;

function bapiCustomerCreate(args, req) {
    const data = args.PI_PERSONALDATA || {};
    const ret = emptyStructure(BAPIRET1);
    const lastName = text(data.LASTNAME);
    const country = text(data.COUNTRY).toUpperCase();
    const missing = [];
    if (!lastName)
        missing.push('LASTNAME');
    if (!country)
        missing.push('COUNTRY');
    if (!text(data.CITY))
        missing.push('CITY');
    if (missing.length > 0) {
        Object.assign(ret, message('E', '010', `Fill in the required fields of PI_PERSONALDATA: ${missing.join(', ')}`,
            [missing.join(', ')]));
        return { CUSTOMERNO: '', RETURN: ret };
    }
    if (!/^[A-Z]{2,3}$/.test(country)) {
        Object.assign(ret, message('E', '011', `Country ${country} is not defined`, [country]));
        return { CUSTOMERNO: '', RETURN: ret };
    }
    // The number is drawn at once (as from an SAP number range), the record exists only after
    // BAPI_TRANSACTION_COMMIT in the same session.
    const kunnr = String(nextCustomer++).padStart(10, '0');
    const name = [text(data.FIRSTNAME), lastName].filter(Boolean).join(' ');
    req.sapSession.pending.push({ KUNNR: kunnr, NAME1: name.slice(0, 35), ORT01: text(data.CITY), LAND1: country });
    Object.assign(ret, message('S', '012', `Customer ${kunnr} has been created`, [kunnr]));
    return { CUSTOMERNO: kunnr, RETURN: ret };
}

const emptyBapiret2 = () => ({ ...emptyStructure(BAPIRET2), ROW: 0 });

function bapiTransactionCommit(args, req) {
    customers.push(...req.sapSession.pending);
    req.sapSession.pending = [];
    return { RETURN: emptyBapiret2() };
}

function bapiTransactionRollback(args, req) {
    req.sapSession.pending = [];
    return { RETURN: emptyBapiret2() };
}

const operations = {
    BAPI_VENDOR_GETDETAIL: bapiVendorGetDetail,
    RFC_READ_TABLE: rfcReadTable,
    BAPI_CUSTOMER_CREATEFROMDATA1: bapiCustomerCreate,
    BAPI_TRANSACTION_COMMIT: bapiTransactionCommit,
    BAPI_TRANSACTION_ROLLBACK: bapiTransactionRollback,
};

// soap calls each operation as (args, callback, headers, req); an object with a Fault key
// thrown from it becomes a SOAP fault.
const service = { RFC: { RFCSoap: {} } };
for (const [name, fn] of Object.entries(operations)) {
    service.RFC.RFCSoap[name] = (args, callback, headers, req) => fn(args || {}, req);
}

// The soap package answers a malformed envelope or an unknown operation with a stack trace;
// check both first and answer a SOAP fault that says what is wrong.
function soapFaultXml(faultstring) {
    const esc = t => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    return '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
        + `<soap:Body><soap:Fault><faultcode>soap:Client</faultcode><faultstring>${esc(faultstring)}</faultstring>`
        + '</soap:Fault></soap:Body></soap:Envelope>';
}

function soapProblem(body) {
    if (!body.trim())
        return 'empty request body: a SOAP envelope was expected';
    let root;
    try {
        root = parseXml(body);
    } catch (e) {
        if (!(e instanceof IdocError))
            throw e;
        return `invalid XML: ${e.message.replace(/^not well-formed XML: /, '')}`;
    }
    const soapBody = localName(root.name) === 'Envelope'
        && root.children.find(c => localName(c.name) === 'Body');
    if (!soapBody)
        return `not a SOAP 1.1 envelope: root element <${root.name}> (line ${root.line})`;
    const call = soapBody.children[0];
    if (!call)
        return 'the SOAP Body is empty: expected a function module call';
    if (!Object.hasOwn(operations, localName(call.name)))
        return `function module ${localName(call.name)} is not available (line ${call.line})`;
    return null;
}

function soapPrecheck(req, res, next) {
    const problem = soapProblem(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '');
    if (problem)
        return res.status(500).type('text/xml; charset=utf-8').send(soapFaultXml(problem));
    return next();
}

// ---------------------------------------------------------------------------------------
// IDoc XML inbound

const idocStore = [];
let nextDocnum = 1000001;

function idocInbound(req, res) {
    const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    let parsed;
    try {
        parsed = parseIdocXml(body);
    } catch (e) {
        if (!(e instanceof IdocError))
            throw e;
        res.statusMessage = 'IDoc-XML-inbound error';
        return res.status(400).type('text/plain').send(`IDoc-XML inbound: ${e.message}\n`);
    }
    const docnums = parsed.map(({ control, segments }) => {
        const docnum = String(nextDocnum++).padStart(16, '0');
        idocStore.push({
            docnum,
            senderDocnum: control.DOCNUM || '',
            client: req.sapClient,
            receivedAt: new Date().toISOString(),
            idoctyp: control.IDOCTYP,
            cimtyp: control.CIMTYP || '',
            mestyp: control.MESTYP,
            sndprn: control.SNDPRN || '',
            rcvprn: control.RCVPRN || '',
            control: { ...control, DOCNUM: docnum },
            segments,
        });
        return docnum;
    });
    res.statusMessage = 'IDoc-XML-inbound ok';
    return res.status(200).type('text/plain').send(docnums.join('\n') + '\n');
}

// ---------------------------------------------------------------------------------------
// HTTP

const wsdlXml = fs.readFileSync(path.join(__dirname, 'rfc.wsdl'), 'utf8')
    .replace('http://127.0.0.1:8000/sap/bc/soap/rfc', `http://127.0.0.1:${port}/sap/bc/soap/rfc`);

const app = express();
app.disable('x-powered-by');

app.get('/test/idocs', (req, res) => {
    const mestyp = queryParam(req, 'mestyp');
    res.json(mestyp ? idocStore.filter(i => i.mestyp === mestyp) : idocStore);
});
app.delete('/test/idocs', (req, res) => {
    idocStore.length = 0;
    res.status(204).end();
});

app.use('/sap', logon);
app.get('/sap/bc/soap/wsdl11', (req, res) => res.type('text/xml').send(wsdlXml));
app.post('/sap/bc/idoc_xml', express.raw({ type: () => true, limit: '20mb' }), idocInbound);
app.all('/sap/bc/idoc_xml', (req, res) => res.status(405).set('Allow', 'POST').type('text/plain')
    .send('IDoc-XML inbound accepts POST only\n'));
app.use('/sap/bc/soap/rfc', sessionHandling);
app.post('/sap/bc/soap/rfc', express.raw({ type: () => true, limit: '20mb' }), soapPrecheck);

app.use((err, req, res, next) => { // eslint-disable-line no-unused-vars
    console.error(err);
    res.status(err.status || 500).type('text/plain').send(`${err.message}\n`);
});

app.listen(port, '127.0.0.1', () => {
    console.log(`conflux sap soap/rfc peer ready at http://127.0.0.1:${port} (client ${sapClient})`);
});
const soapServer = soap.listen(app, '/sap/bc/soap/rfc', service, wsdlXml);
soapServer.log = (type, data) => {
    if (type === 'error')
        console.error('soap:', data);
};

// All state is in memory and disposable: stop at once.
process.on('SIGTERM', () => process.exit(0));
