// The folders tests, browser specs and benches make (data folders of services and their embedded PostgreSQL):
// all under one root per run, removed when the run ends, pass or fail, once the processes working in them have
// stopped. MONEYBAG_KEEP_TMP=1 keeps a failed run's folders (their path printed) to look into.
// Who ends a run: vitest's globalSetup (test/tmp-run.ts; each test file's folders go at the file's end,
// test/tmp-file.ts), and for Playwright and a bench the exit of the process that made the root.
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The run's root, handed to the processes of the run (vitest and Playwright workers, services). */
export const ROOT_ENV = 'MONEYBAG_TEST_TMP';
/** `1`: a failed run leaves its folders. */
export const KEEP_ENV = 'MONEYBAG_KEEP_TMP';

/** Folders this process made, for removeMade(): a vitest worker's, for its current test file. */
const made: string[] = [];

/** Makes a new root and hands it to every process started from here on. */
export function startRun(): string {
  const root = mkdtempSync(join(tmpdir(), 'moneybag-run-'));
  // As root, the embedded PostgreSQL runs as the user `postgres`, which must pass through to its cluster.
  chmodSync(root, 0o711);
  process.env[ROOT_ENV] = root;
  return root;
}

/** The run's root: given by the run, or made here and removed when this process exits (a bench run alone). */
export function runRoot(): string {
  const given = process.env[ROOT_ENV];
  if (given) return given;
  const root = startRun();
  process.once('exit', (code) => {
    try {
      endRun(root, code !== 0);
    } catch (e) {
      console.error((e as Error).message);
      process.exitCode = 1;
    }
  });
  return root;
}

/** A new empty folder `<root>/<name>-XXXXXX`, removed with the run (or the test file). */
export function tempFolder(name: string): string {
  const dir = mkdtempSync(join(runRoot(), `${name}-`));
  made.push(dir);
  return dir;
}

/** Removes the folders this process made so far: at the end of a test file, which frees its disk early. */
export function removeMade(failed: boolean): void {
  for (const dir of made.splice(0)) remove(dir, failed);
}

/** Ends the run: stops what still runs in its root, then removes it (unless a failed run is to be kept). */
export function endRun(root: string, failed: boolean): void {
  if (remove(root, failed) === 'kept') console.error(`${KEEP_ENV}: the failed run's folders are in ${root}`);
}

function remove(dir: string, failed: boolean): 'removed' | 'kept' {
  stopProcessesIn(dir);
  if (failed && process.env[KEEP_ENV] === '1') return 'kept';
  rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  if (existsSync(dir)) throw new Error(`the test folder ${dir} could not be removed`);
  return 'removed';
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Linux: is `pid` alive (`/proc/<pid>/stat`)? A zombie (Z) has stopped, only not yet reaped by its parent. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

/**
 * Processes whose command line names `dir` or a path in it: services (`--data`), commands, and PostgreSQL
 * postmasters (`-D`); their own children end with them. Linux only (elsewhere: none, the tests stop theirs).
 */
function processesIn(dir: string): { pid: number; postgres: boolean }[] {
  if (!existsSync('/proc/self/cmdline')) return [];
  const found: { pid: number; postgres: boolean }[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid || !running(pid)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (!names(cmdline, dir)) continue;
    const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    found.push({ pid, postgres: comm.startsWith('postgres') });
  }
  return found;
}

/** Does `text` name `dir` itself or a path under it (not a sibling whose name merely starts the same)? */
function names(text: string, dir: string): boolean {
  for (let at = text.indexOf(dir); at !== -1; at = text.indexOf(dir, at + 1)) {
    const next = text[at + dir.length];
    if (next === undefined || next === '/' || next === '\0' || next === ' ') return true;
  }
  return false;
}

function signal(pids: number[], sig: NodeJS.Signals): void {
  for (const pid of pids)
    try {
      process.kill(pid, sig);
    } catch {} // gone meanwhile
}

/** Waits up to `ms` for `pids` to end; true if they have. */
function ended(pids: number[], ms: number): boolean {
  for (let waited = 0; ; waited += 50) {
    if (!pids.some(running)) return true;
    if (waited >= ms) return false;
    sleep(50);
  }
}

/**
 * Stops what a test left running in `dir` (one that failed before its own stop): services by SIGTERM (each
 * stops its PostgreSQL cleanly), then any PostgreSQL left by SIGINT (its fast shutdown), then SIGKILL. A
 * folder is removed only once nothing writes in it any more.
 */
export function stopProcessesIn(dir: string): void {
  const services = processesIn(dir).filter((p) => !p.postgres);
  signal(
    services.map((p) => p.pid),
    'SIGTERM',
  );
  ended(
    services.map((p) => p.pid),
    15_000,
  );
  for (const [sig, ms] of [
    ['SIGINT', 15_000],
    ['SIGKILL', 5_000],
  ] as const) {
    const left = processesIn(dir).map((p) => p.pid);
    if (!left.length) return;
    signal(left, sig);
    ended(left, ms);
  }
  const left = processesIn(dir);
  if (left.length) throw new Error(`still running in ${dir}: pid ${left.map((p) => p.pid).join(', ')}`);
}
