// The 25 customers the GraphQL test peer starts with (ids cust-001 … cust-025). Every value is
// computed from the customer's number, so every start serves the same data.
'use strict';

const names = [
    'Acme Industrial Supply', 'Borealis Logistics', 'Cobalt Media Group', 'Delta Harbour Foods',
    'Eastwind Textiles', 'Fjord Marine Services', 'Granite Peak Builders', 'Helios Solar Systems',
    'Ironbridge Engineering', 'Juniper Health Partners', 'Kestrel Aviation', 'Lumen Optics',
    'Meridian Pharma', 'Northgate Retail', 'Orchard Valley Farms', 'Pinnacle Software',
    'Quarry Stone Works', 'Riverside Printing', 'Sierra Outdoor Gear', 'Tidewater Shipping',
    'Umbra Security', 'Vantage Consulting', 'Willow Creek Dairy', 'Xenon Lighting', 'Yellowpine Timber',
];
const cities = [
    ['Hamburg', '20095', 'DE'], ['Zürich', '8001', 'CH'], ['Lyon', '69001', 'FR'], ['Bristol', 'BS1 4DJ', 'GB'],
    ['Graz', '8010', 'AT'],
];
const statuses = ['ACTIVE', 'ACTIVE', 'PROSPECT', 'ACTIVE', 'SUSPENDED'];
const tagSets = [[], ['key-account'], ['key-account', 'export'], ['new'], ['export']];
const currencies = ['EUR', 'CHF', 'EUR', 'GBP', 'EUR'];

const day = 24 * 3600 * 1000;
const seedCreated = Date.parse('2023-03-01T09:00:00Z');
const seedUpdated = Date.parse('2024-01-01T08:00:00Z');

function seedCustomers() {
    const customers = [];
    for (let i = 1; i <= 25; ++i) {
        const n = String(i).padStart(3, '0');
        const [city, postalCode, country] = cities[(i - 1) % cities.length];
        const orders = [];
        for (let k = 1; k <= i % 4; ++k) {
            orders.push({
                id: `ord-${n}-${k}`,
                number: `SO-${1000 + i * 10 + k}`,
                total: Math.round((i * 137.5 + k * 42.25) * 100) / 100,
                currency: currencies[(i - 1) % currencies.length],
                placedAt: new Date(seedCreated + (i * 7 + k) * day),
            });
        }
        customers.push({
            id: `cust-${n}`,
            name: names[i - 1],
            // every seventh customer has no e-mail address (a nullable field that is null)
            email: i % 7 === 0 ? null : `contact${n}@${names[i - 1].split(' ')[0].toLowerCase()}.example`,
            status: statuses[(i - 1) % statuses.length],
            creditLimit: i % 5 === 0 ? null : i * 2500,
            employees: 10 * i + 3,
            tags: tagSets[(i - 1) % tagSets.length],
            address: i % 9 === 0 ? null : { street: `${i} Market Street`, city, postalCode, country },
            orders,
            createdAt: new Date(seedCreated + i * day),
            // one day apart, in id order: 2024-01-01T08:00:00Z for cust-001 … 2024-01-25 for cust-025
            updatedAt: new Date(seedUpdated + (i - 1) * day),
        });
    }
    return customers;
}

module.exports = { seedCustomers };
