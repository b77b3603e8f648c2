// The database under the service: real PostgreSQL with its durability on, one process per data folder.
import { existsSync, readFileSync } from 'node:fs';
import { platform } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, dbClient, type Server, startServer, waitFor } from './helpers.ts';

const embedded = !process.env.DATABASE_URL;
let server: Server;
beforeAll(async () => {
  server = await startServer();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

describe('the database', () => {
  it('has fsync and synchronous_commit on: a committed row is on stable storage', async () => {
    const c = await dbClient(server);
    try {
      expect((await c.query('SHOW fsync')).rows).toEqual([{ fsync: 'on' }]);
      expect((await c.query('SHOW synchronous_commit')).rows).toEqual([{ synchronous_commit: 'on' }]);
      expect((await c.query('SHOW full_page_writes')).rows).toEqual([{ full_page_writes: 'on' }]);
    } finally {
      await c.end();
    }
  });
});

it('GET /v1/health reports the engine and its durability settings', async () => {
  const r = await call(server, 'GET', '/v1/health');
  expect(r.status).toBe(200);
  expect(r.body).toEqual({
    ok: true,
    roles: ['issuer', 'collector'],
    db: {
      engine: expect.stringMatching(embedded ? /^PostgreSQL \d+\.\d+ \(embedded\)$/ : /^PostgreSQL \d+/),
      fsync: 'on',
      synchronous_commit: 'on',
    },
  });
});

describe.skipIf(!embedded)('the embedded PostgreSQL', () => {
  it('keeps its cluster in <data>/postgres, listening on no TCP port', async () => {
    expect(existsSync(join(server.data, 'postgres', 'PG_VERSION'))).toBe(true);
    const c = await dbClient(server);
    try {
      expect((await c.query('SHOW listen_addresses')).rows).toEqual([{ listen_addresses: '' }]);
    } finally {
      await c.end();
    }
  });

  it('refuses a second server on the same data folder, which goes on serving', async () => {
    const second = startServer(server.data);
    await expect(second).rejects.toThrow(/in use by process \d+/);
    const r = await call(server, 'GET', '/v1/health');
    expect(r.status).toBe(200);
  });

  it('stops the service when its PostgreSQL dies (for its supervisor to start both again)', {
    timeout: 120_000,
  }, async () => {
    const other = await startServer();
    const postmaster = Number(
      readFileSync(join(other.data, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    process.kill(postmaster, 'SIGKILL');
    const code = await new Promise<number | null>((resolve) => other.proc.once('exit', resolve));
    expect(code).toBe(70);
    expect(other.output()).toContain('the embedded PostgreSQL stopped unexpectedly');
    const again = await startServer(other.data);
    expect((await call(again, 'GET', '/v1/health')).body.ok).toBe(true);
    expect(await again.stop()).toBe(0);
  });

  it.skipIf(platform() !== 'linux')(
    'stops with the service: no PostgreSQL outlives a kill -9, and the next start opens the folder',
    { timeout: 120_000 },
    async () => {
      const other = await startServer();
      const postmaster = Number(
        readFileSync(join(other.data, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0],
      );
      const running = () => {
        try {
          process.kill(postmaster, 0);
          return true;
        } catch {
          return false;
        }
      };
      expect(running()).toBe(true);
      await other.kill();
      await waitFor(async () => !running());
      const again = await startServer(other.data);
      try {
        expect((await call(again, 'GET', '/v1/health')).body.ok).toBe(true);
      } finally {
        expect(await again.stop()).toBe(0);
      }
      // A clean stop leaves no server behind either.
      expect(existsSync(join(other.data, 'postgres', 'postmaster.pid'))).toBe(false);
    },
  );
});

// (on the embedded cluster only: on DATABASE_URL's server other tests' connections share the database)
it.skipIf(!embedded)(
  'idle connections ended by PostgreSQL are said once, calmly, and the next requests get new ones',
  async () => {
    expect((await call(server, 'GET', '/v1/health')).status).toBe(200);
    const c = await dbClient(server);
    try {
      const ended = async () =>
        (
          await c.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend' AND datname = current_database()",
          )
        ).rowCount;
      expect(await ended()).toBeGreaterThan(0);
      await waitFor(async () => server.output().includes('PostgreSQL ended idle connections'));
      // (a request racing the ends may meet a connection not yet known dead: the ones after get new ones)
      await waitFor(async () => (await call(server, 'GET', '/v1/health')).status === 200);
      await ended();
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await c.end();
    }
    expect(server.output().match(/PostgreSQL ended idle connections/g)).toHaveLength(1);
    expect(server.output()).not.toContain('an idle connection failed');
    await waitFor(async () => (await call(server, 'GET', '/v1/health')).status === 200);
  },
);
