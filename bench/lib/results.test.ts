/**
 * The target verdicts and the context line under a ratio to a peer: the peer's own speed against
 * the bare framework, the target restated in bare terms, and the floor variant's ratio.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateTargets, Results, type Measurement } from './results.ts';
import type { Scenario, Variant } from './types.ts';

const start = (): Promise<never> => Promise.reject(new Error('not started in this test'));

function variant(name: string, role: Variant['role'], extra: Partial<Variant> = {}): Variant {
  return { name, label: name, suite: 'core', role, scenarios: ['read'], start, ...extra };
}

const VARIANTS: Variant[] = [
  variant('express', 'bare', { label: 'bare' }),
  variant('express-session-memory', 'peer', { label: 'peer', bare: 'express' }),
  variant('holdfast-express-memory', 'holdfast', { peer: 'express-session-memory', bare: 'express' }),
  variant('express-memory-floor', 'floor', { label: 'floor', peer: 'express-session-memory', bare: 'express' }),
];

function measured(name: string, scenario: Scenario, rps: number, cpuBestUs?: number): Measurement {
  const v = VARIANTS.find((candidate) => candidate.name === name);
  assert.ok(v, `${name} is one of the test variants`);
  return { variant: name, label: v.label, role: v.role, scenario, runs: [], rps, p99: 1, cpuBestUs, errors: 0, non2xx: 0, checks: {} };
}

function readTarget(results: Results) {
  const found = evaluateTargets(results).find((t) => t.target.issue === 2 && t.target.kind === 'ratio' && t.target.scenario === 'read' && t.target.against === 'express-session-memory' && t.target.variant === 'holdfast-express-memory');
  assert.ok(found, 'the issue 2 read-only target is defined');
  return found;
}

test('a peer at 0.53× bare makes "2× the peer" 1.06× bare: the context says no middleware can reach it', () => {
  const results = new Results(VARIANTS);
  results.add(measured('express', 'anonymous', 40_000));
  results.add(measured('express-session-memory', 'read', 21_200, 50));
  results.add(measured('holdfast-express-memory', 'read', 34_000));
  results.add(measured('express-memory-floor', 'read', 37_100, 27));
  const t = readTarget(results);
  assert.equal(t.pass, false);
  assert.equal(t.value?.toFixed(2), '1.60');
  assert.match(t.context ?? '', /peer runs at 0\.53× bare here \(the issue measured 0\.39×\), so 2× it is 1\.06× bare: faster than the bare framework, out of reach for any middleware/);
  assert.match(t.context ?? '', /floor reaches 1\.75× \(best runs 1\.85×\)/);
});

test('a peer as slow as the issue measured: the target in bare terms, no out-of-reach remark', () => {
  const results = new Results(VARIANTS);
  results.add(measured('express', 'anonymous', 40_000));
  results.add(measured('express-session-memory', 'read', 15_600));
  results.add(measured('holdfast-express-memory', 'read', 32_000));
  const t = readTarget(results);
  assert.equal(t.pass, true);
  assert.equal(t.context, 'peer runs at 0.39× bare here (the issue measured 0.39×), so 2× it is 0.78× bare');
});

test('no context for a ratio to the bare framework, nor when the peer was not measured', () => {
  const results = new Results(VARIANTS);
  results.add(measured('express', 'anonymous', 40_000));
  results.add(measured('holdfast-express-memory', 'read', 32_000));
  const all = evaluateTargets(results);
  const vsBare = all.find((t) => t.target.kind === 'ratio' && t.target.variant === 'holdfast-express-memory' && t.target.scenario === 'read' && t.target.against === 'express');
  assert.equal(vsBare?.pass, true);
  assert.equal(vsBare?.context, undefined);
  assert.equal(readTarget(results).pass, undefined);
});
