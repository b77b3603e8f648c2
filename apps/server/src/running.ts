// `<data>/server.json` while a server runs on a data folder: the CLI goes through its admin API then, since
// the embedded database is one process's.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const serverInfoPath = (dataDir: string): string => join(dataDir, 'server.json');

/** The server running on this data folder, if any. */
export function runningServer(
  dataDir: string,
): { pid: number; url: string; own: { issuer?: string; collector?: string } } | undefined {
  const p = serverInfoPath(dataDir);
  if (!existsSync(p)) return undefined;
  try {
    const info = JSON.parse(readFileSync(p, 'utf8'));
    process.kill(info.pid, 0);
    return info;
  } catch {
    return undefined;
  }
}
