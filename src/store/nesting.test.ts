import { afterEach, describe, expect, it } from 'vitest';
import { checkNesting, runOutermost } from './nesting.js';
import { openStore } from './open-store.js';

describe('the nested-transaction guard', () => {
  afterEach(() => checkNesting(true));

  it('refuses a transaction started inside another of the same store, and allows another store', async () => {
    const a = await openStore(':memory:');
    const b = await openStore(':memory:');
    try {
      const inner = await a.transaction(async () => {
        const other = await b.transaction((tx) => tx.get<{ n: number }>('SELECT 1 AS n'));
        const nested = await a
          .transaction(() => Promise.resolve('ran'))
          .then(
            () => 'ran',
            (e: unknown) => e,
          );
        return { other, nested };
      });
      expect(inner.other).toEqual({ n: 1 });
      expect(inner.nested).toMatchObject({
        code: 'INTERNAL',
        message: expect.stringContaining('inside another transaction'),
      });
      // Sequential transactions of one store are not nested.
      expect(await a.transaction(() => Promise.resolve(2))).toBe(2);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('can be turned off (serve) and on again', async () => {
    const store = {};
    checkNesting(false);
    // Off: no marking, so an inner call goes through (serve never nests; the tests above prove the code).
    expect(await runOutermost(store, () => runOutermost(store, () => Promise.resolve('through')))).toBe(
      'through',
    );
    checkNesting(true);
    await expect(
      runOutermost(store, () => runOutermost(store, () => Promise.resolve('x'))),
    ).rejects.toMatchObject({
      code: 'INTERNAL',
    });
  });
});
