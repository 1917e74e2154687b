/**
 * Scan upload: configuration files sent from a browser, or one archive (zip, tar, tar.gz) holding a
 * tree of them, read with the scanner's own per-file parser and audited with the scanner's audit, so
 * an upload finds what `macfleet scan` finds on the same files. Archives are bounded: entries, bytes
 * expanded in all, and bytes per file (a decompression bomb stops at the bound with a clear refusal).
 */
import { Readable } from 'node:stream';
import { Gunzip, unzipSync } from 'fflate';
import { extract } from 'tar-stream';
import { Auditor } from '../audit/index.js';
import { MacfleetError } from '../errors.js';
import type { AdapterRecord, FormatIssue, FormatName } from '../formats/types.js';
import { hostMatcher } from './host-from-path.js';
import { parseFileBytes } from './read-config.js';
import { DEFAULT_MAX_FILE_SIZE, type ScanResult } from './scan.js';

export interface UploadedFile {
  /** The path inside the upload (a file's name, or its path in the archive). */
  readonly path: string;
  readonly bytes: Uint8Array;
  /** An archive entry left unread, and why (reported as an issue of the scan; `bytes` is empty). */
  readonly skipped?: { readonly code: 'TOO_LARGE' | 'UNSAFE_PATH'; readonly message: string };
}

const NO_BYTES = new Uint8Array();
const tooLargeEntry = (path: string, size: number, limits: UploadLimits): UploadedFile => ({
  path,
  bytes: NO_BYTES,
  skipped: {
    code: 'TOO_LARGE',
    message: `skipped: ${size} bytes is over the upload's per-file limit of ${limits.maxFileBytes}`,
  },
});
const unsafeEntry = (name: string): UploadedFile => ({
  path: name,
  bytes: NO_BYTES,
  skipped: { code: 'UNSAFE_PATH', message: 'skipped: the path leaves the archive (`..`)' },
});

export interface UploadLimits {
  /** The request body as sent: the files, or the archive (compressed). */
  readonly maxUploadBytes: number;
  readonly maxFiles: number;
  /** Every file together once unpacked. */
  readonly maxTotalBytes: number;
  readonly maxFileBytes: number;
}

export const UPLOAD_LIMITS: UploadLimits = {
  maxUploadBytes: 64 * 1024 * 1024,
  maxFiles: 20_000,
  maxTotalBytes: 256 * 1024 * 1024,
  maxFileBytes: DEFAULT_MAX_FILE_SIZE,
};

const tooBig = (what: string): MacfleetError =>
  new MacfleetError('LIMIT_EXCEEDED', `the upload is too large: ${what}`, { location: { field: 'files' } });

/** A path as it may appear in a report: forward slashes, no leading `/` or `./`, no `..` segment. */
function cleanPath(name: string): string | undefined {
  const parts = name
    .replace(/\\/g, '/')
    .split('/')
    .filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.includes('..')) return undefined;
  return parts.join('/');
}

/** What an upload's bytes are, by their first bytes. */
export function archiveKind(b: Uint8Array): 'zip' | 'gzip' | 'tar' | undefined {
  return isZip(b) ? 'zip' : isGzip(b) ? 'gzip' : isTar(b) ? 'tar' : undefined;
}

const isZip = (b: Uint8Array) => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 3 && b[3] === 4;
const isGzip = (b: Uint8Array) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
const isTar = (b: Uint8Array) =>
  b.length >= 262 && Buffer.from(b.subarray(257, 262)).toString('latin1') === 'ustar';

function gunzipBounded(bytes: Uint8Array, limit: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  const g = new Gunzip((chunk) => {
    total += chunk.length;
    if (total > limit) throw tooBig(`more than ${limit} bytes once decompressed`);
    parts.push(chunk);
  });
  g.push(bytes, true);
  return Buffer.concat(parts);
}

function unzipBounded(bytes: Uint8Array, limits: UploadLimits): UploadedFile[] {
  let count = 0;
  let total = 0;
  const skipped: UploadedFile[] = [];
  const files = unzipSync(bytes, {
    filter: (f) => {
      if (f.name.endsWith('/')) return false;
      if (++count > limits.maxFiles) throw tooBig(`more than ${limits.maxFiles} files`);
      if (cleanPath(f.name) === undefined) {
        skipped.push(unsafeEntry(f.name));
        return false;
      }
      if (f.originalSize > limits.maxFileBytes) {
        skipped.push(tooLargeEntry(cleanPath(f.name)!, f.originalSize, limits));
        return false;
      }
      total += f.originalSize;
      if (total > limits.maxTotalBytes) throw tooBig(`more than ${limits.maxTotalBytes} bytes expanded`);
      return true;
    },
  });
  const out: UploadedFile[] = [...skipped];
  for (const [name, data] of Object.entries(files)) {
    const path = cleanPath(name)!;
    // The header's size may lie: the bytes as inflated are what count.
    out.push(
      data.length <= limits.maxFileBytes ? { path, bytes: data } : tooLargeEntry(path, data.length, limits),
    );
  }
  return out;
}

async function untarBounded(bytes: Uint8Array, limits: UploadLimits): Promise<UploadedFile[]> {
  const out: UploadedFile[] = [];
  const ex = extract();
  let total = 0;
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      const path = cleanPath(header.name);
      const size = header.size ?? 0;
      const wanted = header.type === 'file' && path !== undefined && size <= limits.maxFileBytes;
      if (header.type === 'file' && !wanted)
        out.push(path === undefined ? unsafeEntry(header.name) : tooLargeEntry(path, size, limits));
      const chunks: Uint8Array[] = [];
      stream.on('data', (c: unknown) => {
        if (!(c instanceof Uint8Array)) return;
        if (!wanted) return;
        total += c.length;
        if (total > limits.maxTotalBytes) {
          ex.destroy(tooBig(`more than ${limits.maxTotalBytes} bytes expanded`));
          return;
        }
        chunks.push(c);
      });
      stream.on('end', () => {
        if (wanted) {
          if (out.length >= limits.maxFiles) {
            ex.destroy(tooBig(`more than ${limits.maxFiles} files`));
            return;
          }
          out.push({ path: path, bytes: Buffer.concat(chunks) });
        }
        next();
      });
      stream.resume();
    });
    ex.on('finish', resolve);
    ex.on('error', (e) =>
      reject(
        e instanceof MacfleetError
          ? e
          : new MacfleetError('PARSE_ERROR', `the tar archive cannot be read: ${e.message}`, {
              location: { field: 'files' },
              cause: e,
            }),
      ),
    );
  });
  Readable.from([Buffer.from(bytes)]).pipe(ex);
  await done;
  return out;
}

/** The files of an upload: archives are opened, other files taken as they are. */
export async function expandUpload(
  files: readonly UploadedFile[],
  limits: UploadLimits = UPLOAD_LIMITS,
): Promise<UploadedFile[]> {
  const out: UploadedFile[] = [];
  for (const f of files) {
    try {
      if (isZip(f.bytes)) out.push(...unzipBounded(f.bytes, limits));
      else if (isGzip(f.bytes)) {
        const inner = gunzipBounded(f.bytes, limits.maxTotalBytes);
        if (isTar(inner)) out.push(...(await untarBounded(inner, limits)));
        else out.push({ path: (cleanPath(f.path) ?? 'upload').replace(/\.gz$/i, ''), bytes: inner });
      } else if (isTar(f.bytes)) out.push(...(await untarBounded(f.bytes, limits)));
      else if (f.bytes.length > limits.maxFileBytes)
        out.push(tooLargeEntry(cleanPath(f.path) ?? 'upload', f.bytes.length, limits));
      else out.push({ path: cleanPath(f.path) ?? 'upload', bytes: f.bytes });
    } catch (e) {
      if (e instanceof MacfleetError) throw e;
      throw new MacfleetError('PARSE_ERROR', `${f.path}: not a readable archive: ${(e as Error).message}`, {
        location: { file: f.path },
        cause: e,
      });
    }
    if (out.length > limits.maxFiles) throw tooBig(`more than ${limits.maxFiles} files`);
  }
  return out;
}

export interface UploadScanOptions {
  /** `--host-from-path` pattern, matched against each file's path in the upload. */
  readonly hostFromPath?: string | undefined;
}

/** Parse and audit uploaded files exactly as `macfleet scan` does a tree. */
export function scanUploaded(files: readonly UploadedFile[], options: UploadScanOptions = {}): ScanResult {
  return scanUploadedFiles(files, options).result;
}

/**
 * The scan of uploaded files, and the files that count for it (configurations, and files with a
 * problem to report), in upload order: scanning those again gives the same adapters, findings and issues.
 */
export function scanUploadedFiles(
  files: readonly UploadedFile[],
  options: UploadScanOptions = {},
): { result: ScanResult; kept: UploadedFile[] } {
  const matcher = options.hostFromPath === undefined ? undefined : hostMatcher(options.hostFromPath);
  const auditor = new Auditor();
  const adapters: AdapterRecord[] = [];
  const issues: FormatIssue[] = [];
  const formats: Partial<Record<FormatName, number>> = {};
  const kept = new Set<UploadedFile>();
  let configs = 0;
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const f of sorted) {
    if (f.skipped !== undefined) {
      issues.push({
        file: f.path,
        code: f.skipped.code,
        severity: f.skipped.code === 'UNSAFE_PATH' ? 'warning' : 'info',
        message: f.skipped.message,
      });
      continue;
    }
    const r = parseFileBytes(f.path, f.bytes);
    issues.push(...r.issues);
    if (r.issues.length > 0) kept.add(f);
    if (r.format === undefined) continue;
    kept.add(f);
    configs++;
    formats[r.format] = (formats[r.format] ?? 0) + 1;
    const host = matcher?.(f.path) ?? null;
    const run = r.adapters.map((a) => (a.host === null && host !== null ? { ...a, host } : a));
    adapters.push(...run);
    auditor.add(run);
  }
  return {
    result: {
      files: configs,
      filesSeen: files.length,
      formats,
      adapters,
      findings: auditor.findings(),
      issues,
    },
    kept: files.filter((f) => kept.has(f)),
  };
}
