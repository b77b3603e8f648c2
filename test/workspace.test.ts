// Every workspace declares in its own package.json what its files import (a package found only because a
// neighbour or the root declared it breaks when they stop), and no package imports an app.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = new URL('..', import.meta.url).pathname;
const SKIP = new Set(['node_modules', 'dist', '.git', 'data', 'test-results', 'playwright-report']);
// Provided by a declared plugin at build time (vite-plugin-pwa), not a package.
const VIRTUAL = /^virtual:/;
const IMPORT = /(?:from\s+|import\s*\(\s*|import\s+)['"]([^'".][^'"]*)['"]/g;
// Comments are prose ("scripts from 'self' only"), not imports: block comments and whole-line ones go first.
const COMMENT = /\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm;

function files(dir: string, top = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (SKIP.has(name)) return [];
    // The root's own files: not the workspaces under it.
    if (dir === ROOT && (name === 'packages' || name === 'apps')) return [];
    if (statSync(p).isDirectory()) return files(p, top);
    return /\.(ts|tsx|js|mjs)$/.test(name) ? [p] : [];
  });
}

const packageOf = (spec: string) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');

const workspaces = [
  '',
  ...['packages', 'apps'].flatMap((d) => readdirSync(join(ROOT, d)).map((w) => `${d}/${w}`)),
];

it.each(workspaces)('%s declares every package it imports', (ws) => {
  const dir = join(ROOT, ws);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const declared = new Set([
    pkg.name,
    ...['dependencies', 'devDependencies', 'peerDependencies'].flatMap((k) => Object.keys(pkg[k] ?? {})),
  ]);
  const missing: string[] = [];
  for (const f of files(dir))
    for (const [, spec] of readFileSync(f, 'utf8').replace(COMMENT, '').matchAll(IMPORT)) {
      if (spec.startsWith('node:') || VIRTUAL.test(spec) || builtinModules.includes(packageOf(spec)))
        continue;
      if (!declared.has(packageOf(spec))) missing.push(`${packageOf(spec)} (${relative(ROOT, f)})`);
    }
  expect(missing).toEqual([]);
  if (ws.startsWith('packages/'))
    expect(
      Object.keys(pkg.dependencies ?? {}).filter((d) => /^@moneybag\/(server|wallet|pos|collector)$/.test(d)),
    ).toEqual([]);
});
