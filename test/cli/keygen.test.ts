import { execFileSync, spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { keygen } from '../../src/cli/index.ts';
import { createSessions } from '../../src/index.ts';
import { MemoryStore } from '../../src/stores/memory/index.ts';

const cli = new URL('../../src/cli/index.ts', import.meta.url).pathname;

describe('holdfast keygen', () => {
  it('prints a secret that production accepts', () => {
    const out = execFileSync(process.execPath, [cli, 'keygen'], { encoding: 'utf8' }).trim();
    assert.match(out, /^[A-Za-z0-9_-]{43}$/);
    const store = new MemoryStore({ allowInProduction: true, sweepInterval: 0 });
    assert.doesNotThrow(() => createSessions({ secrets: out, store, production: true }));
  });

  it('never repeats', () => {
    const seen = new Set(Array.from({ length: 200 }, () => keygen()));
    assert.equal(seen.size, 200);
  });

  it('refuses too few bytes and unknown commands with exit 2', () => {
    assert.equal(spawnSync(process.execPath, [cli, 'keygen', '--bytes', '8']).status, 2);
    const unknown = spawnSync(process.execPath, [cli, 'nope'], { encoding: 'utf8' });
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown command/);
  });
});
