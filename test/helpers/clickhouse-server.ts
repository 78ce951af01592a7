/**
 * A real ClickHouse server for tests: Debian's `clickhouse-server` (18.16) on a free loopback port, with
 * a temporary data folder and a minimal config written here. Never a mock. Stop it mid-test and start it
 * again on the same port and data to play "the team's server went away".
 *
 * `.ci/run` installs the package, so in CI the tests never skip; on a developer machine without it they
 * skip with a loud message saying how to install it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const CANDIDATES: { bin: string; args: string[] }[] = [
  { bin: '/usr/sbin/clickhouse-server', args: [] },
  { bin: '/usr/bin/clickhouse-server', args: [] },
  { bin: '/usr/bin/clickhouse', args: ['server'] },
];

/** The server binary, or undefined (then the caller skips, loudly). */
export function clickhouseBinary(): { bin: string; args: string[] } | undefined {
  return CANDIDATES.find((c) => existsSync(c.bin));
}

/** For `describe.skipIf(...)`: true, after saying why, when no server can be started here. */
export function clickhouseMissing(): boolean {
  if (clickhouseBinary()) return false;
  const line = '!'.repeat(100);
  console.warn(
    `\n${line}\n` +
      '!! SKIPPED: the ClickHouse tests need clickhouse-server (Debian: apt-get install -y clickhouse-server).\n' +
      `!! .ci/run installs it; CI never skips these.\n${line}\n`,
  );
  return true;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A second user, with a password, for tests of credentials (the default user has none). */
export const TEAM_USER = { username: 'team', password: 'team-secret' };

export interface ClickHouseServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  dir: string;
  /** The server's process id while it runs (the bench reads its CPU time from /proc). */
  readonly pid: number | undefined;
  /** Run a statement over HTTP and return the body (throws with the server's message on an error). */
  sql: (query: string) => Promise<string>;
  /** Kill the server (SIGKILL: as abrupt as a crash or a pulled cable). */
  stop: () => Promise<void>;
  /** Start it again on the same port and data. */
  start: () => Promise<void>;
  /** Stop it and remove its data. */
  close: () => Promise<void>;
}

/** What a test can add to the server's config. */
export interface ClickHouseOptions {
  /**
   * XML elements put inside the config's root as they are (e.g. `<remote_servers>` or `<query_log>`),
   * given the ports the server listens on (a cluster's shards name the server's own TCP port).
   */
  extraConfig?: (ports: { http: number; tcp: number }) => string;
}

function config(dir: string, httpPort: number, tcpPort: number, extra: string): string {
  const data = `${dir}/data/`;
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/server.log</log><errorlog>${dir}/server.err.log</errorlog><size>10M</size><count>1</count></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <path>${data}</path>
  <tmp_path>${data}tmp/</tmp_path>
  <user_files_path>${data}user_files/</user_files_path>
  <format_schema_path>${data}format_schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>134217728</mark_cache_size>
${extra}
</yandex>
`;
}

const USERS = `<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default>
    <team><password>team-secret</password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></team></users>
  <quotas><default></default></quotas>
</yandex>
`;

/** Start a fresh server; resolves once `GET /ping` answers "Ok.". */
export async function startClickHouse(opts: ClickHouseOptions = {}): Promise<ClickHouseServer> {
  const binary = clickhouseBinary();
  if (!binary) throw new Error('clickhouse-server is not installed (apt-get install -y clickhouse-server)');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ch-test-'));
  mkdirSync(`${dir}/data`, { recursive: true });
  const httpPort = await freePort();
  const tcpPort = await freePort();
  writeFileSync(
    `${dir}/config.xml`,
    config(dir, httpPort, tcpPort, opts.extraConfig?.({ http: httpPort, tcp: tcpPort }) ?? ''),
  );
  writeFileSync(`${dir}/users.xml`, USERS);
  const url = `http://127.0.0.1:${httpPort}`;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const ping = async (): Promise<boolean> => {
    try {
      const r = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) });
      return (await r.text()).trim() === 'Ok.';
    } catch {
      return false;
    }
  };

  const start = async () => {
    let output = '';
    const c = spawn(binary.bin, [...binary.args, `--config-file=${dir}/config.xml`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = c;
    c.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    c.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    exited = new Promise((resolve) => c.once('exit', () => resolve()));
    let gone = false;
    void exited.then(() => (gone = true));
    // A loaded 2-core machine can take several seconds to open 18.16's system tables.
    const deadline = Date.now() + 60_000;
    while (!(await ping())) {
      if (gone || Date.now() > deadline) {
        const log = existsSync(`${dir}/server.err.log`)
          ? readFileSync(`${dir}/server.err.log`, 'utf8').slice(-2000)
          : '';
        c.kill('SIGKILL');
        throw new Error(
          `clickhouse-server did not answer /ping on ${url}${gone ? ` (it exited)` : ''}:\n${output.slice(-2000)}\n${log}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const stop = async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    child = undefined;
  };

  const sql = async (query: string) => {
    const r = await fetch(`${url}/`, { method: 'POST', body: query });
    const text = await r.text();
    if (!r.ok) throw new Error(`ClickHouse: ${text.trim()}\nquery: ${query}`);
    return text;
  };

  await start();
  return {
    url,
    dir,
    get pid() {
      return child?.pid;
    },
    sql,
    stop,
    start,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
