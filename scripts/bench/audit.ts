/**
 * `npx tsx scripts/bench/audit.ts`: audit-log appends through a ChainWriter
 * (group commit, hash chain) with 50 concurrent appenders, each appending in a
 * loop for 3 s, records of about 500 bytes like the gateway's: with the chain
 * alone, and with the Merkle tree on (leaves numbered by the sequencer row,
 * the tree extended and its head signed every second meanwhile), the tree's
 * rate as a share of the chain's (target ≥ 90 %). On PGlite (in memory) and
 * PostgreSQL (DATABASE_URL, or postgres://postgres@127.0.0.1:5432/test; a
 * random schema, dropped after; skipped with a note when unreachable). Median
 * of 3 runs of records/s, and of append latency p50/p99. On PostgreSQL also:
 * inclusion and consistency proof generation on a tree of 10 million leaves
 * (built in the bench; p99 target ≤ 5 ms), and whole-log verification
 * (chains and tree) in records/s (target ≥ 100 000). Writes
 * `bench/results/audit.json`.
 */
import { randomBytes, randomUUID } from 'node:crypto';

import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ChainWriter,
  MerkleFrontier,
  PgStore,
  PgliteStore,
  StoredTree,
  createJwsSigner,
  generateKeyPair,
  leafHash,
  rowContent,
  sha256,
  verifyStoredChain,
  type ChainTable,
  type SqlStore,
} from '../../core/src';
import { AuditTrail } from '../../gateway/src/audit/audit-trail';
import { verifyWholeAuditLog } from '../../gateway/src/audit/audit-verification';
import { migrateGatewayStore } from '../../gateway/src/database';
import { loadOrCreateTrust } from '../../gateway/src/trust/gateway-trust';
import { median, writeFigures, type Figure, type Target } from './bench-suite';

const APPENDERS = 50;
const DURATION_MS = 3_000;
const RUNS = 3;
const TARGET_POSTGRES = 5_000;
/** The tree's append rate as a share of the chain's. */
const TARGET_TREE_RATIO = 0.9;
const PROOF_TREE_LEAVES = Number(process.env.ORTOO_BENCH_TREE_LEAVES ?? 10_000_000);
const PROOFS = 2_000;
const TARGET_PROOF_P99_MS = 5;
const VERIFY_RECORDS = 100_000;
const TARGET_VERIFY_PER_SECOND = 100_000;
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

/** The tree's additions (as the gateway's migration 0002 makes them for audit_log). */
const TREE_SQL = `
ALTER TABLE bench_audit ADD COLUMN leaf_index bigint;
CREATE UNIQUE INDEX bench_audit_leaf ON bench_audit (leaf_index);
CREATE TABLE bench_audit_sequencer (only_row boolean PRIMARY KEY DEFAULT true, size bigint NOT NULL, legacy bigint NOT NULL);
INSERT INTO bench_audit_sequencer (size, legacy) VALUES (0, 0);
CREATE TABLE bench_audit_tree (level smallint NOT NULL, idx bigint NOT NULL, hash bytea NOT NULL, PRIMARY KEY (level, idx));
CREATE TABLE bench_audit_tree_heads (size bigint PRIMARY KEY, root_hash bytea NOT NULL, note text NOT NULL, at timestamptz NOT NULL);
CREATE TABLE bench_audit_cosignatures (size bigint NOT NULL, witness text NOT NULL, timestamp bigint NOT NULL, line text NOT NULL,
  received_at timestamptz NOT NULL, PRIMARY KEY (size, witness));`;

const LOG_KEY = { name: 'bench/audit', ...generateKeyPairSync('ed25519') };

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

async function run(store: SqlStore, writerId: string, tree: boolean): Promise<RunResult> {
  const keyPair = generateKeyPair();
  const writer = new ChainWriter<Entry>({
    store,
    table: TABLE,
    writer: writerId,
    signer: createJwsSigner({ privateKey: keyPair.privateKey, thumbprint: sha256('bench') }),
    ...(tree ? { sequencer: 'bench_audit_sequencer' } : {}),
  });
  // With the tree on, it is extended and signed every second meanwhile, as gateways do on their interval.
  const stored = new StoredTree({ store, table: 'bench_audit', origin: LOG_KEY.name, signer: LOG_KEY });
  let extending = Promise.resolve();
  const timer = tree
    ? setInterval(() => {
        extending = extending.then(() => stored.extend().then(() => undefined));
      }, 1_000)
    : undefined;
  // Each group commit is one INSERT statement (one transaction): count them.
  let transactions = 0;
  const original = store.query.bind(store);
  store.query = (sql, params) => {
    if (sql.startsWith('INSERT INTO bench_audit ') || sql.includes('INSERT INTO bench_audit ('))
      transactions += 1;
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
  clearInterval(timer);
  await extending;
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
  extra: (store: SqlStore) => Promise<Figure[]> = async () => [],
): Promise<Figure[]> {
  const results: Record<'chain' | 'tree', RunResult[]> = { chain: [], tree: [] };
  const figures: Figure[] = [];
  try {
    const store = await open();
    await store.exec(SCHEMA_SQL);
    await store.exec(TREE_SQL);
    // Alternating, so that both modes see the same table sizes and machine load.
    for (let i = 0; i < RUNS; i += 1) {
      results.chain.push(await run(store, `bench:${engine}:chain:${i}`, false));
      results.tree.push(await run(store, `bench:${engine}:tree:${i}`, true));
    }
    // Whatever was measured must also verify.
    const report = await verifyStoredChain(store, TABLE, { resolveSigner: () => undefined });
    if (!report.ok && report.problem.kind !== 'unknown-signer') throw new Error(report.problem.message);
    figures.push(...(await extra(store)));
    await store.close();
  } finally {
    await done();
  }
  const out: Figure[] = [];
  for (const mode of ['chain', 'tree'] as const) {
    const rows = results[mode];
    const rate = median(rows.map((r) => r.recordsPerSecond));
    const perBatch = median(
      rows.map((r) => (r.recordsPerSecond * DURATION_MS) / 1000 / Math.max(1, r.transactions)),
    );
    const label = mode === 'chain' ? '' : ' with tree';
    console.log(
      `${engine}${label}: ${Math.round(rate)} records/s, p50 ${median(rows.map((r) => r.p50Ms)).toFixed(2)} ms, ` +
        `p99 ${median(rows.map((r) => r.p99Ms)).toFixed(2)} ms, ~${perBatch.toFixed(1)} records per transaction`,
    );
    out.push(
      { name: `audit append ${engine}${label} (50 appenders)`, value: Math.round(rate), unit: 'records/s' },
      {
        name: `audit append ${engine}${label} latency p50`,
        value: Number(median(rows.map((r) => r.p50Ms)).toFixed(3)),
        unit: 'ms',
      },
      {
        name: `audit append ${engine}${label} latency p99`,
        value: Number(median(rows.map((r) => r.p99Ms)).toFixed(3)),
        unit: 'ms',
      },
    );
  }
  const ratio =
    median(results.tree.map((r) => r.recordsPerSecond)) /
    median(results.chain.map((r) => r.recordsPerSecond));
  console.log(`${engine}: the tree appends at ${(ratio * 100).toFixed(1)} % of the chain's rate`);
  out.push({ name: `audit append ${engine} tree/chain`, value: Number(ratio.toFixed(3)), unit: 'ratio' });
  return [...out, ...figures];
}

/**
 * A tree of `n` leaves built inside PostgreSQL (leaf data: the 8-byte index),
 * level by level, as RFC 9162 hashes it; checked against the frontier's root
 * for its first 1 000 leaves.
 */
async function buildBigTree(store: SqlStore, n: number): Promise<void> {
  await store.exec('TRUNCATE bench_audit_tree');
  const started = performance.now();
  await store.query(
    `INSERT INTO bench_audit_tree (level, idx, hash)
     SELECT 0, i, sha256('\\x00'::bytea || int8send(i)) FROM generate_series(0, $1::bigint - 1) AS i`,
    [n],
  );
  for (let level = 0; n >> (level + 1) > 0; level += 1) {
    await store.query(
      `INSERT INTO bench_audit_tree (level, idx, hash)
       SELECT $1::int + 1, l.idx / 2, sha256('\\x01'::bytea || l.hash || r.hash)
       FROM bench_audit_tree l JOIN bench_audit_tree r ON r.level = $1 AND r.idx = l.idx + 1
       WHERE l.level = $1 AND l.idx % 2 = 0`,
      [level],
    );
  }
  await store.exec('ANALYZE bench_audit_tree');
  console.log(
    `postgres: a tree of ${n} leaves built in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  const check = new MerkleFrontier();
  for (let i = 0; i < 1000; i += 1) {
    const data = Buffer.alloc(8);
    data.writeBigInt64BE(BigInt(i));
    check.append(leafHash(data));
  }
  const tree = new StoredTree({ store, table: 'bench_audit', origin: LOG_KEY.name, signer: LOG_KEY });
  if (!(await tree.rootAt(1000)).equals(check.root())) throw new Error('The SQL-built tree is not RFC 9162');
}

/** p50/p99 of inclusion and consistency proofs at random places of the big tree. */
async function proofFigures(store: SqlStore): Promise<Figure[]> {
  await buildBigTree(store, PROOF_TREE_LEAVES);
  const tree = new StoredTree({ store, table: 'bench_audit', origin: LOG_KEY.name, signer: LOG_KEY });
  const random = (below: number) => Math.floor(Math.random() * below);
  const figures: Figure[] = [];
  for (const kind of ['inclusion', 'consistency'] as const) {
    const times: number[] = [];
    for (let i = 0; i < PROOFS; i += 1) {
      const size = 1 + random(PROOF_TREE_LEAVES);
      const other = random(size);
      const t0 = performance.now();
      await (kind === 'inclusion' ? tree.inclusionProof(other, size) : tree.consistencyProof(other, size));
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN;
    console.log(
      `postgres: ${kind} proof in a tree of ${PROOF_TREE_LEAVES} leaves, p50 ${at(0.5).toFixed(2)} ms, p99 ${at(0.99).toFixed(2)} ms`,
    );
    figures.push(
      {
        name: `audit ${kind} proof p50 (${PROOF_TREE_LEAVES} leaves)`,
        value: Number(at(0.5).toFixed(3)),
        unit: 'ms',
      },
      {
        name: `audit ${kind} proof p99 (${PROOF_TREE_LEAVES} leaves)`,
        value: Number(at(0.99).toFixed(3)),
        unit: 'ms',
      },
    );
  }
  await store.exec('TRUNCATE bench_audit_tree, bench_audit_tree_heads');
  return figures;
}

/**
 * Whole-log verification (every record's hash and chain, then the Merkle tree
 * against its signed heads) of a gateway audit log of {@link VERIFY_RECORDS}
 * records, written by two gateway writers as the gateway writes them.
 */
async function verifyFigures(): Promise<Figure[]> {
  const schema = `bench_verify_${randomBytes(4).toString('hex')}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'ortoo-bench-'));
  const store = await PgStore.open({ connectionString: DATABASE_URL, schema });
  try {
    await migrateGatewayStore(store);
    const trust = loadOrCreateTrust({ dir, instance: 'MN' });
    const writers = ['bench-a', 'bench-b'].map(
      (writer) =>
        new AuditTrail({
          store,
          signer: trust.auditSigner,
          logSigner: trust.auditLogSigner,
          subjectSecret: trust.auditSubjectSecret,
          writer,
        }),
    );
    const started = performance.now();
    await Promise.all(
      writers.map(async (trail) => {
        for (let done = 0; done < VERIFY_RECORDS / 2; done += 500) {
          await Promise.all(
            Array.from({ length: 500 }, () => {
              const entry = record();
              return trail.record({
                event: 'answered',
                outcome: 'ok',
                messageId: entry.message_id as string,
                client: entry.client as string,
                service: entry.service as string,
                requestHash: entry.request_hash as string,
                responseHash: entry.response_hash as string,
                requestSignature: entry.request_signature as string,
                responseSignature: entry.response_signature as string,
                detail: entry.detail as Record<string, unknown>,
              });
            }),
          );
          if (done % 20_000 === 0) await trail.checkpoint();
        }
      }),
    );
    for (const trail of writers) await trail.close();
    console.log(
      `postgres: ${VERIFY_RECORDS} audit records written in ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
    const t0 = performance.now();
    const report = await verifyWholeAuditLog(store, {
      signers: [trust.auditCertificate],
      logKey: { name: trust.auditLogSigner.name, publicKey: trust.auditLogSigner.publicKey },
    });
    const seconds = (performance.now() - t0) / 1000;
    if (!report.ok) throw new Error(`The benchmark's log does not verify: ${report.problem.message}`);
    const rate = Math.round(report.records / seconds);
    console.log(
      `postgres: whole-log verification of ${report.records} records in ${seconds.toFixed(1)} s: ${rate} records/s`,
    );
    return [
      {
        name: `audit verify postgres (${report.records} records, chains and tree)`,
        value: rate,
        unit: 'records/s',
      },
    ];
  } finally {
    await store.close();
    const admin = await PgStore.open({ connectionString: DATABASE_URL });
    await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.close();
    rmSync(dir, { recursive: true, force: true });
  }
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
        proofFigures,
      )),
    );
    figures.push(...(await verifyFigures()));
  }
  const targets: Target[] = [];
  for (const figure of figures) {
    if (figure.name === 'audit append postgres (50 appenders)') {
      targets.push({ name: figure.name, min: TARGET_POSTGRES, met: figure.value >= TARGET_POSTGRES });
    } else if (figure.name.endsWith('tree/chain')) {
      targets.push({ name: figure.name, min: TARGET_TREE_RATIO, met: figure.value >= TARGET_TREE_RATIO });
    } else if (figure.name.includes('proof p99')) {
      targets.push({
        name: figure.name,
        min: undefined,
        max: TARGET_PROOF_P99_MS,
        met: figure.value <= TARGET_PROOF_P99_MS,
      });
    } else if (figure.name.startsWith('audit verify')) {
      targets.push({
        name: figure.name,
        min: TARGET_VERIFY_PER_SECOND,
        met: figure.value >= TARGET_VERIFY_PER_SECOND,
      });
    }
  }
  writeFigures('audit', figures, { runs: RUNS, targets });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
