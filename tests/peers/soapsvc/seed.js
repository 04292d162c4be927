// The orders the SOAP order service starts with: 25 orders, ids 1..25, changedAt one hour
// apart from 2024-03-01T08:00:00Z (order n at 07:00 + n hours), 1-3 items each. Every fifth
// order is shipped, every seventh cancelled, the rest open; every fourth is express; every
// sixth has a nil note (xsi:nil in answers), the others "seed order <id>".
'use strict';

const customers = ['Acme GmbH', 'Globex AG', 'Initech SA', 'Umbrella BV', 'Hooli Ltd', 'Stark KG', 'Wayne Oy'];
const skus = ['STEEL-100', 'BOLT-M8', 'NUT-M8', 'WASHER-8', 'PIPE-22', 'VALVE-3', 'GASKET-5'];
const prices = [12.5, 0.35, 0.12, 0.05, 8.9, 41.0, 1.75];

function seedOrders() {
    const base = Date.UTC(2024, 2, 1, 7, 0, 0);
    const orders = [];
    for (let id = 1; id <= 25; id++) {
        const items = [];
        const count = 1 + (id % 3);
        for (let i = 0; i < count; i++) {
            const k = (id + i * 2) % skus.length;
            items.push({ line: i + 1, sku: skus[k], quantity: 1 + ((id * (i + 3)) % 9), price: prices[k] });
        }
        orders.push({
            id,
            currency: id % 8 === 0 ? 'CHF' : 'EUR',
            customer: customers[id % customers.length],
            status: id % 5 === 0 ? 'shipped' : id % 7 === 0 ? 'cancelled' : 'open',
            orderDate: new Date(Date.UTC(2024, 1, id)).toISOString().slice(0, 10),
            express: id % 4 === 0,
            note: id % 6 === 0 ? null : `seed order ${id}`,
            changedAt: new Date(base + id * 3600 * 1000).toISOString(),
            items,
        });
    }
    return orders;
}

module.exports = { seedOrders };
