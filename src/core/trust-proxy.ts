/**
 * `trustProxy`: which hops in front of the app may tell us the protocol and the client address.
 *
 * Hops are numbered like proxy-addr numbers them over `X-Forwarded-For`: the socket peer is hop 0,
 * then the forwarded addresses from right to left (hop 1 is the proxy before the peer, ...).
 * Address matching is proxy-addr's `compile` (CIDRs, netmasks, IPv4-mapped IPv6, the names
 * 'loopback' / 'linklocal' / 'uniquelocal'); nothing here re-implements it.
 */
import proxyaddr from 'proxy-addr';
import { ConfigError } from './errors.ts';

/** `(addr, hopIndex) => trusted`; the peer is hop 0. A peer without an address is passed as ''. */
export type TrustFn = (addr: string, hopIndex: number) => boolean;

export type TrustProxyOption =
  | boolean
  | number
  | string
  | readonly string[]
  | ((addr: string, hopIndex: number) => boolean);

const VALID =
  'valid values: false (the default: trust no proxy), true (trust every hop), a hop count such as 1 ' +
  "(trust the nearest proxy only), addresses or CIDR ranges such as '10.0.0.7', '10.0.0.0/8', " +
  "'fd00::/8', the names 'loopback', 'linklocal', 'uniquelocal', a list of those (array or " +
  "comma-separated string), or a function (addr, hopIndex) => boolean";

const trustNothing: TrustFn = () => false;
const trustEverything: TrustFn = () => true;

/** Echo at most 64 characters of a user-supplied value in a message. */
function show(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = `'${value}'`;
  else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') text = String(value);
  else if (value === null) text = 'null';
  else if (Array.isArray(value)) text = 'an array';
  else text = `a value of type ${typeof value}`;
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
}

function fail(detail: string): never {
  throw new ConfigError(`trustProxy: ${detail}; ${VALID}`);
}

/** Turn the option into entries for proxy-addr, refusing the values that are a mistake. */
function collectEntries(option: string | readonly unknown[]): string[] {
  const raw: unknown[] = typeof option === 'string' ? [option] : [...option];
  const entries: string[] = [];
  for (const item of raw) {
    if (typeof item !== 'string') fail(`list entry ${show(item)} is not a string`);
    for (const part of item.split(',')) {
      const entry = part.trim();
      if (entry === '') fail(`empty entry in ${show(item)}`);
      if (entry === 'true' || entry === 'false') {
        fail(`${show(entry)} is a string; pass the boolean ${entry} instead`);
      }
      // ipaddr.js reads '1' as the address 0.0.0.1: almost certainly a hop count that came from
      // an environment variable.
      if (/^\d+$/.test(entry)) fail(`${show(entry)} is a string; pass the number ${entry} for a hop count`);
      entries.push(entry);
    }
  }
  return entries;
}

/** Compile a `trustProxy` option into a trust function; throws `ConfigError` when invalid. */
export function compileTrustProxy(option: TrustProxyOption | undefined): TrustFn {
  if (option === undefined || option === false) return trustNothing;
  if (option === true) return trustEverything;
  if (typeof option === 'function') return option;
  if (typeof option === 'number') {
    if (!Number.isSafeInteger(option) || option < 0) {
      fail(`${show(option)} is not a hop count (a whole number, 0 or more; use true to trust every hop)`);
    }
    if (option === 0) return trustNothing;
    const hops = option;
    return (_addr, hopIndex) => hopIndex < hops;
  }
  if (typeof option !== 'string' && !Array.isArray(option)) fail(`${show(option)} is not supported`);
  const entries = collectEntries(option as string | readonly unknown[]);
  if (entries.length === 0) return trustNothing;
  for (const entry of entries) {
    try {
      proxyaddr.compile(entry);
    } catch (error) {
      const message = error instanceof Error ? error.message : '';
      const reason = message.startsWith('invalid range')
        ? /\/0+$/.test(entry)
          ? 'a /0 range is not accepted (to trust every hop use true)'
          : 'the prefix length must be 1-32 for IPv4 and 1-128 for IPv6 (or an IPv4 netmask)'
        : "not an IP address, a CIDR range or one of 'loopback', 'linklocal', 'uniquelocal'";
      fail(`invalid entry ${show(entry)}: ${reason}`);
    }
  }
  return proxyaddr.compile(entries);
}

/** Whether the option trusts anything at all (for messages: "trustProxy is off" vs "not in it"). */
export function isTrustProxyConfigured(option: TrustProxyOption | undefined): boolean {
  if (option === undefined || option === false || option === 0) return false;
  if (typeof option === 'string') return option.trim() !== '';
  if (Array.isArray(option)) return option.length > 0;
  return true;
}
