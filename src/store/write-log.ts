/**
 * The API's write log (table `api_writes`): who wrote what, under which request id, with what outcome.
 * Appends of one round share a unit of the group commit (src/store/group-commit.ts): one commit serves
 * them and the round's other writes, and each `append` resolves only once its row is durable.
 */
import { GroupCommit } from './group-commit.js';
import type { SqlSession, Store } from './store.js';
import { chunks, valuesPlaceholders } from './sql.js';

export interface WriteRecord {
  readonly requestId: string;
  readonly time: number;
  /** The token's name. */
  readonly actor: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** The macfleet error code of a refused write, else null. */
  readonly code: string | null;
}

export interface WriteEntry extends WriteRecord {
  readonly id: number;
}

const COLUMNS = 'request_id, time, actor, method, path, status, code';

export class WriteLog {
  #queue: WriteRecord[] = [];
  #flush: Promise<void> | undefined;

  /** `commits`: share the API's group commit, so a round's records go to disk with its allocations. */
  constructor(
    readonly store: Store,
    readonly commits: GroupCommit = new GroupCommit(store),
  ) {}

  /** Resolves once the record is durable (committed with the other records and writes of its round). */
  append(record: WriteRecord): Promise<void> {
    this.#queue.push(record);
    return (this.#flush ??= this.commits.run(async (tx) => {
      const records = this.#queue;
      this.#queue = [];
      this.#flush = undefined;
      await WriteLog.insert(tx, records);
    }));
  }

  /**
   * Write records in the caller's transaction: a write that records itself in its own transaction
   * (an allocation does) is durable with its record or not at all, and needs no second round.
   */
  static async insert(tx: SqlSession, records: readonly WriteRecord[]): Promise<void> {
    for (const part of chunks(records, 100)) {
      await tx.run(
        `INSERT INTO api_writes (${COLUMNS}) VALUES ${valuesPlaceholders(part.length, 7)}`,
        part.flatMap((r) => [r.requestId, r.time, r.actor, r.method, r.path, r.status, r.code]),
      );
    }
  }

  /** The newest entries first, `limit` of them, before the entry `before` (an id) when given. */
  list(options: {
    limit: number;
    before?: number | undefined;
    requestId?: string | undefined;
  }): Promise<WriteEntry[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (options.before !== undefined) {
      where.push('id < ?');
      params.push(options.before);
    }
    if (options.requestId !== undefined) {
      where.push('request_id = ?');
      params.push(options.requestId);
    }
    return this.store.transaction(
      async (tx) =>
        (
          await tx.all<{
            id: number;
            request_id: string;
            time: number;
            actor: string;
            method: string;
            path: string;
            status: number;
            code: string | null;
          }>(
            `SELECT id, ${COLUMNS} FROM api_writes ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`} ORDER BY id DESC LIMIT ?`,
            [...params, options.limit],
          )
        ).map((r) => ({
          id: Number(r.id),
          requestId: r.request_id,
          time: Number(r.time),
          actor: r.actor,
          method: r.method,
          path: r.path,
          status: r.status,
          code: r.code,
        })),
      { mode: 'read' },
    );
  }
}
