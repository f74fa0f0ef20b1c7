import t from 'tap';
import { createMemoryHistoryStore } from '../../src/store/memory.js';
import { historyStoreContract } from './contract.js';

t.test('memory backend', async (t) => {
  historyStoreContract(t, 'memory', { open: async () => createMemoryHistoryStore() });
});

t.test('memory store reports its backend', async (t) => {
  t.equal(createMemoryHistoryStore().backend, 'memory');
});
