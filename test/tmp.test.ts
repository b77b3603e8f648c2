// Test folders (test/tmp.ts): every test, browser spec and bench makes its folders under the run's root, which
// the run removes; and that removal stops what a test left running there first.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT_ENV, stopProcessesIn, tempFolder } from './tmp.ts';

const ROOT = new URL('..', import.meta.url).pathname;
// What runs in tests, browser specs and benches (the apps' and packages' src are the products').
const TEST_CODE =
  /^(?:(?:apps|packages)\/[^/]+\/(?:test|e2e|e2e-support|bench|fixture)\/|e2e\/|bench\/|test\/|[^/]+\.ts$)/;
// The one maker of test folders, and the bench's history, kept between runs on purpose (BENCH_HISTORY_DIR).
const ALLOWED = new Set(['test/tmp.ts', 'apps/server/bench/history.ts']);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (['node_modules', 'dist', '.git', 'test-results', 'playwright-report'].includes(name)) return [];
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx|js|mjs)$/.test(name) ? [p] : [];
  });
}

it('no test, spec or bench makes a folder in the temp folder but through test/tmp.ts', () => {
  const outside = files(ROOT)
    .map((f) => relative(ROOT, f))
    .filter((f) => TEST_CODE.test(f) && !ALLOWED.has(f))
    .filter((f) => /\btmpdir\(|\bmkdtemp(?:Sync)?\(|['"`]\/tmp\//.test(readFileSync(join(ROOT, f), 'utf8')));
  expect(outside).toEqual([]);
});

it('a test folder is under the run root, and a process left running in it is stopped before removal', async () => {
  const dir = tempFolder('stop');
  expect(dir.startsWith(`${process.env[ROOT_ENV]}/`)).toBe(true);
  // A stand-in for a service a failed test did not stop: its command line names the folder, as --data does.
  const script = join(dir, 'service.js');
  writeFileSync(
    script,
    "process.on('SIGTERM', () => process.exit(0)); setInterval(() => {}, 1000); console.log('ready');",
  );
  const start = async (data: string) => {
    const p = spawn(process.execPath, [script, '--data', data], { stdio: ['ignore', 'pipe', 'ignore'] });
    await new Promise((r) => p.stdout.once('data', r));
    return p;
  };
  const child = await start(dir);
  const exited = new Promise((resolve) => child.once('exit', (code, sig) => resolve(code ?? sig)));
  stopProcessesIn(dir);
  const late = new Promise((r) => setTimeout(r, 5_000, 'still running'));
  expect(await Promise.race([exited, late])).toBe(0); // its SIGTERM handler ran: stopped, not killed
  // A sibling whose name only starts the same is not this folder's.
  const sibling = await start(`${dir}x`);
  stopProcessesIn(dir);
  expect(sibling.exitCode).toBe(null);
  sibling.kill('SIGKILL');
  expect(existsSync(dir)).toBe(true);
});
