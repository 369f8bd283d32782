/** The token field of a request body a framework's parser already produced. */

/** `body[field]` when `body` is a parsed object and the field a string (first value of a repeated field too). */
export function formField(body: unknown, field: string): string | undefined {
  if (body === null || typeof body !== 'object' || !Object.hasOwn(body, field)) return undefined;
  const value = (body as Record<string, unknown>)[field];
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : undefined;
  return typeof value === 'string' ? value : undefined;
}
