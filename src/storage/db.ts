/**
 * The slice of a PostgreSQL connection Carnet needs. Two engines implement it: a `pg` pool
 * (PostgreSQL server) and PGlite (PostgreSQL in WASM, in-process). Same SQL on both.
 */
export type Engine = 'postgres' | 'pglite';

export type SqlParam = string | number | boolean | null | Date | Buffer | Uint8Array | readonly unknown[] | Record<string, unknown>;

export interface Queryable {
  query<T extends object = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
  /**
   * Inside a transaction on a server: waits for the process-local mutex of `key` and holds it
   * until the transaction ends, before taking a hot row lock (keyed-mutex.ts). Absent where
   * it would not help (PGlite has one connection; outside a transaction).
   */
  holdUntilEnd?(key: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly engine: Engine;
  /** Runs `fn` in one transaction: committed if it resolves, rolled back if it throws. */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  /** Runs a script of several statements (migrations). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}
