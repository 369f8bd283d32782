/**
 * Running a store's CREATE … IF NOT EXISTS statements when several processes may do it at once
 * (shared by PostgresStore and PostgresTokenStore).
 */

/** What the statements need of a `pg` Pool. */
export interface PgDdlRunner {
  query(config: { text: string }): Promise<unknown>;
}

/** Catalog races of concurrent CREATE … IF NOT EXISTS: unique violation, duplicate table, duplicate object. */
const CREATE_RACE = new Set(['23505', '42P07', '42710']);
const CREATE_ATTEMPTS = 5;

/**
 * Two sessions running CREATE … IF NOT EXISTS at once: the loser fails on the catalog (unique
 * violation on pg_type / pg_class, "type already exists") instead of skipping. Run it again: by
 * then the winner has committed and IF NOT EXISTS sees its object. Other errors reject at once.
 */
export async function runCreateStatements(pool: PgDdlRunner, statements: readonly string[]): Promise<void> {
  for (const text of statements) {
    for (let attempt = 1; ; attempt++) {
      try {
        await pool.query({ text });
        break;
      } catch (err) {
        const code = (err as { code?: unknown } | null)?.code;
        if (attempt >= CREATE_ATTEMPTS || typeof code !== 'string' || !CREATE_RACE.has(code)) throw err;
        await new Promise((resolve) => setTimeout(resolve, 10 * attempt));
      }
    }
  }
}
