/**
 * The bytes of recent uploads, kept in this process beside the scan they were audited into, so a fix
 * can be planned on the files as they were uploaded (the files are the uploader's: the console never
 * writes them anywhere; it offers the fixed copies for download). Only the most recent uploads are
 * kept (like the shelf), and a restart forgets them: a plan then asks for the files again.
 *
 * The upload route is not changed for this: a handler in front of it keeps the upload's files once the
 * upload route has answered with its redirect to the new scan (Hono keeps the parsed body, so reading
 * it again costs nothing).
 */
import type { Ctx, ConsoleApp } from './route-kit.js';
import { formOf } from './route-kit.js';
import type { UploadedFile } from './scan-upload.js';

export class UploadBytes {
  readonly #byScan = new Map<number, readonly UploadedFile[]>();
  constructor(private readonly keep = 20) {}

  set(scan: number, files: readonly UploadedFile[]): void {
    this.#byScan.set(scan, files);
    while (this.#byScan.size > this.keep) this.#byScan.delete(this.#byScan.keys().next().value!);
  }

  /** The files as uploaded (archives unopened), or undefined when no longer held. */
  get(scan: number): readonly UploadedFile[] | undefined {
    return this.#byScan.get(scan);
  }
}

async function filesOfForm(c: Ctx): Promise<UploadedFile[]> {
  const form = await formOf(c);
  const raw = form['files'];
  const out: UploadedFile[] = [];
  for (const f of raw === undefined ? [] : Array.isArray(raw) ? raw : [raw])
    if (typeof f !== 'string') out.push({ path: f.name, bytes: new Uint8Array(await f.arrayBuffer()) });
  return out;
}

/** Keep the files of each successful upload (`POST /scans` answered 303 to `/scans/<id>`). Register before the upload route. */
export function keepUploadBytes(app: ConsoleApp, bytes: UploadBytes): void {
  app.post('/scans', async (c, next) => {
    await next();
    const to = c.res.status === 303 ? /^\/scans\/([0-9]+)$/.exec(c.res.headers.get('location') ?? '') : null;
    if (to !== null) bytes.set(Number(to[1]), await filesOfForm(c));
  });
}
