/**
 * `npx tsx scripts/bench/audit.ts`: audit-log appends through a ChainWriter
 * (group commit, hash chain) with 50 concurrent appenders, each appending in a
 * loop for 3 s, records of about 500 bytes like the gateway's. On PGlite (in
 * memory) and PostgreSQL (DATABASE_URL, or postgres://postgres@127.0.0.1:5432/test;
 * a random schema, dropped after; skipped with a note when unreachable).
 * Median of 3 runs of records/s, and of append latency p50/p99. Writes
 * `bench/results/audit.json`.
 */
import { randomBytes, randomUUID } from 'node:crypto';

import {
  ChainWriter,
  PgStore,
  PgliteStore,
  createJwsSigner,
  generateKeyPair,
  rowContent,
  sha256,
  verifyStoredChain,
  type ChainTable,
  type SqlStore,
} from '../../core/src';
import { median, writeFigures, type Figure } from './bench-suite';

const APPENDERS = 50;
const DURATION_MS = 3_000;
const RUNS = 3;
const TARGET_POSTGRES = 5_000;
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

// The gateway's audit_log columns, as a chained table of this benchmark's own.
const SCHEMA_SQL = `
CREATE TABLE bench_audit (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  writer text NOT NULL, chain_seq bigint NOT NULL, at timestamptz NOT NULL, prev_hash text, hash text NOT NULL,
  event text NOT NULL, outcome text NOT NULL, message_id text, client text, service text, user_id text,
  security_server text, request_hash text, response_hash text, request_signature text, response_signature text,
  subject_hash text, detail jsonb NOT NULL DEFAULT '{}'::jsonb,
  UNIQUE (writer, chain_seq)
);
CREATE INDEX bench_audit_message ON bench_audit (message_id, seq);
CREATE INDEX bench_audit_at ON bench_audit (at, seq);
CREATE TABLE bench_audit_checkpoints (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, writer text NOT NULL, chain_seq bigint NOT NULL,
  head_hash text NOT NULL, record_count bigint NOT NULL, at timestamptz NOT NULL, signer text NOT NULL,
  protected text NOT NULL, signature text NOT NULL
);`;

type Entry = Record<string, unknown>;
const COLUMNS = [
  'event',
  'outcome',
  'message_id',
  'client',
  'service',
  'user_id',
  'security_server',
  'request_hash',
  'response_hash',
  'request_signature',
  'response_signature',
  'subject_hash',
  'detail',
];
const TABLE: ChainTable<Entry> = {
  table: 'bench_audit',
  columns: (entry) => entry,
  content: (row) => rowContent(row, COLUMNS),
};

/** One `answered` record as the gateway writes it: about 500 bytes of columns. */
function record(): Entry {
  const signature = () => randomBytes(64).toString('base64url');
  return {
    event: 'answered',
    outcome: 'ok',
    message_id: randomUUID(),
    client: 'MN/GOV/9011311/e-services',
    service: 'MN/GOV/9011312/civil-registry/person',
    user_id: 'MN12345678',
    security_server: 'MN/GOV/9011312/ss1',
    request_hash: sha256(randomUUID()),
    response_hash: sha256(randomUUID()),
    request_signature: signature(),
    response_signature: signature(),
    subject_hash: sha256(randomUUID()),
    detail: { issue: 'ТТ-2025/123', status: 200, durationMs: 12 },
  };
}

interface RunResult {
  recordsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  transactions: number;
}

async function run(store: SqlStore, writerId: string): Promise<RunResult> {
  const keyPair = generateKeyPair();
  const writer = new ChainWriter<Entry>({
    store,
    table: TABLE,
    writer: writerId,
    signer: createJwsSigner({ privateKey: keyPair.privateKey, thumbprint: sha256('bench') }),
  });
  // Each group commit is one INSERT statement (one transaction): count them.
  let transactions = 0;
  const original = store.query.bind(store);
  store.query = (sql, params) => {
    if (sql.startsWith('INSERT INTO bench_audit ')) transactions += 1;
    return original(sql, params);
  };
  const latencies: number[] = [];
  const end = performance.now() + DURATION_MS;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: APPENDERS }, async () => {
      while (performance.now() < end) {
        const entry = record();
        const t0 = performance.now();
        await writer.append(entry);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  store.query = original;
  await writer.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { recordsPerSecond: latencies.length / elapsed, p50Ms: at(0.5), p99Ms: at(0.99), transactions };
}

async function measure(
  engine: string,
  open: () => Promise<SqlStore>,
  done: () => Promise<void>,
): Promise<Figure[]> {
  const results: RunResult[] = [];
  try {
    const store = await open();
    await store.exec(SCHEMA_SQL);
    for (let i = 0; i < RUNS; i += 1) results.push(await run(store, `bench:${engine}:${i}`));
    // Whatever was measured must also verify.
    const report = await verifyStoredChain(store, TABLE, { resolveSigner: () => undefined });
    if (!report.ok && report.problem.kind !== 'unknown-signer') throw new Error(report.problem.message);
    await store.close();
  } finally {
    await done();
  }
  const rate = median(results.map((r) => r.recordsPerSecond));
  const perBatch = median(results.map((r) => (r.recordsPerSecond * DURATION_MS) / 1000 / r.transactions));
  console.log(
    `${engine}: ${Math.round(rate)} records/s, p50 ${median(results.map((r) => r.p50Ms)).toFixed(2)} ms, ` +
      `p99 ${median(results.map((r) => r.p99Ms)).toFixed(2)} ms, ~${perBatch.toFixed(1)} records per transaction`,
  );
  return [
    { name: `audit append ${engine} (50 appenders)`, value: Math.round(rate), unit: 'records/s' },
    {
      name: `audit append ${engine} latency p50`,
      value: Number(median(results.map((r) => r.p50Ms)).toFixed(3)),
      unit: 'ms',
    },
    {
      name: `audit append ${engine} latency p99`,
      value: Number(median(results.map((r) => r.p99Ms)).toFixed(3)),
      unit: 'ms',
    },
    {
      name: `audit append ${engine} records per transaction`,
      value: Number(perBatch.toFixed(1)),
      unit: 'records',
    },
  ];
}

async function main(): Promise<void> {
  const figures: Figure[] = [];
  figures.push(
    ...(await measure(
      'pglite',
      () => PgliteStore.open(),
      async () => undefined,
    )),
  );

  const schema = `bench_audit_${randomBytes(4).toString('hex')}`;
  let reachable = true;
  try {
    const probe = await PgStore.open({ connectionString: DATABASE_URL });
    await probe.close();
  } catch {
    reachable = false;
    console.log(`PostgreSQL at DATABASE_URL is unreachable: its figures are skipped`);
  }
  if (reachable) {
    figures.push(
      ...(await measure(
        'postgres',
        () => PgStore.open({ connectionString: DATABASE_URL, schema }),
        async () => {
          const admin = await PgStore.open({ connectionString: DATABASE_URL });
          await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
          await admin.close();
        },
      )),
    );
  }
  const postgres = figures.find((f) => f.name.startsWith('audit append postgres ('));
  writeFigures('audit', figures, {
    runs: RUNS,
    targets:
      postgres === undefined
        ? []
        : [{ name: postgres.name, min: TARGET_POSTGRES, met: postgres.value >= TARGET_POSTGRES }],
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
