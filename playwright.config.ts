// Browser tests: Debian's Chromium (no browser download here), against the real service serving the built apps.
import { defineConfig } from '@playwright/test';
import { tempFolder } from './test/tmp.ts';

export const E2E_PORT = Number(process.env.MONEYBAG_E2E_PORT ?? 5199);
// One data folder per run, made here so that tests can read its demo.json. It and every folder the specs make
// are under the run's root (test/tmp.ts), removed when this process exits: after the webServer has stopped
// (a globalTeardown would run before that).
process.env.MONEYBAG_E2E_DATA ??= tempFolder('e2e');

export default defineConfig({
  testMatch: ['apps/*/e2e/**/*.spec.ts', 'packages/*/e2e/**/*.spec.ts'],
  timeout: 60_000,
  // Each test drives Chromium, the service and a jsQR worker scanning a camera at 25 frames/s: on this
  // 2-core machine two at once starve each other's scanners, so one at a time, and one retry to name a flake.
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? 'list' : 'line',
  use: {
    baseURL: `http://127.0.0.1:${E2E_PORT}`,
    // The tests read English screens whatever the machine's language; a test of German asks for de-DE itself.
    locale: 'en-US',
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
      ],
    },
  },
  webServer: {
    command: `node --import tsx apps/server/src/main.ts --data ${process.env.MONEYBAG_E2E_DATA} --port ${E2E_PORT}`,
    url: `http://127.0.0.1:${E2E_PORT}/.well-known/moneybag.json`,
    reuseExistingServer: false,
    // Stopped as an operator would (it stops its PostgreSQL cleanly), before its data folder goes (test/tmp.ts).
    gracefulShutdown: { signal: 'SIGTERM', timeout: 20_000 },
    timeout: 120_000,
    // The service logs a JSON line per request: only its warnings and errors (stderr) show here.
    stdout: 'ignore',
  },
});
