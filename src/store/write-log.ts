/**
 * The API's write log (table `api_writes`): who wrote what, under which request id, with what outcome.
 * Appends made while one batch is being committed are grouped into the next transaction (one commit
 * serves them all), and each `append` resolves only once its row is durable.
 */
import type { Store } from './store.js';
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

interface Pending {
  readonly record: WriteRecord;
  readonly done: (e?: Error) => void;
}

const COLUMNS = 'request_id, time, actor, method, path, status, code';

export class WriteLog {
  #queue: Pending[] = [];
  #running = false;

  constructor(readonly store: Store) {}

  append(record: WriteRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({
        record,
        done: (e) => (e === undefined ? resolve() : reject(e)),
      });
      if (!this.#running) {
        this.#running = true;
        queueMicrotask(() => void this.#drain());
      }
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      try {
        await this.store.transaction(async (tx) => {
          for (const part of chunks(batch, 100)) {
            await tx.run(
              `INSERT INTO api_writes (${COLUMNS}) VALUES ${valuesPlaceholders(part.length, 7)}`,
              part.flatMap(({ record: r }) => [
                r.requestId,
                r.time,
                r.actor,
                r.method,
                r.path,
                r.status,
                r.code,
              ]),
            );
          }
        });
        for (const p of batch) p.done();
      } catch (e) {
        const error = e instanceof Error ? e : new Error('the API write log could not be written');
        for (const p of batch) p.done(error);
      }
    }
    this.#running = false;
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
