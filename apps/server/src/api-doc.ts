// `npm run api-doc`: writes the endpoint tables of API.md from @moneybag/api (between its markers), so that
// the reference is the code's. `--check` exits 1 when the committed API.md differs.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { endpointsMarkdown } from '@moneybag/api';

export const API_MD = new URL('../API.md', import.meta.url);
const BEGIN = '<!-- endpoints: made by `npm run api-doc` from packages/api; do not edit by hand -->';
const END = '<!-- end of endpoints -->';

/** API.md as it should be: the hand-written text around freshly made tables. */
export function apiDoc(current = readFileSync(API_MD, 'utf8')): string {
  const a = current.indexOf(BEGIN);
  const b = current.indexOf(END);
  if (a < 0 || b < a) throw new Error(`API.md has no ${BEGIN} … ${END} block`);
  return `${current.slice(0, a)}${BEGIN}\n\n${endpointsMarkdown()}\n\n${current.slice(b)}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const current = readFileSync(API_MD, 'utf8');
  const fresh = apiDoc(current);
  if (process.argv.includes('--check')) {
    if (fresh !== current) {
      console.error('apps/server/API.md is stale: run npm run api-doc');
      process.exit(1);
    }
  } else writeFileSync(API_MD, fresh);
}
