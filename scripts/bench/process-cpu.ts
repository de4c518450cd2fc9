/**
 * CPU time of processes, read from Linux's /proc: user plus system time of a
 * process (all its threads), in ms. The whole-exchange benchmark reads it for
 * every process of the network before and after each phase.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** Clock ticks per second of /proc's times (`getconf CLK_TCK`, 100 on Linux as built). */
const TICKS_PER_SECOND = (() => {
  const run = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const ticks = Number(run.stdout?.trim());
  return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
})();

/** The fields of /proc/<pid>/stat after the command name, which may hold spaces and parentheses. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // gone
  }
}

/** User plus system CPU ms of a process so far, or undefined when it is gone. */
export function cpuMsOf(pid: number): number | undefined {
  const fields = statFields(pid);
  if (fields === undefined) return undefined;
  // Fields 14 and 15 of stat(5), utime and stime; the list here starts at field 3.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** The parent's pid of a process, or undefined when it is gone. */
export function parentOf(pid: number): number | undefined {
  const fields = statFields(pid);
  return fields === undefined ? undefined : Number(fields[1]);
}

/** A process and every process whose parent it is (one level: PostgreSQL's server and its backends). */
export function processFamily(pid: number): number[] {
  const children = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((child) => parentOf(child) === pid);
  return [pid, ...children];
}

/** The inodes of the sockets a process holds open. */
function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes; // gone
  }
  for (const fd of fds) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
      if (inode !== undefined) inodes.add(inode);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/** A TCP connection of /proc/net/tcp{,6}: its ports, by socket inode. */
function tcpConnections(): Map<string, { local: number; remote: number }> {
  const connections = new Map<string, { local: number; remote: number }>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let lines: string[];
    try {
      lines = readFileSync(table, 'utf8').split('\n').slice(1);
    } catch {
      continue;
    }
    for (const line of lines) {
      const fields = line.trim().split(/\s+/);
      const [local, remote, inode] = [fields[1], fields[2], fields[9]];
      if (local === undefined || remote === undefined || inode === undefined || inode === '0') continue;
      const port = (address: string) => parseInt(address.slice(address.lastIndexOf(':') + 1), 16);
      connections.set(inode, { local: port(local), remote: port(remote) });
    }
  }
  return connections;
}

/**
 * The processes among `serverPids` (a PostgreSQL server's) that serve a
 * connection one of `clientPids` opened to `serverPort`: the backends doing
 * the work of those clients, not of anyone else sharing the server.
 */
export function serversOf(
  clientPids: readonly number[],
  serverPids: readonly number[],
  serverPort: number,
): number[] {
  const connections = tcpConnections();
  const clientPorts = new Set<number>();
  for (const pid of clientPids) {
    for (const inode of socketInodes(pid)) {
      const connection = connections.get(inode);
      if (connection?.remote === serverPort) clientPorts.add(connection.local);
    }
  }
  return serverPids.filter((pid) =>
    [...socketInodes(pid)].some((inode) => {
      const connection = connections.get(inode);
      return connection?.local === serverPort && clientPorts.has(connection.remote);
    }),
  );
}

/** Named groups of processes whose CPU is measured; a group's pids are listed afresh at each reading. */
export type ProcessGroups = ReadonlyMap<string, () => readonly number[]>;

/** CPU ms of every pid of every group at one moment. */
export type CpuReading = ReadonlyMap<string, ReadonlyMap<number, number>>;

/** Reads the CPU of every group's processes. */
export function readCpu(groups: ProcessGroups): CpuReading {
  const reading = new Map<string, Map<number, number>>();
  for (const [name, pids] of groups) {
    const byPid = new Map<number, number>();
    for (const pid of pids()) {
      const ms = cpuMsOf(pid);
      if (ms !== undefined) byPid.set(pid, ms);
    }
    reading.set(name, byPid);
  }
  return reading;
}

/**
 * CPU ms each group used between two readings: over the processes alive at
 * the second (one born in between counts from zero; one that ended in
 * between is missed).
 */
export function cpuBetween(before: CpuReading, after: CpuReading): Map<string, number> {
  const used = new Map<string, number>();
  for (const [name, byPid] of after) {
    let ms = 0;
    for (const [pid, end] of byPid) ms += end - (before.get(name)?.get(pid) ?? 0);
    used.set(name, ms);
  }
  return used;
}
