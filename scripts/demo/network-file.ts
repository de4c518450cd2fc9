/**
 * `var/demo/network.json`: how a running demo network describes itself.
 * `npm start` (scripts/demo/network.ts) writes it when the network is ready;
 * the tour, and anyone else who wants to talk to the network, reads it. It
 * holds the admin and auditor tokens and every agency's API key, so it is
 * written for its owner only (and git-ignored).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, type AgencyKey } from './demo-data';

/** Where `npm start` writes the file (unless `ORTOO_DEMO_DIR` moves it), relative to the repository's root. */
export const DEFAULT_NETWORK_FILE = 'var/demo/network.json';

/**
 * The file a reader should look at: `file` when given (relative to the
 * working folder), else `network.json` in `ORTOO_DEMO_DIR` when that is set
 * (as `npm start` does), else {@link DEFAULT_NETWORK_FILE} in the repository.
 */
export function networkFilePath(file?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (file !== undefined) return path.resolve(file);
  const demoDir = env.ORTOO_DEMO_DIR;
  if (demoDir !== undefined && demoDir !== '') return path.resolve(demoDir, 'network.json');
  return path.resolve(REPO_ROOT, DEFAULT_NETWORK_FILE);
}

/** One agency of a running demo network. */
export interface DemoNetworkAgency {
  memberId: string;
  subsystemId: string;
  serverId: string;
  /** The agency's client proxy (http). */
  clientUrl: string;
  /** Its provider proxy (https, mTLS). */
  providerAddress: string;
  /** API key of the agency's own local system, acting as its subsystemId. */
  apiKey: string;
  /** Providers only. */
  backendUrl?: string;
}

/** The contents of `var/demo/network.json`. */
export interface DemoNetworkFile {
  startedAt: string;
  gateway: { adminUrl: string; exchangeUrl: string };
  tokens: { admin: string; auditor: string };
  /** Demo control endpoint of the network process (127.0.0.1 only). */
  control: string;
  agencies: Record<AgencyKey, DemoNetworkAgency>;
  /** Each process's log file is `<logsDir>/<name>.log`. */
  logsDir: string;
}

/** The agencies a network file must describe. */
const AGENCY_KEYS: readonly AgencyKey[] = ['civilRegistry', 'tax', 'socialInsurance', 'eServices'];

/** Why a network file cannot be used; the message ends with what to do about it. */
export class NetworkFileError extends Error {
  /** The file, as it was named. */
  readonly file: string;

  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(
      `${file}: ${problem}. Run npm start first, and wait until it prints that the network is ready.`,
      options,
    );
    this.name = 'NetworkFileError';
    this.file = file;
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object at `where`, or the name of what is wrong with it. */
function objectAt(value: unknown, where: string): Json {
  if (!isObject(value)) throw new TypeError(`${where} is not an object`);
  return value;
}

function textAt(object: Json, key: string, where: string): void {
  const value = object[key];
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(`${where}.${key} is not a non-empty text`);
  }
}

/**
 * Checks that `value` has the shape of a {@link DemoNetworkFile}: every field
 * the type requires, as text (extra fields are allowed, for later versions).
 *
 * @throws TypeError naming the first field that is missing or of another type.
 */
export function assertDemoNetworkFile(value: unknown): asserts value is DemoNetworkFile {
  const file = objectAt(value, 'the file');
  textAt(file, 'startedAt', 'network');
  textAt(file, 'control', 'network');
  textAt(file, 'logsDir', 'network');
  const gateway = objectAt(file.gateway, 'gateway');
  for (const key of ['adminUrl', 'exchangeUrl']) textAt(gateway, key, 'gateway');
  const tokens = objectAt(file.tokens, 'tokens');
  for (const key of ['admin', 'auditor']) textAt(tokens, key, 'tokens');
  const agencies = objectAt(file.agencies, 'agencies');
  for (const key of AGENCY_KEYS) {
    const where = `agencies.${key}`;
    const agency = objectAt(agencies[key], where);
    for (const field of ['memberId', 'subsystemId', 'serverId', 'clientUrl', 'providerAddress', 'apiKey']) {
      textAt(agency, field, where);
    }
    if (agency.backendUrl !== undefined) textAt(agency, 'backendUrl', where);
  }
}

/**
 * Reads and checks a running demo network's description.
 *
 * @param file - relative to the working folder; see {@link networkFilePath}
 *   for where it is looked for when not given.
 * @throws NetworkFileError when the file is absent, unreadable, not JSON or
 *   not of the expected shape, with a message that says to run `npm start`.
 */
export function readNetworkFile(file?: string): DemoNetworkFile {
  const target = networkFilePath(file);
  const relative = path.relative(process.cwd(), target);
  const named = file ?? (relative === '' || relative.startsWith('..') ? target : relative);
  let text: string;
  try {
    text = readFileSync(target, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? String(cause)})`;
    throw new NetworkFileError(named, problem, { cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new NetworkFileError(named, 'is not JSON (a network still starting, or an older one?)', { cause });
  }
  try {
    assertDemoNetworkFile(value);
  } catch (cause) {
    throw new NetworkFileError(named, `is not a demo network's description: ${(cause as Error).message}`, {
      cause,
    });
  }
  return value;
}

/**
 * Writes a network's description for {@link readNetworkFile}: its folder made
 * when missing, readable by its owner only (it holds tokens and API keys),
 * and replaced at once (written beside it, then renamed), so a reader never
 * sees half a file.
 */
export function writeNetworkFile(network: DemoNetworkFile, file?: string): void {
  const target = networkFilePath(file);
  mkdirSync(path.dirname(target), { recursive: true });
  const temporary = `${target}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(network, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, target);
}
