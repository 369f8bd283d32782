/**
 * Fastify's own `trustProxy`, for when the user gave holdfast none.
 *
 * Fastify keeps the option only on an internal symbol (`initialConfig` leaves it out), so it is
 * looked up by the symbol's description; if a future Fastify moves it, the answer is simply
 * "no framework trust" (holdfast's default: trust no proxy), never a wider trust.
 *
 * Semantics follow Fastify 5's: true trusts every hop; addresses / CIDRs (string, comma-separated
 * string or array) and functions are compiled as proxy-addr compiles them. A *number* is a hop
 * count that Fastify 5 refuses to honour (it cannot validate the immediate peer, so Fastify trusts
 * nothing); holdfast follows Fastify and says so once.
 */
import { ConfigError } from '../../core/errors.ts';
import { compileTrustProxy, type TrustFn, type TrustProxyOption } from '../../core/trust-proxy.ts';

export interface FrameworkTrust {
  /** The compiled trust, or undefined to use holdfast's default. */
  trust: TrustFn | undefined;
  /** A one-time warning to give at registration. */
  warning: string | undefined;
}

const trustNothing: TrustFn = () => false;

/** Read Fastify's `trustProxy` from an instance (or any encapsulated child of it). */
export function fastifyTrustOption(instance: object): unknown {
  for (let o: object | null = instance; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    for (const sym of Object.getOwnPropertySymbols(o)) {
      if (sym.description !== 'fastify.options') continue;
      const options = (o as Record<symbol, unknown>)[sym];
      return options !== null && typeof options === 'object' ? (options as { trustProxy?: unknown }).trustProxy : undefined;
    }
  }
  return undefined;
}

/** Compile Fastify's option into the trust holdfast uses; a bad value is a ConfigError. */
export function fastifyTrust(option: unknown): FrameworkTrust {
  if (option === undefined || option === null || option === false) return { trust: undefined, warning: undefined };
  if (typeof option === 'number') {
    return {
      trust: trustNothing,
      warning:
        `Fastify's trustProxy is the hop count ${option}, which Fastify 5 does not honour (it trusts no proxy), ` +
        'so holdfast trusts none either and no forwarded https is believed; give Fastify the proxy addresses ' +
        "(e.g. trustProxy: '10.0.0.0/8') or pass trustProxy to holdfast",
    };
  }
  try {
    return { trust: compileTrustProxy(option as TrustProxyOption), warning: undefined };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`holdfast cannot use Fastify's own trustProxy (pass trustProxy to holdfast instead): ${detail}`);
  }
}
