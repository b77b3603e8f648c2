// Structured logs: one JSON object per line on stdout (time, level, msg, then the fields), for a person with
// `jq` and for any log shipper. Never a token or a key: callers pass ids, routes and codes only.
export type Level = 'info' | 'warn' | 'error';

export function log(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields });
  (level === 'info' ? process.stdout : process.stderr).write(`${line}\n`);
}

/** An error's message (its stack for an Error that is not one of ours), for a log line. */
export const errorText = (e: unknown): string => (e instanceof Error ? (e.stack ?? e.message) : String(e));
