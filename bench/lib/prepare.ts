/**
 * Before measuring: create the session (read / write scenarios) and check the variant really
 * works — a read finds the session, a write increments — so a broken variant fails loudly instead
 * of benchmarking its error page.
 */
import { PATHS } from './routes.ts';
import type { Scenario } from './types.ts';

export interface Prepared {
  url: string;
  headers: Record<string, string>;
  /** What the first responses looked like (kept in the JSON for the record). */
  checks: { setCookieOnAnonymous?: boolean; setCookieOnRead?: boolean; setCookieOnWrite?: boolean };
}

async function get(url: string, cookie?: string): Promise<{ status: number; body: string; setCookie: string[] }> {
  const response = await fetch(url, { headers: cookie === undefined ? {} : { cookie } });
  return { status: response.status, body: await response.text(), setCookie: response.headers.getSetCookie() };
}

function expect(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

export async function prepare(port: number, scenario: Scenario, bare: boolean): Promise<Prepared> {
  const base = `http://127.0.0.1:${port}`;
  const url = base + PATHS[scenario];
  if (scenario === 'anonymous' || bare) {
    const first = await get(url);
    expect(first.status === 200, `GET ${PATHS[scenario]} answered ${first.status}: ${first.body.slice(0, 200)}`);
    return { url, headers: {}, checks: { setCookieOnAnonymous: first.setCookie.length > 0 } };
  }
  const setup = await get(base + PATHS.setup);
  expect(setup.status === 200, `GET ${PATHS.setup} answered ${setup.status}: ${setup.body.slice(0, 200)}`);
  expect(setup.setCookie.length > 0, `GET ${PATHS.setup} set no cookie: the session was not created`);
  const cookie = setup.setCookie.map((c) => c.split(';')[0]).join('; ');

  const read = await get(base + PATHS.read, cookie);
  expect(read.status === 200 && /^count=\d+$/.test(read.body), `GET ${PATHS.read} with the session cookie answered ${read.status} ${JSON.stringify(read.body.slice(0, 200))}: the session was not found`);
  const checks: Prepared['checks'] = { setCookieOnRead: read.setCookie.length > 0 };
  if (scenario === 'write') {
    const one = await get(base + PATHS.write, cookie);
    const two = await get(base + PATHS.write, cookie);
    expect(one.status === 200 && two.status === 200, `GET ${PATHS.write} answered ${one.status}/${two.status}`);
    const n1 = Number(/^count=(\d+)$/.exec(one.body)?.[1]);
    const n2 = Number(/^count=(\d+)$/.exec(two.body)?.[1]);
    expect(Number.isInteger(n1) && n1 >= 1, `GET ${PATHS.write} answered ${JSON.stringify(one.body)}`);
    // Cookie-held sessions (koa-session) keep the old value in the cookie the client replays; the write still happens.
    expect(Number.isInteger(n2) && n2 >= n1, `GET ${PATHS.write} twice answered ${JSON.stringify(one.body)} then ${JSON.stringify(two.body)}`);
    checks.setCookieOnWrite = one.setCookie.length > 0;
  }
  return { url, headers: { cookie }, checks };
}
