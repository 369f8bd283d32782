/** A connected node-redis v5 client for a variant (the client connect-redis documents). */
import { createClient } from 'redis';

export async function nodeRedis(url: string): Promise<{ client: ReturnType<typeof createClient>; close(): Promise<void> }> {
  const client = createClient({ url });
  client.on('error', (error: Error) => console.error('redis client:', error.message));
  await client.connect();
  return { client, close: async () => void (await client.close()) };
}
