/**
 * The drop-in: holdfast/express-session with express-session's own options (secret,
 * resave: false, saveUninitialized: false) and its MemoryStore export, on Express 5.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { RequestHandler } from 'express';
import { startExpress } from '../lib/express-app.ts';
import type { Bag } from '../lib/routes.ts';
import { serve } from '../lib/serve.ts';
import { defineVariant } from '../lib/types.ts';
import { importUntyped } from '../lib/untyped-import.ts';

const ROOT = new URL('../../', import.meta.url);

/** The package's own export of holdfast/express-session, once it has one. */
function exported(): string[] {
  try {
    const pkg = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { exports?: Record<string, unknown> };
    const target = pkg.exports?.['./express-session'];
    return typeof target === 'string' ? [target.replace(/^\.\//, '')] : [];
  } catch {
    return [];
  }
}

/** Where the drop-in may live (the first that exists is used). */
const CANDIDATES = [...exported(), 'src/compat/express-session/index.ts', 'src/adapters/express-session/index.ts'];
const ENTRY = CANDIDATES.find((f) => existsSync(new URL(f, ROOT))) ?? (CANDIDATES[0] as string);

interface DropIn {
  default: ((options: Record<string, unknown>) => RequestHandler) & { MemoryStore?: new () => unknown };
  MemoryStore?: new () => unknown;
}

const variant = defineVariant({
  name: 'holdfast-express-session-dropin',
  label: 'holdfast/express-session (drop-in)',
  suite: 'frameworks',
  role: 'holdfast',
  scenarios: ['anonymous', 'read', 'write'],
  peer: 'express-session-memory',
  bare: 'express',
  needsFiles: [ENTRY],
  start: async (_scenario, env) => {
    // Untyped until the entry lands (it may not be in the tree when this file is type-checked).
    const dropIn = await importUntyped<DropIn>(new URL(ENTRY, ROOT).href);
    const MemoryStore = dropIn.MemoryStore ?? dropIn.default.MemoryStore;
    if (MemoryStore === undefined) throw new Error('holdfast/express-session exports no MemoryStore');
    return startExpress({
      middleware: dropIn.default({ secret: env.secret, resave: false, saveUninitialized: false, store: new MemoryStore() }),
      bag: (req) => (req as unknown as { session: Bag }).session,
    });
  },
});
export default variant;

if (import.meta.main) await serve(variant);
