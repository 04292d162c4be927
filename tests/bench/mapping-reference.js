// The reference side of the mapping benchmark: the jsonata npm package (the reference
// implementation) maps every record of an NDJSON file with EXPR, the way a Node service
// would: JSON.parse each line, evaluate, JSON.stringify the result. Prints one JSON line
// with the record count, the seconds spent and a checksum of the output.
'use strict';
const fs = require('fs');
const path = require('path');
const [modules, file, exprFile] = process.argv.slice(2);
const jsonata = require(path.join(modules, 'jsonata'));
const expression = jsonata(fs.readFileSync(exprFile, 'utf8'));

(async () => {
    const started = process.hrtime.bigint();
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    let records = 0, bytes = 0;
    for (const line of lines) {
        if (!line)
            continue;
        const result = await expression.evaluate(JSON.parse(line));
        bytes += JSON.stringify(result).length + 1;
        ++records;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(JSON.stringify({ records, seconds, outputBytes: bytes,
                                 peakRssBytes: process.resourceUsage().maxRSS * 1024 }));
})();
