/**
 * The public engine (`Sessions`) exposes exactly what README documents, at run time as well as
 * in the types: nothing reaches the store, the keyring or the per-request methods through it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSessions } from '../create-sessions.ts';
import { MemoryStore } from '../stores/memory/index.ts';
import { session } from '../adapters/express/index.ts';
import { createEngine, engineOf, publicSessions } from './sessions.ts';

const SECRET = 'sessions-test-secret-0123456789abcdefghijkl';
const PUBLIC = ['close', 'listSessions', 'on', 'revokeAllSessions', 'revokeSession'];

test('createSessions and the adapters hand out only the five documented methods, frozen', () => {
  for (const sessions of [createSessions({ secrets: SECRET, store: new MemoryStore() }), session({ secrets: SECRET, store: new MemoryStore() }).sessions]) {
    assert.deepEqual(Object.keys(sessions).sort(), PUBLIC);
    assert.ok(Object.isFrozen(sessions));
    for (const internal of ['store', 'keyring', 'open', 'fresh', 'load', 'enforceSessionLimit', 'rawStore', 'events']) {
      assert.equal((sessions as unknown as Record<string, unknown>)[internal], undefined, internal);
    }
    assert.equal(Object.getPrototypeOf(sessions), Object.prototype);
  }
});

test('one facade per engine; engineOf finds the engine behind it and nothing else', async () => {
  const engine = createEngine({ secrets: SECRET, store: new MemoryStore() }, () => assert.fail('no default store'));
  const facade = publicSessions(engine);
  assert.equal(publicSessions(engine), facade);
  assert.equal(engineOf(facade), engine);
  assert.equal(engineOf({ ...facade }), undefined);
  // The facade calls through to the engine.
  const events: string[] = [];
  const off = facade.on('revoked', (event) => events.push(event.reason));
  assert.deepEqual(await facade.listSessions('nobody'), []);
  assert.equal(await facade.revokeSession('nobody', 'handle'), false);
  assert.equal(await facade.revokeAllSessions('nobody'), 0);
  off();
  await facade.close();
  assert.deepEqual(events, []);
});
