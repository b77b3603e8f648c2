// `npm start` builds only the web apps whose sources (or the packages they bundle) changed since their last
// build, quietly: a start with nothing changed builds nothing, and the service's URLs are the last lines printed.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../', import.meta.url).pathname;

/** The newest modification time under a folder (node_modules, dist and tests left out). */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', 'dist', 'test', 'e2e', 'bench'].includes(e.name) || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const packages = Math.max(
  ...readdirSync(join(ROOT, 'packages')).map((p) => newest(join(ROOT, 'packages', p))),
);
for (const app of readdirSync(join(ROOT, 'apps'))) {
  const dir = join(ROOT, 'apps', app);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts?: { build?: string } };
  if (!pkg.scripts?.build) continue;
  const dist = join(dir, 'dist');
  const built = existsSync(dist) ? statSync(dist).mtimeMs : 0;
  if (built >= Math.max(packages, newest(dir))) continue;
  process.stdout.write(`building ${app}… `);
  execFileSync('npx', ['vite', 'build', '--logLevel', 'error'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  console.log('done');
}
