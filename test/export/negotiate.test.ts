import t from 'tap';
import { negotiate } from '../../routes/csv-reply.js';

t.test('Accept negotiation between text/csv and JSON', async (t) => {
  const cases: [string | undefined, 'csv' | 'json', 'csv' | 'json'][] = [
    [undefined, 'json', 'json'],
    [undefined, 'csv', 'csv'],
    ['', 'json', 'json'],
    ['*/*', 'json', 'json'],
    ['*/*', 'csv', 'csv'],
    ['text/csv', 'json', 'csv'],
    ['text/*', 'json', 'csv'],
    ['TEXT/CSV; charset=utf-8', 'json', 'csv'],
    ['application/json', 'csv', 'json'],
    ['application/*', 'csv', 'json'],
    ['text/csv, application/json', 'json', 'csv'],
    ['application/json, text/csv', 'csv', 'json'],
    ['application/json;q=0.5, text/csv', 'json', 'csv'],
    ['text/csv;q=0.2, application/json;q=0.9', 'csv', 'json'],
    ['text/csv;q=0', 'json', 'json'],
    ['text/csv;q=0, */*', 'csv', 'json'],
    ['application/json;q=0', 'json', 'csv'],
    ['text/html, */*;q=0.8', 'json', 'json'],
    ['text/csv;q=abc', 'json', 'json'],
  ];
  for (const [accept, fallback, want] of cases) t.equal(negotiate(accept, fallback), want, `${String(accept)} (fallback ${fallback})`);
});
