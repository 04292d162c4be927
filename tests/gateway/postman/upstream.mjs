// Upstream stubs for the sample project's routes, for tests/scripts/newman-run.sh: plain
// node:http servers on free ports of 127.0.0.1, no npm packages.
//
//   node upstream.mjs PORTS_FILE
//
// Starts three servers and, once all of them listen, writes PORTS_FILE as JSON
// {"orders-a": port, "orders-b": port, "partner": port}. Each request is logged to stdout as
// one JSON line. Stops on SIGTERM or SIGINT.
//
// orders-a, orders-b (the two weighted upstreams of routes/orders-api.json): any method;
//   200 with a JSON body {"orders": [...]} holding one shop order shaped like the source of
//   mappings/shop-order-to-erp.json (the route's response_mapping, which replaces the body).
//   So the echo of the request the stub received travels in header fields, which the mapping
//   leaves alone: X-Upstream names the stub, X-Upstream-Request is the JSON object
//   {"method", "url", "headers" (lower-case names), "body"} (non-ASCII escaped as \uXXXX).
//   Cache-Control: public, max-age=30: the gateway's cache is shared, and RFC 9111 §3.5 lets
//   a shared cache store the answer to a request carrying Authorization only when the
//   response says public (or s-maxage, must-revalidate).
// partner (routes/partner-soap.json's upstream_url, path /partner): a SOAP 1.1 service.
//   POST /partner with a text/xml envelope: 200 with a PartnerOrderResponse echoing the
//   OrderId and the SOAPAction, or 500 with a SOAP Fault for the operation CancelOrder
//   (a fault the gateway must pass through as it is). Other paths 404, other methods 405,
//   a body that is not an envelope 400. Every answer carries X-Upstream-Request-Headers: the
//   lower-case names of the header fields the stub received, so a test can check what the
//   gateway did not forward.
import fs from 'node:fs';
import http from 'node:http';

const portsFile = process.argv[2];
if (!portsFile) {
    console.error('usage: node upstream.mjs PORTS_FILE');
    process.exit(2);
}

const maxBodyBytes = 1024 * 1024;

function readBody(request) {
    return new Promise((resolve, reject) => {
        const chunks = [];
        let size = 0;
        request.on('data', (chunk) => {
            size += chunk.length;
            if (size > maxBodyBytes) {
                reject(new Error(`request body over ${maxBodyBytes} bytes`));
                request.destroy();
                return;
            }
            chunks.push(chunk);
        });
        request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        request.on('error', reject);
    });
}

function log(stub, request, status) {
    console.log(JSON.stringify({ stub, method: request.method, url: request.url, status }));
}

// JSON that fits in a header field: every character outside printable ASCII escaped.
function asciiJson(value) {
    return JSON.stringify(value).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function ordersStub(name) {
    return async (request, response) => {
        const body = await readBody(request);
        const echo = { method: request.method, url: request.url, headers: request.headers, body };
        const answer = {
            orders: [{
                id: 'SO-1001',
                created_at: '2026-11-20T09:15:00Z',
                currency: 'EUR',
                customer: {
                    id: 'C-42',
                    name: 'Muster GmbH',
                    contact: { first: 'Anna', last: 'Berg' },
                    country: 'DE',
                    email: 'Einkauf@Muster.example',
                },
                line_items: [
                    { sku: 'A-1', quantity: 2, price: 19.5 },
                    { sku: 'B-7', quantity: 1, price: 120 },
                ],
                status: 'paid',
            }],
        };
        const text = JSON.stringify(answer);
        response.writeHead(200, {
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(text),
            'Cache-Control': 'public, max-age=30',
            'X-Upstream': name,
            'X-Upstream-Request': asciiJson(echo),
        });
        response.end(text);
        log(name, request, 200);
    };
}

function xmlEscape(text) {
    return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' }[c]));
}

function envelope(inner) {
    return '<?xml version="1.0" encoding="UTF-8"?>\n'
        + '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
        + `<soap:Body>${inner}</soap:Body></soap:Envelope>`;
}

async function partnerStub(request, response) {
    const body = await readBody(request);
    const send = (status, contentType, text, extra = {}) => {
        response.writeHead(status, {
            'Content-Type': contentType,
            'Content-Length': Buffer.byteLength(text),
            'X-Upstream': 'partner',
            'X-Upstream-Request-Headers': Object.keys(request.headers).sort().join(','),
            ...extra,
        });
        response.end(text);
        log('partner', request, status);
    };
    const path = request.url.split('?')[0];
    if (path !== '/partner') {
        send(404, 'text/plain', `no SOAP service at ${path}\n`);
        return;
    }
    if (request.method !== 'POST') {
        send(405, 'text/plain', 'POST a SOAP envelope\n', { Allow: 'POST' });
        return;
    }
    const contentType = request.headers['content-type'] ?? '';
    if (!contentType.startsWith('text/xml') || !/<(\w+:)?Envelope[\s>]/.test(body)) {
        send(400, 'text/plain', 'expected a SOAP 1.1 envelope (Content-Type: text/xml)\n');
        return;
    }
    const soapAction = (request.headers.soapaction ?? '').replace(/^"|"$/g, '');
    const orderId = (/<(?:\w+:)?OrderId>([^<]*)<\/(?:\w+:)?OrderId>/.exec(body) ?? [])[1] ?? '';
    if (/<(\w+:)?CancelOrder[\s>]/.test(body)) {
        send(500, 'text/xml; charset=utf-8', envelope(
            '<soap:Fault><faultcode>soap:Client</faultcode>'
            + `<faultstring>order ${xmlEscape(orderId)} cannot be cancelled: it has shipped</faultstring>`
            + '</soap:Fault>'));
        return;
    }
    send(200, 'text/xml; charset=utf-8', envelope(
        '<p:PartnerOrderResponse xmlns:p="urn:conflux:test:partner">'
        + `<p:OrderId>${xmlEscape(orderId)}</p:OrderId>`
        + '<p:Status>accepted</p:Status>'
        + `<p:SoapAction>${xmlEscape(soapAction)}</p:SoapAction>`
        + '</p:PartnerOrderResponse>'));
}

function serve(handler) {
    const server = http.createServer((request, response) => {
        handler(request, response).catch((error) => {
            if (!response.headersSent) {
                response.writeHead(500, { 'Content-Type': 'text/plain' });
                response.end(`${error.message}\n`);
            }
        });
    });
    return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve(server));
    });
}

const servers = {
    'orders-a': await serve(ordersStub('orders-a')),
    'orders-b': await serve(ordersStub('orders-b')),
    partner: await serve(partnerStub),
};
const ports = Object.fromEntries(Object.entries(servers).map(([name, server]) => [name, server.address().port]));
// Written whole, then renamed: the reader never sees half a file.
fs.writeFileSync(`${portsFile}.tmp`, `${JSON.stringify(ports)}\n`);
fs.renameSync(`${portsFile}.tmp`, portsFile);
console.log(JSON.stringify({ listening: ports }));

for (const signal of ['SIGTERM', 'SIGINT']) {
    process.on(signal, () => {
        for (const server of Object.values(servers))
            server.close();
        process.exit(0);
    });
}
