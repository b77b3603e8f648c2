// Browser tests: Debian's Chromium (no browser download here), against the real service serving the built apps.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';

export const E2E_PORT = Number(process.env.MONEYBAG_E2E_PORT ?? 5199);
// One data folder per run, made here so that tests can read its demo.json.
process.env.MONEYBAG_E2E_DATA ??= mkdtempSync(join(tmpdir(), 'moneybag-e2e-'));

export default defineConfig({
  testMatch: ['apps/*/e2e/**/*.spec.ts', 'packages/*/e2e/**/*.spec.ts'],
  timeout: 60_000,
  workers: 2,
  reporter: process.env.CI ? 'list' : 'line',
  use: {
    baseURL: `http://127.0.0.1:${E2E_PORT}`,
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
    timeout: 120_000,
    stdout: 'pipe',
  },
});
