/**
 * A lockfile for a throwaway consumer app, cut from this repository's package-lock.json: the
 * packages the app names, everything they need by Node's resolution rules, at exactly the
 * versions and integrity hashes already installed here. `npm ci --offline` then installs the app
 * from npm's local cache alone, so the pack test needs no registry.
 */

interface LockEntry {
  version?: string;
  integrity?: string;
  resolved?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

export interface Lockfile {
  name?: string;
  lockfileVersion: number;
  requires?: boolean;
  packages: Record<string, LockEntry>;
}

/** Flags that describe the entry's place in *this* repository's tree, not in the consumer's. */
const TREE_FLAGS = ['dev', 'devOptional', 'optional', 'peer', 'extraneous'];

/**
 * Where `from` (a lock path such as `node_modules/a/node_modules/b`, or '' for the root) finds
 * package `name`: its own node_modules first, then each enclosing node_modules, as Node looks.
 */
export function resolveIn(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (packages[candidate] !== undefined) return candidate;
    if (base === '') return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut === -1 ? '' : base.slice(0, cut);
  }
}

/**
 * The closure of `roots` (package names at the top of the tree) in `source`, as a lockfile whose
 * root depends on each root at its exact locked version, plus `extra` entries (the tarball).
 */
export function consumerLock(source: Lockfile, roots: readonly string[], extra: Record<string, LockEntry>, rootDependencies: Record<string, string>): Lockfile {
  const packages = { ...source.packages, ...extra };
  const picked = new Map<string, LockEntry>();
  const queue: string[] = [];
  const add = (path: string): void => {
    if (picked.has(path)) return;
    picked.set(path, packages[path] as LockEntry);
    queue.push(path);
  };
  for (const name of roots) {
    const path = resolveIn(packages, '', name);
    if (path === undefined) throw new Error(`consumer-lock: ${name} is not in package-lock.json; add it to devDependencies`);
    add(path);
  }
  while (queue.length > 0) {
    const path = queue.shift() as string;
    const entry = picked.get(path) as LockEntry;
    const wanted: [string, boolean][] = [
      ...Object.keys(entry.dependencies ?? {}).map((n): [string, boolean] => [n, true]),
      ...Object.keys(entry.optionalDependencies ?? {}).map((n): [string, boolean] => [n, false]),
      ...Object.keys(entry.peerDependencies ?? {}).map((n): [string, boolean] => [n, false]),
    ];
    for (const [name, required] of wanted) {
      const found = resolveIn(packages, path, name);
      if (found !== undefined) add(found);
      else if (required) throw new Error(`consumer-lock: ${path} needs ${name}, which package-lock.json does not have`);
    }
  }
  const out: Record<string, LockEntry> = { '': { name: 'holdfast-consumer', version: '0.0.0', dependencies: rootDependencies } };
  for (const [path, entry] of [...picked].sort(([a], [b]) => a.localeCompare(b))) {
    const copy: LockEntry = { ...entry };
    for (const flag of TREE_FLAGS) delete copy[flag];
    out[path] = copy;
  }
  return { name: 'holdfast-consumer', lockfileVersion: 3, requires: true, packages: out };
}
