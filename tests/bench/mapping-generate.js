// Writes N order records as NDJSON (one per line) to FILE: the benchmark's input, the same
// bytes for Conflux and for the reference implementation.
'use strict';
const fs = require('fs');
const [file, countText] = process.argv.slice(2);
const count = Number(countText || 100000);
const first = ['Ann', 'Bob', 'Cleo', 'Dan', 'Eva', 'Finn', 'Gus', 'Hana'];
const last = ['Lee', 'Meyer', 'Novak', 'Okafor', 'Park', 'Quinn', 'Rossi', 'Sato'];
const out = fs.openSync(file, 'w');
let chunk = [];
for (let i = 1; i <= count; ++i) {
    const f = first[i % first.length], l = last[(i * 7) % last.length];
    const day = 1 + (i % 28), month = 1 + (i % 12);
    const record = {
        order_id: 'ORD-' + i,
        customer: { first: f, last: l, email: `${f.toLowerCase()}.${l.toLowerCase()}@x.com` },
        items: [
            { sku: 'A' + (i % 97), qty: 1 + (i % 5), price: 9.5 },
            { sku: 'B' + (i % 89), qty: 2, price: 1.25 + (i % 10) },
            { sku: 'C' + (i % 83), qty: 1 + (i % 3), price: 100 },
        ],
        created: `2024-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
    };
    chunk.push(JSON.stringify(record));
    if (chunk.length === 1000) {
        fs.writeSync(out, chunk.join('\n') + '\n');
        chunk = [];
    }
}
if (chunk.length)
    fs.writeSync(out, chunk.join('\n') + '\n');
fs.closeSync(out);
