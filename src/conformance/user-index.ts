/** Conformance: the per-user index (list a user's sessions, log out other devices). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionStore, UserSessionEntry } from '../core/store.ts';
import { anonymousMeta, data, fullMeta, randomKey, randomUser, record } from './fixtures.ts';

const keysOf = (entries: UserSessionEntry[]): string[] => entries.map((e) => e.key).sort();

export function userIndexTests(store: () => SessionStore): void {
  describe('per-user index', () => {
    it('listByUser lists the records set for a user, with their meta', async () => {
      const user = randomUser();
      const keys = [randomKey(), randomKey(), randomKey()];
      const metas = keys.map((_, i) => fullMeta({ userId: user, touchedAt: 1000 + i }));
      for (const [i, key] of keys.entries()) await store().set(key, record(metas[i]!, { i }));
      await store().set(randomKey(), record(fullMeta(), { other: true }));
      await store().set(randomKey(), record(anonymousMeta(), {}));
      const listed = await store().listByUser(user);
      assert.deepEqual(keysOf(listed), [...keys].sort());
      for (const entry of listed) {
        assert.deepEqual({ ...entry.meta }, metas[keys.indexOf(entry.key)]);
      }
      assert.deepEqual(await store().listByUser(randomUser()), []);
    });

    it('patch that changes userId moves the record between users', async () => {
      const [alice, bob] = [randomUser('alice'), randomUser('bob')];
      const key = randomKey();
      await store().set(key, record(anonymousMeta(), { a: 1 }));
      assert.equal(await store().patch(key, { set: data({}), unset: [], meta: fullMeta({ userId: alice }) }), true);
      assert.deepEqual(keysOf(await store().listByUser(alice)), [key]);
      assert.equal(await store().patch(key, { set: data({}), unset: [], meta: fullMeta({ userId: bob }) }), true);
      assert.deepEqual(await store().listByUser(alice), []);
      assert.deepEqual(keysOf(await store().listByUser(bob)), [key]);
      assert.equal(await store().patch(key, { set: data({}), unset: [], meta: anonymousMeta() }), true);
      assert.deepEqual(await store().listByUser(bob), []);
    });

    it('set that changes userId moves the record between users', async () => {
      const [alice, bob] = [randomUser('alice'), randomUser('bob')];
      const key = randomKey();
      await store().set(key, record(fullMeta({ userId: alice }), {}));
      await store().set(key, record(fullMeta({ userId: bob }), {}));
      assert.deepEqual(await store().listByUser(alice), []);
      assert.deepEqual(keysOf(await store().listByUser(bob)), [key]);
      await store().set(key, record(anonymousMeta(), {}));
      assert.deepEqual(await store().listByUser(bob), []);
    });

    it('touch keeps the record listed', async () => {
      const user = randomUser();
      const key = randomKey();
      await store().set(key, record(fullMeta({ userId: user }), {}));
      await store().touch(key, { touchedAt: Date.now(), expiresAt: Date.now() + 3_600_000 });
      assert.deepEqual(keysOf(await store().listByUser(user)), [key]);
    });

    it('destroy removes the record from the index', async () => {
      const user = randomUser();
      const [k1, k2] = [randomKey(), randomKey()];
      await store().set(k1, record(fullMeta({ userId: user }), {}));
      await store().set(k2, record(fullMeta({ userId: user }), {}));
      await store().destroy(k1);
      assert.deepEqual(keysOf(await store().listByUser(user)), [k2]);
    });

    const destroyCases: [string, boolean][] = [
      ['without exceptKey removes every record of the user', false],
      ['with exceptKey keeps that one record', true],
    ];
    for (const [title, withExcept] of destroyCases) {
      it(`destroyByUser ${title} and leaves other users alone`, async () => {
        const [user, other] = [randomUser(), randomUser('other')];
        const keys = [randomKey(), randomKey(), randomKey(), randomKey()];
        for (const key of keys) await store().set(key, record(fullMeta({ userId: user }), { k: key }));
        const otherKey = randomKey();
        await store().set(otherKey, record(fullMeta({ userId: other }), {}));
        const except = withExcept ? keys[2] : undefined;
        const removed = await store().destroyByUser(user, except);
        assert.equal(removed, withExcept ? 3 : 4);
        for (const key of keys) {
          assert.equal((await store().get(key)) !== null, key === except, 'only the excepted record survives');
        }
        assert.deepEqual(keysOf(await store().listByUser(user)), except === undefined ? [] : [except]);
        assert.ok((await store().get(otherKey)) !== null);
        assert.deepEqual(keysOf(await store().listByUser(other)), [otherKey]);
      });
    }

    it('destroyByUser of a user without records resolves 0; an exceptKey of another user is ignored', async () => {
      assert.equal(await store().destroyByUser(randomUser()), 0);
      const [user, other] = [randomUser(), randomUser()];
      const [key, otherKey] = [randomKey(), randomKey()];
      await store().set(key, record(fullMeta({ userId: user }), {}));
      await store().set(otherKey, record(fullMeta({ userId: other }), {}));
      assert.equal(await store().destroyByUser(user, otherKey), 1);
      assert.ok((await store().get(otherKey)) !== null);
    });

    it('hostile user IDs are exact matches (no patterns, tags or prototype names)', async () => {
      const base = randomUser();
      const users = [`${base}%`, `${base}_`, `${base}*`, `${base}{tag}`, `${base}:x`, `${base}'"\\`, `${base}😀`, `__proto__${base}`];
      const keyOf = new Map<string, string>();
      for (const user of users) {
        const key = randomKey();
        keyOf.set(user, key);
        await store().set(key, record(fullMeta({ userId: user }), {}));
      }
      await store().set(randomKey(), record(fullMeta({ userId: `${base}x` }), {}));
      for (const user of users) {
        assert.deepEqual(keysOf(await store().listByUser(user)), [keyOf.get(user)], `listByUser(${JSON.stringify(user)})`);
      }
      assert.equal(await store().destroyByUser(`${base}%`), 1);
      assert.equal(await store().destroyByUser(`${base}*`), 1);
      assert.equal((await store().listByUser(`${base}x`)).length, 1);
      assert.equal((await store().listByUser(`${base}_`)).length, 1);
    });
  });
}
