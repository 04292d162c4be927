// Master data of the SOAP RFC test peer: vendors (LFA1 + BAPI_VENDOR_GETDETAIL), materials
// (MARA) and customers (KNA1). Field lengths and types follow the SAP dictionary.
'use strict';

// [LIFNR, NAME1, ORT01, LAND1, PSTLZ, STRAS, REGIO, SPRAS, TELF1, ERDAT, company codes]
const vendorRows = [
    ['0000100001', 'Schulz Stahlhandel GmbH', 'Duisburg', 'DE', '47051', 'Hafenstrasse 12', 'NW', 'D', '+49 203 555010', '20190314', ['1000', '2000']],
    ['0000100002', 'Keller Verpackungen AG', 'Basel', 'CH', '4051', 'Rheinweg 3', 'BS', 'D', '+41 61 5550202', '20190402', ['1000']],
    ['0000100003', 'Nordsee Logistik GmbH', 'Bremen', 'DE', '28195', 'Am Wall 140', 'HB', 'D', '+49 421 555030', '20190517', ['1000']],
    ['0000100004', 'Fournitures Lemaire SA', 'Lille', 'FR', '59000', 'Rue Nationale 8', '', 'F', '+33 3 20555040', '20190603', ['2000']],
    ['0000100005', 'Omega Electronics Ltd', 'Leeds', 'GB', 'LS1 4AP', '22 Park Row', '', 'E', '+44 113 5550505', '20190721', ['1000', '2000']],
    ['0000100006', 'Vasquez Plasticos SL', 'Valencia', 'ES', '46001', 'Calle de Colon 19', '', 'S', '+34 96 5550606', '20190809', ['1000']],
    ['0000100007', 'Brenner Elektro KG', 'Innsbruck', 'AT', '6020', 'Maria-Theresien-Str 5', '', 'D', '+43 512 555070', '20191001', ['1000']],
    ['0000100008', 'Van Dijk Transport BV', 'Rotterdam', 'NL', '3011', 'Coolsingel 40', '', 'N', '+31 10 5550808', '20191118', ['2000']],
    ['0000100009', 'Rossi Componenti SpA', 'Torino', 'IT', '10121', 'Via Roma 101', '', 'I', '+39 011 5550909', '20200107', ['1000']],
    ['0000100010', 'Lindqvist Tools AB', 'Goeteborg', 'SE', '41103', 'Kungsgatan 7', '', 'V', '+46 31 5551010', '20200212', ['1000']],
    ['0000100011', 'Hoffmann Chemie GmbH', 'Ludwigshafen', 'DE', '67059', 'Industriestrasse 2', 'RP', 'D', '+49 621 555110', '20200320', ['1000', '2000']],
    ['0000100012', 'Nowak Metal Sp. z o.o.', 'Gdansk', 'PL', '80-001', 'ul. Dluga 11', '', 'L', '+48 58 5551212', '20200415', ['1000']],
    ['0000100013', 'Dupont Emballages SARL', 'Nantes', 'FR', '44000', 'Quai de la Fosse 6', '', 'F', '+33 2 40551313', '20200530', ['2000']],
    ['0000100014', 'Meier Feinmechanik AG', 'Zuerich', 'CH', '8001', 'Bahnhofstrasse 88', 'ZH', 'D', '+41 44 5551414', '20200708', ['1000']],
    ['0000100015', 'Kovacs Kabel Kft', 'Budapest', 'HU', '1051', 'Nador utca 15', '', 'H', '+36 1 5551515', '20200825', ['1000']],
    ['0000100016', 'Andersen Foods A/S', 'Aarhus', 'DK', '8000', 'Soendergade 21', '', 'K', '+45 86 555116', '20201006', ['2000']],
    ['0000100017', 'Wagner Druckguss GmbH', 'Chemnitz', 'DE', '09111', 'Strasse der Nationen 4', 'SN', 'D', '+49 371 555170', '20201113', ['1000']],
    ['0000100018', 'Silva Texteis Lda', 'Braga', 'PT', '4700-001', 'Avenida Central 30', '', 'P', '+351 253 555118', '20210119', ['1000']],
    ['0000100019', 'Horvat Drvo d.o.o.', 'Zagreb', 'HR', '10000', 'Ilica 52', '', 'D', '+385 1 5551919', '20210224', ['1000']],
    ['0000100020', 'Becker Software GmbH', 'Karlsruhe', 'DE', '76133', 'Kaiserstrasse 9', 'BW', 'D', '+49 721 555200', '20210331', ['1000', '2000']],
];

const isoLanguage = { D: 'DE', E: 'EN', F: 'FR', S: 'ES', N: 'NL', I: 'IT', V: 'SV', L: 'PL', H: 'HU', K: 'DA', P: 'PT' };

const vendors = vendorRows.map(r => ({
    LIFNR: r[0], NAME1: r[1], ORT01: r[2], LAND1: r[3], PSTLZ: r[4], STRAS: r[5], REGIO: r[6],
    SPRAS: r[7], SPRAS_ISO: isoLanguage[r[7]] || '', TELF1: r[8], ERDAT: r[9], companyCodes: r[10],
}));

// [MATNR, MTART, MATKL, MEINS, ERSDA]
const materials = [
    ['TG11', 'HAWA', 'L001', 'PC', '20200110'], ['TG12', 'HAWA', 'L001', 'PC', '20200110'],
    ['HT-1000', 'FERT', 'P001', 'EA', '20200203'], ['HT-1001', 'FERT', 'P001', 'EA', '20200203'],
    ['HT-1002', 'FERT', 'P002', 'EA', '20200317'], ['MZ-FG-C900', 'FERT', 'P003', 'PC', '20200421'],
    ['MZ-FG-C950', 'FERT', 'P003', 'PC', '20200421'], ['RM-STEEL-2MM', 'ROH', 'R001', 'KG', '20190905'],
    ['RM-STEEL-5MM', 'ROH', 'R001', 'KG', '20190905'], ['RM-ALU-3MM', 'ROH', 'R002', 'KG', '20191011'],
    ['RM-COPPER-W', 'ROH', 'R003', 'M', '20191011'], ['PK-BOX-S', 'VERP', 'V001', 'PC', '20190620'],
    ['PK-BOX-M', 'VERP', 'V001', 'PC', '20190620'], ['PK-PALLET', 'VERP', 'V002', 'PC', '20190620'],
    ['SRV-INSTALL', 'DIEN', 'S001', 'H', '20210104'], ['SRV-REPAIR', 'DIEN', 'S001', 'H', '20210104'],
    ['OIL-5W30', 'HIBE', 'H001', 'L', '20200805'], ['OIL-HYD-46', 'HIBE', 'H001', 'L', '20200805'],
    ['CABLE-CU-10', 'HALB', 'C001', 'M', '20201130'], ['CABLE-CU-16', 'HALB', 'C001', 'M', '20201130'],
].map(r => ({ MATNR: r[0], MTART: r[1], MATKL: r[2], MEINS: r[3], ERSDA: r[4] }));

// [KUNNR, NAME1, ORT01, LAND1]
const customers = [
    ['0000200001', 'Fischer Baumarkt GmbH', 'Dortmund', 'DE'], ['0000200002', 'Berger Retail AG', 'Bern', 'CH'],
    ['0000200003', 'Martin Distribution SA', 'Bordeaux', 'FR'], ['0000200004', 'Evans Hardware Ltd', 'Bristol', 'GB'],
    ['0000200005', 'Moreau Industrie SAS', 'Toulouse', 'FR'],
].map(r => ({ KUNNR: r[0], NAME1: r[1], ORT01: r[2], LAND1: r[3] }));

// Dictionary of the tables RFC_READ_TABLE serves: field, type (C char, D date YYYYMMDD),
// length, description. MANDT is filled with the client of the request.
const tables = {
    LFA1: {
        fields: [
            ['MANDT', 'C', 3, 'Client'], ['LIFNR', 'C', 10, 'Account Number of Vendor or Creditor'],
            ['NAME1', 'C', 35, 'Name 1'], ['ORT01', 'C', 35, 'City'], ['LAND1', 'C', 3, 'Country Key'],
            ['ERDAT', 'D', 8, 'Date on which the Record Was Created'],
        ],
        rows: () => vendors,
    },
    MARA: {
        fields: [
            ['MANDT', 'C', 3, 'Client'], ['MATNR', 'C', 18, 'Material Number'],
            ['MTART', 'C', 4, 'Material Type'], ['MATKL', 'C', 9, 'Material Group'],
            ['MEINS', 'C', 3, 'Base Unit of Measure'], ['ERSDA', 'D', 8, 'Created On'],
        ],
        rows: () => materials,
    },
    KNA1: {
        fields: [
            ['MANDT', 'C', 3, 'Client'], ['KUNNR', 'C', 10, 'Customer Number'],
            ['NAME1', 'C', 35, 'Name 1'], ['ORT01', 'C', 35, 'City'], ['LAND1', 'C', 3, 'Country Key'],
        ],
        rows: () => customers,
    },
};

module.exports = { vendors, materials, customers, tables };
