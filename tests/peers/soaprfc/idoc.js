// IDoc XML inbound of the SOAP RFC test peer (/sap/bc/idoc_xml): parses and checks an
// IDoc-XML document the way SAP's inbound handler needs it, and keeps what arrived.
//
// A document is <IDOCTYP-or-CIMTYP> with one or more <IDOC BEGIN="1"> children; each IDOC
// starts with the control record <EDI_DC40 SEGMENT="1"> (IDOCTYP and MESTYP required), followed
// by data segments (elements with SEGMENT="1"; a child element with element children is a
// nested segment, one with text only is a field).
'use strict';

const sax = require('sax');

class IdocError extends Error {
    constructor(message, line, column) {
        super(!line ? message : column ? `${message} (line ${line}, column ${column})` : `${message} (line ${line})`);
    }
}

function parseXml(text) {
    const parser = sax.parser(true, { trim: false, normalize: false, xmlns: false });
    const root = { name: '#document', attrs: {}, children: [], text: '' };
    const stack = [root];
    let error = null;
    parser.onerror = e => {
        if (!error)
            error = new IdocError(`not well-formed XML: ${e.message.split('\n')[0]}`, parser.line + 1, parser.column + 1);
        parser.error = null;
        parser.resume();
    };
    parser.onopentag = node => {
        const el = { name: node.name, attrs: node.attributes, children: [], text: '', line: parser.line + 1 };
        stack[stack.length - 1].children.push(el);
        stack.push(el);
    };
    parser.onclosetag = () => { stack.pop(); };
    parser.ontext = t => { stack[stack.length - 1].text += t; };
    parser.oncdata = t => { stack[stack.length - 1].text += t; };
    parser.write(text).close();
    if (error)
        throw error;
    if (root.children.length !== 1)
        throw new IdocError('the document has no root element');
    return root.children[0];
}

const localName = name => name.includes(':') ? name.slice(name.indexOf(':') + 1) : name;

function segmentOf(el) {
    const fields = {};
    const children = [];
    for (const c of el.children) {
        if (c.children.length > 0 || c.attrs.SEGMENT !== undefined)
            children.push(segmentOf(c));
        else
            fields[localName(c.name)] = c.text.trim();
    }
    return { segment: localName(el.name), fields, children };
}

// Returns [{ control: {...}, segments: [...] }, ...] or throws IdocError saying what and where.
function parseIdocXml(text) {
    if (!text || !text.trim())
        throw new IdocError('empty request body: an IDoc-XML document was expected');
    const root = parseXml(text);
    const rootName = localName(root.name);
    const idocs = root.children.filter(c => localName(c.name) === 'IDOC');
    if (idocs.length === 0)
        throw new IdocError(`<${rootName}> has no IDOC element`, root.line);
    return idocs.map((idoc, index) => {
        const where = `IDOC #${index + 1}`;
        const first = idoc.children[0];
        if (!first || localName(first.name) !== 'EDI_DC40')
            throw new IdocError(`${where}: the first segment must be the control record EDI_DC40`, idoc.line);
        const control = segmentOf(first).fields;
        for (const field of ['IDOCTYP', 'MESTYP']) {
            if (!control[field])
                throw new IdocError(`${where}: EDI_DC40 has no ${field}`, first.line);
        }
        const expectedRoot = control.CIMTYP || control.IDOCTYP;
        if (rootName !== expectedRoot)
            throw new IdocError(`${where}: the root element <${rootName}> does not match the IDoc type ${expectedRoot} in EDI_DC40`, root.line);
        const segments = idoc.children.slice(1).map(segmentOf);
        if (segments.length === 0)
            throw new IdocError(`${where}: no data segments after EDI_DC40`, idoc.line);
        return { control, segments };
    });
}

module.exports = { parseIdocXml, parseXml, localName, IdocError };
