/**
 * The demo app (examples/basic, what `npm start` runs) as a child process on a loopback port of
 * its own, with a temporary data folder that `stop()` removes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { SOURCE_CONDITION } from '../../support/app-process.ts';
import { startTracked } from './processes.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface Demo {
  readonly port: number;
  /** Everything the app printed (stdout and stderr). */
  readonly output: string;
  stop(): Promise<void>;
}

export interface DemoOptions {
  /** TRUST_PROXY for the app; leave out for no trustProxy at all. */
  trustProxy?: string;
  nodeEnv?: 'production' | 'development';
  /** More environment for the app (IDLE_TIMEOUT, …). */
  env?: Record<string, string>;
}

export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const dataDir = mkdtempSync(join(tmpdir(), 'holdfast-e2e-demo-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: options.nodeEnv ?? 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: dataDir,
    SESSION_SECRET: randomBytes(32).toString('base64url'),
  };
  delete env.TRUST_PROXY;
  if (options.trustProxy !== undefined) env.TRUST_PROXY = options.trustProxy;
  Object.assign(env, options.env);
  const child = startTracked(process.execPath, [SOURCE_CONDITION, 'examples/basic/server.ts'], { name: 'demo', cwd: ROOT, env });
  let port: number;
  try {
    const match = await child.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
    port = Number(match[1]);
  } catch (error) {
    await child.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    get output() {
      return child.output;
    },
    async stop() {
      await child.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
