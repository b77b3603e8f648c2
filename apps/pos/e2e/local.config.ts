// For working on the POS alone while other workspaces' browser tests hold port 5199: the same setup
// as the root config, on the POS's own port 5306. `npx playwright test -c apps/pos/e2e/local.config.ts`
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';
import root from '../../../playwright.config.ts';

const PORT = 5306;
// Made once: workers load this file again and inherit the environment.
process.env.MONEYBAG_POS_E2E_DATA ??= mkdtempSync(join(tmpdir(), 'moneybag-pos-e2e-'));
const data = process.env.MONEYBAG_POS_E2E_DATA;
process.env.MONEYBAG_E2E_DATA = data;

export default defineConfig({
  ...root,
  testDir: '.',
  outputDir: join(tmpdir(), 'moneybag-pos-test-results'),
  testMatch: ['**/*.spec.ts'],
  use: { ...root.use, baseURL: `http://127.0.0.1:${PORT}` },
  webServer: {
    command: `node --import tsx apps/server/src/main.ts --data ${data} --port ${PORT}`,
    cwd: join(import.meta.dirname, '../../..'),
    url: `http://127.0.0.1:${PORT}/.well-known/moneybag.json`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
  },
});
