/**
 * Import a module without letting TypeScript see its declarations. Used for peer libraries whose
 * type augmentations clash with holdfast's in the one tsc program (`@fastify/session` and
 * holdfast/fastify both declare `FastifyRequest.session`; `koa-session` and holdfast/koa both
 * declare the Koa context's `session`), and for holdfast entry points not in the tree yet.
 */
export async function importUntyped<T>(specifier: string): Promise<T> {
  const name: string = specifier;
  return (await import(name)) as T;
}
