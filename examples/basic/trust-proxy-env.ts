/**
 * TRUST_PROXY from the environment, as holdfast's trustProxy option: unset or empty → false,
 * `true` / `false`, a hop count such as `1` (one proxy: nginx, a load balancer), or addresses /
 * CIDR ranges such as `10.0.0.7,10.0.0.0/8` (holdfast checks and explains a bad entry).
 */
import type { TrustProxyOption } from 'holdfast';

export function trustProxyFromEnv(value: string | undefined): TrustProxyOption {
  const text = value?.trim() ?? '';
  if (text === '' || text === 'false') return false;
  if (text === 'true') return true;
  if (/^\d+$/.test(text)) return Number(text);
  return text;
}
