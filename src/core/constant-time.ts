/**
 * Constant-time equality of two short strings (MACs), without allocating buffers: every UTF-16
 * code unit of both is compared, with no early exit and no branch on their content, so the time
 * taken says nothing about where they differ. The length is not secret here (MACs have a fixed
 * length) and is compared first.
 */
export function equalInConstantTime(a: string, b: string): boolean {
  const length = a.length;
  if (length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
