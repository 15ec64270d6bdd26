import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './errors';

/**
 * Input files of `slipway local run` (events, worlds, redrive patches) read as a stranger's input: a
 * regular file, or a pipe a process writes into (the shell's `--world <(echo '{...}')`); never a device
 * such as /dev/zero, a FIFO no process writes into (it would block until a writer comes), or a folder. At
 * most {@link INPUT_FILE_MAX_BYTES}, JSON nested at most {@link INPUT_MAX_DEPTH} deep. Each refusal is a
 * UsageError (exit 2) naming the file and the limit.
 */

/**
 * Largest input file read: 1 MiB. An execution input is at most 256 KiB (Step Functions quotas,
 * "Maximum input or output size for a task, state, or execution"), which the run itself enforces; a
 * world of a thousand apps stays far below 1 MiB.
 */
export const INPUT_FILE_MAX_BYTES = 1024 * 1024;
/** Deepest JSON nesting read (no event, world or patch Slipway knows goes past a dozen levels). */
export const INPUT_MAX_DEPTH = 64;

/** How deep `text`'s JSON nests (objects and arrays), scanned without recursion; stops past `limit`. */
export function jsonDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) max = depth;
      if (max > limit) return max;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/** How long a pipe's writer may take to write and close it: a shell's `<(echo ...)` takes milliseconds. */
export const INPUT_PIPE_TIMEOUT_MS = 10_000;

/**
 * Reads a pipe opened with O_NONBLOCK to its end. A read that returns nothing before any byte came means
 * no process has the pipe open for writing (POSIX read(2) on a FIFO: end of file when no writer, EAGAIN
 * while a writer has not written yet), which is refused as it was before: waiting would block forever.
 */
function readPipe(fd: number, full: string, what: string): string {
  const chunks: Buffer[] = [];
  const chunk = Buffer.alloc(64 * 1024);
  let length = 0;
  const deadline = Date.now() + INPUT_PIPE_TIMEOUT_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, chunk, 0, chunk.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw new UsageError(`${what} file ${full} cannot be read`);
      if (Date.now() > deadline) throw new UsageError(`${what} file ${full} is a pipe nothing finished writing within ${INPUT_PIPE_TIMEOUT_MS / 1000} s: pass a JSON file`);
      Atomics.wait(pause, 0, 0, 5);
      continue;
    }
    if (n === 0) break;
    length += n;
    if (length > INPUT_FILE_MAX_BYTES) throw new UsageError(`${what} file ${full} has more than the ${INPUT_FILE_MAX_BYTES} bytes an input file may have`);
    chunks.push(Buffer.from(chunk.subarray(0, n)));
  }
  if (length === 0) throw new UsageError(`${what} file ${full} is not a regular file (a FIFO no process writes into): pass a JSON file`);
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads and parses a JSON input file within the limits above. @throws UsageError naming the file. */
export function readInputJson(full: string, what: string): unknown {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting (and ignoring Ctrl-C).
    fd = openSync(full, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    throw new UsageError(`${what} file ${full} cannot be read`);
  }
  let text: string;
  try {
    const stat = fstatSync(fd);
    if (stat.isFIFO()) text = readPipe(fd, full, what);
    else {
      if (!stat.isFile()) throw new UsageError(`${what} file ${full} is not a regular file (a folder, device or FIFO): pass a JSON file`);
      if (stat.size > INPUT_FILE_MAX_BYTES) throw new UsageError(`${what} file ${full} has ${stat.size} bytes, more than the ${INPUT_FILE_MAX_BYTES} an input file may have`);
      const buffer = Buffer.alloc(Math.min(stat.size, INPUT_FILE_MAX_BYTES) + 1);
      let length = 0;
      for (;;) {
        const n = readSync(fd, buffer, length, buffer.length - length, null);
        if (n === 0) break;
        length += n;
        if (length > INPUT_FILE_MAX_BYTES) throw new UsageError(`${what} file ${full} has more than the ${INPUT_FILE_MAX_BYTES} bytes an input file may have`);
        if (length === buffer.length) break;
      }
      text = buffer.subarray(0, length).toString('utf8');
    }
  } finally {
    closeSync(fd);
  }
  if (jsonDepth(text, INPUT_MAX_DEPTH) > INPUT_MAX_DEPTH) throw new UsageError(`${what} file ${full} nests JSON more than ${INPUT_MAX_DEPTH} levels deep`);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new UsageError(`${what} file ${full} is not JSON: ${(e as Error).message}`);
  }
}

/** Most files a folder of inputs may hold (a fleet of 1,000 apps' events; more is a mistake, not a run). */
export const INPUT_FOLDER_MAX_FILES = 1000;

/**
 * The input files `paths` name (each absolute): a file as it is, a folder as the `*.json` files directly
 * in it, by name (nothing else in it is read, no subfolder). `folders` tells whether any path was a folder.
 * @throws UsageError for a folder with no `*.json` file or more than {@link INPUT_FOLDER_MAX_FILES}.
 */
export function inputFilesOf(paths: readonly string[], what: string): { files: string[]; folders: boolean } {
  const files: string[] = [];
  let folders = false;
  for (const p of paths) {
    let isFolder = false;
    try {
      isFolder = statSync(p).isDirectory();
    } catch {
      // Not there: readInputJson names the path it cannot read.
    }
    if (!isFolder) {
      files.push(p);
      continue;
    }
    folders = true;
    const json = readdirSync(p, { withFileTypes: true })
      .filter((d) => d.name.endsWith('.json') && (d.isFile() || d.isSymbolicLink()))
      .map((d) => d.name)
      .sort();
    if (json.length === 0) throw new UsageError(`${what} folder ${p} holds no ${what} files (*.json)`);
    if (json.length > INPUT_FOLDER_MAX_FILES) throw new UsageError(`${what} folder ${p} holds ${json.length} *.json files, more than the ${INPUT_FOLDER_MAX_FILES} one run takes`);
    files.push(...json.map((n) => join(p, n)));
  }
  return { files, folders };
}
