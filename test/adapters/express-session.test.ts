/**
 * The drop-in's behaviour, table-driven (options × requests × expectations), run over real HTTP
 * on Express 5 and Express 4 against BOTH the real express-session 1.19 and
 * holdfast/express-session. A row with a single expectation proves the drop-in does what
 * express-session does; `{ holdfast, es }` marks a deliberate difference (each one is listed in
 * docs/express-session-migration.md).
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, describe, it } from 'node:test';
import {
  Client,
  counting,
  dropIn,
  EXPRESS_VERSIONS,
  json,
  realSession,
  recordingLogger,
  SECRET,
  sessionLine,
  startApp,
  type Counting,
  type Impl,
  type RunningApp,
} from './express-session-harness.ts';

/** A cookie value signed the express-session way with the test secret. */
function signed(id: string): string {
  const mac = createHmac('sha256', SECRET).update(id).digest('base64').replace(/=+$/, '');
  return encodeURIComponent(`s:${id}.${mac}`);
}

type Per<T> = T | { holdfast: T; es: T };
type Ops = Partial<Record<'get' | 'set' | 'destroy' | 'touch', Per<number>>>;

interface Step {
  path: string;
  /** The session Set-Cookie of the response: sent, absent, or deleting the cookie. */
  cookie?: Per<'set' | 'none' | 'cleared'>;
  /** Exact store calls made while serving this request (unlisted get/set/destroy: 0; touch: not checked). */
  ops?: Ops;
  status?: number;
  /** Compared with the response's `data` (session data without cookie). */
  data?: Per<Record<string, unknown> | null>;
  /** The session ID compared with the previous step's. */
  id?: 'same' | 'new';
  /** Send this instead of the jar's cookie. */
  rawCookie?: string;
  /** Extra check. */
  check?: (res: Awaited<ReturnType<Client['get']>>, ctx: { store: Counting & { sessions: Record<string, string> }; client: Client }) => void;
}

interface Row {
  name: string;
  options?: Record<string, unknown>;
  steps: Step[];
}

const pick = <T,>(value: Per<T>, impl: Impl): T =>
  value !== null && typeof value === 'object' && 'holdfast' in (value as object) && 'es' in (value as object)
    ? (value as { holdfast: T; es: T })[impl === 'holdfast' ? 'holdfast' : 'es']
    : (value as T);

const ROWS: Row[] = [
  { name: 'anonymous request that never touches the session: no cookie, no store call', steps: [{ path: '/noop', cookie: 'none', ops: {} }] },
  { name: 'anonymous request that reads the session: no cookie, no store call', steps: [{ path: '/read', cookie: 'none', ops: {}, data: {} }] },
  { name: 'first write: cookie and one store write', steps: [{ path: '/set?k=a&v=1', cookie: 'set', ops: { set: 1 }, data: { a: '1' } }] },
  {
    name: 'read-only with resave false: no write, no cookie; store.touch every request (express-session) / once per touchAfter (drop-in)',
    steps: [
      { path: '/set?k=a&v=1', cookie: 'set', ops: { set: 1 } },
      { path: '/read', cookie: 'none', ops: { get: 1, touch: { holdfast: 0, es: 1 } }, data: { a: '1' }, id: 'same' },
      { path: '/read', cookie: 'none', ops: { get: 1, touch: { holdfast: 0, es: 1 } }, id: 'same' },
    ],
  },
  {
    name: 'touchAfter: false restores a store.touch on every read-only request',
    options: { touchAfter: false },
    steps: [
      { path: '/set?k=a&v=1', cookie: 'set', ops: { set: 1 } },
      { path: '/read', cookie: 'none', ops: { get: 1, touch: 1 } },
      { path: '/read', cookie: 'none', ops: { get: 1, touch: 1 } },
    ],
  },
  {
    name: 'saveUninitialized true: every new visitor is stored and gets a cookie',
    options: { saveUninitialized: true },
    steps: [
      { path: '/noop', cookie: 'set', ops: { set: 1 } },
      { path: '/noop', cookie: 'none', ops: { get: 1, touch: { holdfast: 0, es: 1 } }, id: 'same' },
    ],
  },
  {
    name: 'resave true: the session is written back on every request',
    options: { resave: true },
    steps: [
      { path: '/set?k=a&v=1', cookie: 'set', ops: { set: 1 } },
      { path: '/read', cookie: 'none', ops: { get: 1, set: 1 } },
      { path: '/noop', cookie: 'none', ops: { get: 1, set: 1 } },
    ],
  },
  {
    name: 'nested mutation is a change',
    steps: [
      { path: '/push?v=x', cookie: 'set', ops: { set: 1 }, data: { list: ['x'] } },
      { path: '/push?v=y', cookie: 'none', ops: { get: 1, set: 1 }, data: { list: ['x', 'y'] } },
      { path: '/read', ops: { get: 1 }, data: { list: ['x', 'y'] } },
    ],
  },
  {
    name: 'assigning the value a key already has is not a change',
    steps: [
      { path: '/set?k=k&v=1', cookie: 'set', ops: { set: 1 } },
      { path: '/same', cookie: 'none', ops: { get: 1, set: 0 } },
    ],
  },
  {
    name: 'cookie.maxAge: the cookie is sent again (new Expires) only when the session changed',
    options: { cookie: { maxAge: 60_000 } },
    steps: [
      { path: '/set?k=a&v=1', cookie: 'set', check: (res) => assert.match(sessionLine(res) ?? '', /; Expires=/) },
      { path: '/read', cookie: 'none', ops: { get: 1 } },
      { path: '/set?k=a&v=2', cookie: 'set', ops: { get: 1, set: 1 } },
    ],
  },
  {
    name: 'rolling: the cookie goes out on every response, and the store is touched',
    options: { rolling: true, cookie: { maxAge: 60_000 } },
    steps: [
      { path: '/set?k=a&v=1', cookie: 'set', ops: { set: 1 } },
      { path: '/read', cookie: 'set', ops: { get: 1, touch: 1 }, id: 'same' },
      { path: '/noop', cookie: 'set', ops: { get: 1, touch: 1 }, id: 'same' },
    ],
  },
  {
    name: 'handler sets cookie.maxAge and a value: Expires sent, record written',
    steps: [{ path: '/maxage?ms=120000', cookie: 'set', ops: { set: 1 }, check: (res) => assert.match(sessionLine(res) ?? '', /; Expires=/) }],
  },
  {
    name: 'regenerate(): new ID, old record destroyed, new cookie',
    steps: [
      { path: '/set?k=a&v=1', cookie: 'set' },
      {
        path: '/regenerate?user=ada',
        cookie: 'set',
        ops: { get: 1, destroy: 1, set: 1 },
        id: 'new',
        data: { user: 'ada' },
      },
      { path: '/read', ops: { get: 1 }, data: { user: 'ada' }, id: 'same' },
    ],
  },
  {
    name: 'destroy(): record gone; the drop-in also deletes the cookie',
    steps: [
      { path: '/set?k=a&v=1', cookie: 'set' },
      { path: '/destroy', cookie: { holdfast: 'cleared', es: 'none' }, ops: { get: 1, destroy: 1 } },
      // express-session's browser still sends the dead cookie: one more store read per request.
      { path: '/read', cookie: 'none', ops: { get: { holdfast: 0, es: 1 } }, data: {} },
    ],
  },
  {
    name: "unset 'destroy': req.session = null destroys the record (drop-in: and the cookie)",
    options: { unset: 'destroy' },
    steps: [
      { path: '/set?k=a&v=1', cookie: 'set' },
      { path: '/unset', cookie: { holdfast: 'cleared', es: 'none' }, ops: { get: 1, destroy: 1 } },
      { path: '/read', data: {}, ops: { get: { holdfast: 0, es: 1 } } },
    ],
  },
  {
    name: "unset 'keep' (default): req.session = null keeps the record and the cookie",
    steps: [
      { path: '/set?k=a&v=1', cookie: 'set' },
      { path: '/unset', cookie: 'none', ops: { get: 1 } },
      { path: '/read', data: { a: '1' }, ops: { get: 1 } },
    ],
  },
  {
    name: 'a request outside cookie.path has no session',
    options: { cookie: { path: '/admin' } },
    steps: [{ path: '/has-session', cookie: 'none', ops: {}, check: (res) => assert.deepEqual(json(res), { has: false }) }],
  },
  {
    name: 'save() in the handler: the end of the request does not write again',
    steps: [{ path: '/save-then-change', cookie: 'set', ops: { set: 1 } }],
  },
  {
    name: 'a cookie with a bad signature never reaches the store',
    steps: [
      { path: '/set?k=a&v=1', cookie: 'set' },
      { path: '/read', rawCookie: 'connect.sid=s%3Aforged-id.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', ops: {}, data: {} },
    ],
  },
  {
    name: 'an unknown (expired) session ID: one store read, then a new session',
    steps: [{ path: '/read', rawCookie: `connect.sid=${signed('no-such-session')}`, ops: { get: 1 }, data: {}, cookie: 'none' }],
  },
  {
    name: 'streaming response (headers before end): cookie set at writeHead, written before the end',
    steps: [
      {
        path: '/stream',
        cookie: 'set',
        ops: { set: 1 },
        check: (res) => assert.equal(res.body, 'part1 part2'),
      },
      { path: '/read', data: { streamed: true } },
    ],
  },
  {
    name: 'custom name and genid',
    options: { name: 'app.sid', genid: () => `id-${Math.random().toString(36).slice(2)}` },
    steps: [{ path: '/set?k=a&v=1', check: (res) => assert.match(sessionLine(res, 'app.sid') ?? '', /^app\.sid=s%3Aid-/) }],
  },
];

const servers: RunningApp[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

function storeFor(impl: Impl): Counting & { sessions: Record<string, string> } {
  const base = impl === 'holdfast' ? new dropIn.MemoryStore() : new realSession.MemoryStore();
  return counting(base) as unknown as Counting & { sessions: Record<string, string> };
}

async function runRow(impl: Impl, expressFactory: (typeof EXPRESS_VERSIONS)[number][1], row: Row): Promise<void> {
  const store = storeFor(impl);
  const options: Record<string, unknown> = { secret: SECRET, resave: false, saveUninitialized: false, store, ...row.options };
  if (impl === 'holdfast') options.logger = recordingLogger();
  else delete options.touchAfter;
  const app = await startApp({ impl, express: expressFactory, options });
  servers.push(app);
  const name = typeof row.options?.name === 'string' ? row.options.name : 'connect.sid';
  const client = new Client(app, name);
  let lastId: string | undefined;
  for (const [i, step] of row.steps.entries()) {
    const label = `step ${i + 1} ${step.path}`;
    store.reset();
    const res = await client.get(step.path, step.rawCookie === undefined ? {} : { cookie: step.rawCookie });
    // the store call that ends a request may settle just after the response on express-session
    await new Promise((r) => setImmediate(r));
    assert.equal(res.status, step.status ?? 200, `${label}: status (${res.body})`);
    if (step.cookie !== undefined) {
      const line = res.setCookies.find((c) => c.startsWith(`${name}=`));
      const seen = line === undefined ? 'none' : /expires=thu, 01 jan 1970/i.test(line) ? 'cleared' : 'set';
      assert.equal(seen, pick(step.cookie, impl), `${label}: Set-Cookie ${line ?? '(none)'}`);
    }
    if (step.ops !== undefined) {
      for (const method of ['get', 'set', 'destroy', 'touch'] as const) {
        // touch is only checked where a row is about it (express-session touches on every read)
        if (method === 'touch' && step.ops.touch === undefined) continue;
        const want: number = step.ops[method] === undefined ? 0 : pick<number>(step.ops[method], impl);
        assert.equal(store.counts[method], want, `${label}: store.${method} calls`);
      }
    }
    if (step.data !== undefined) assert.deepEqual(json(res).data, pick(step.data, impl), `${label}: data`);
    const body = res.body.startsWith('{') ? json(res) : {};
    const id = typeof body.id === 'string' ? body.id : client.id;
    if (step.id === 'same') assert.equal(id, lastId, `${label}: same session ID`);
    if (step.id === 'new') assert.notEqual(id, lastId, `${label}: new session ID`);
    step.check?.(res, { store, client });
    lastId = id;
  }
}

for (const [version, factory] of EXPRESS_VERSIONS) {
  for (const impl of ['express-session', 'holdfast'] as const) {
    describe(`${impl} on ${version}`, () => {
      for (const row of ROWS) {
        it(row.name, () => runRow(impl, factory, row));
      }
    });
  }
}
