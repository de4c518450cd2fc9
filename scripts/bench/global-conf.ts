/**
 * `npx tsx scripts/bench/global-conf.ts`: the signed global configuration of
 * a large instance, on PGlite (in memory) and on PostgreSQL (DATABASE_URL, or
 * postgres://postgres@127.0.0.1:5432/test; a random schema, dropped after;
 * skipped with a note when unreachable).
 *
 * The registry: 1,000 members, one subsystem and one security server each,
 * 10,000 services (10 per subsystem) with small request and response schemas,
 * 20,000 access rights (one client and one group per service), 10 groups of
 * 100 subsystems, and 1,000 signing plus 1,000 TLS certificates. Issuing 2,000
 * real certificates would take longer than everything measured, so ONE real
 * signing and ONE real TLS certificate are issued by the CA and their PEMs
 * reused under distinct serials and thumbprints: the document has the same
 * size and shape, and nothing here parses the PEMs. Everything is seeded by
 * set-based SQL (`unnest` of arrays).
 *
 * Measured, median of 5 runs: reading the registry snapshot, building the
 * document, signing it (canonical JSON, ES256, wire JSON and ETag), and their
 * sum (what the gateway does after a change); the answer when nothing changed
 * (one version SELECT); the document's size; and a security server's
 * verification of it. Writes `bench/results/global-conf.json`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import {
  PgStore,
  PgliteStore,
  canonicalJson,
  createLogger,
  generateKeyPair,
  sha256,
  verifyGlobalConf,
  type SqlExecutor,
  type SqlStore,
} from '../../core/src';
import { migrateGatewayStore } from '../../gateway/src/database';
import { buildGlobalConf } from '../../gateway/src/global-conf/build-global-conf';
import { GlobalConfPublisher, signForWire } from '../../gateway/src/global-conf/global-conf-publisher';
import { loadRegistrySnapshot } from '../../gateway/src/global-conf/load-registry-snapshot';
import { bumpRegistryVersion } from '../../gateway/src/registry/registry-version';
import {
  gatewayCertificatesOf,
  loadOrCreateTrust,
  type GatewayTrust,
} from '../../gateway/src/trust/gateway-trust';
import { median, writeFigures, type Figure } from './bench-suite';

const MEMBERS = 1_000;
const SERVICES_PER_SUBSYSTEM = 10;
const GROUPS = 10;
const RUNS = 5;
const VALIDITY_SECONDS = 600;
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const range = (count: number) => Array.from({ length: count }, (_, index) => index);
const memberId = (i: number) => `MN/GOV/${9_000_000 + i}`;
const subsystemId = (i: number) => `${memberId(i)}/registry`;

/** A small, realistic request schema of one service; the code makes each one distinct. */
function requestSchema(code: string): object {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: `${code} request`,
    type: 'object',
    additionalProperties: false,
    required: ['registerNumber'],
    properties: {
      registerNumber: { type: 'string', pattern: '^[А-ЯӨҮЁ]{2}[0-9]{8}$' },
      fields: { type: 'array', items: { enum: ['name', 'birthDate', 'address', 'documents'] } },
      asOf: { type: 'string', format: 'date' },
    },
  };
}

function responseSchema(code: string): object {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: `${code} response`,
    type: 'object',
    additionalProperties: false,
    required: ['registerNumber', 'status'],
    properties: {
      registerNumber: { type: 'string' },
      status: { enum: ['found', 'not-found', 'restricted'] },
      familyName: { type: 'string', maxLength: 100 },
      givenName: { type: 'string', maxLength: 100 },
      birthDate: { type: 'string', format: 'date' },
      address: { type: 'string', maxLength: 300 },
    },
  };
}

/** Seeds the registry in one transaction of set-based INSERTs. */
async function seed(tx: SqlExecutor, trust: GatewayTrust): Promise<void> {
  const members = range(MEMBERS);
  await tx.query(
    `INSERT INTO members (id, instance, member_class, member_code, name)
     SELECT id, 'MN', 'GOV', split_part(id, '/', 3), name FROM unnest($1::text[], $2::text[]) AS t (id, name)`,
    [members.map(memberId), members.map((i) => `Төрийн байгууллага №${i + 1}`)],
  );
  await tx.query(
    `INSERT INTO subsystems (id, member_id, subsystem_code, name)
     SELECT m || '/registry', m, 'registry', 'Бүртгэл' FROM unnest($1::text[]) AS m`,
    [members.map(memberId)],
  );
  await tx.query(
    `INSERT INTO security_servers (id, owner_id, server_code, address)
     SELECT m || '/ss1', m, 'ss1', 'https://ss1.agency-' || ord || '.gov.mn:5500'
       FROM unnest($1::text[]) WITH ORDINALITY AS t (m, ord)`,
    [members.map(memberId)],
  );

  // One real certificate of each kind, reused under distinct serials and thumbprints (see above).
  const now = Date.now();
  const issue = (profile: 'sign' | 'auth') =>
    trust.ca.issueForPublicKey({
      subject: { commonName: `bench ${profile}`, organization: 'Örtöö bench' },
      publicKey: generateKeyPair().publicKey,
      profile,
      notBefore: new Date(now - 30_000),
      notAfter: new Date(now + 365 * 24 * 3600 * 1000),
      ...(profile === 'auth' ? { dnsNames: ['ss1.example.mn'] } : {}),
    });
  const certificates = { sign: issue('sign'), auth: issue('auth') };
  for (const [index, kind] of (['sign', 'auth'] as const).entries()) {
    const certificate = certificates[kind];
    await tx.query(
      `INSERT INTO certificates (serial, kind, member_id, security_server_id, thumbprint, subject, pem,
                                 not_before, not_after)
       SELECT serial, $2, m, m || '/ss1', thumbprint, $3, $4, $5, $6
         FROM unnest($1::text[], $7::text[], $8::text[]) AS t (m, serial, thumbprint)`,
      [
        members.map(memberId),
        kind,
        certificate.subject.commonName,
        certificate.pem,
        certificate.notBefore,
        certificate.notAfter,
        members.map((i) => (((index + 1) << 20) + i + 1).toString(16)),
        members.map((i) => sha256(`${kind}-${i}`)),
      ],
    );
  }

  const services = range(MEMBERS * SERVICES_PER_SUBSYSTEM);
  const codes = services.map((s) => `service-${s % SERVICES_PER_SUBSYSTEM}`);
  const requests = services.map((s) => requestSchema(`${subsystemId(Math.floor(s / 10))}/${codes[s]}`));
  const responses = services.map((s) => responseSchema(`${subsystemId(Math.floor(s / 10))}/${codes[s]}`));
  await tx.query(
    `INSERT INTO services (service_id, version, provider_id, service_code, title, request_schema,
                           response_schema, request_schema_hash, response_schema_hash, timeout_ms,
                           max_attempts, backoff_ms, data_subject_pointer)
     SELECT p || '/' || code, '1', p, code, 'Иргэний лавлагаа ' || code, rq::jsonb, rs::jsonb, rqh, rsh,
            30000, 5, 1000, '/registerNumber'
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
         AS t (p, code, rq, rs, rqh, rsh)`,
    [
      services.map((s) => subsystemId(Math.floor(s / SERVICES_PER_SUBSYSTEM))),
      codes,
      requests.map((schema) => JSON.stringify(schema)),
      responses.map((schema) => JSON.stringify(schema)),
      requests.map((schema) => sha256(canonicalJson(schema))),
      responses.map((schema) => sha256(canonicalJson(schema))),
    ],
  );

  await tx.query(
    `INSERT INTO global_groups (id, instance, group_code)
     SELECT 'MN/group-' || g, 'MN', 'group-' || g FROM generate_series(0, $1::int - 1) AS g`,
    [GROUPS],
  );
  await tx.query(
    `INSERT INTO global_group_members (group_id, subsystem_id)
     SELECT 'MN/group-' || (ord % $2::int), s FROM unnest($1::text[]) WITH ORDINALITY AS t (s, ord)`,
    [members.map(subsystemId), GROUPS],
  );
  const serviceIds = services.map(
    (s) => `${subsystemId(Math.floor(s / SERVICES_PER_SUBSYSTEM))}/${codes[s]}`,
  );
  await tx.query(
    `INSERT INTO access_rights (service_id, client_id) SELECT * FROM unnest($1::text[], $2::text[])`,
    [serviceIds, services.map((s) => subsystemId((Math.floor(s / SERVICES_PER_SUBSYSTEM) + 1) % MEMBERS))],
  );
  await tx.query(
    `INSERT INTO access_rights (service_id, group_id) SELECT * FROM unnest($1::text[], $2::text[])`,
    [serviceIds, services.map((s) => `MN/group-${s % GROUPS}`)],
  );
  await bumpRegistryVersion(tx);
}

/** Milliseconds `fn` takes, and what it returned. */
async function timed<T>(fn: () => Promise<T> | T): Promise<[number, T]> {
  const started = performance.now();
  const value = await fn();
  return [performance.now() - started, value];
}

const round = (ms: number) => Number(ms.toFixed(1));

/** Seeds one store and measures it; the figures' names carry the engine. */
async function measure(engine: string, store: SqlStore, trust: GatewayTrust): Promise<Figure[]> {
  await migrateGatewayStore(store);
  const [seedMs] = await timed(() => store.transaction((tx) => seed(tx, trust)));
  const params = {
    instance: 'MN',
    validitySeconds: VALIDITY_SECONDS,
    caCertificates: [trust.ca.certificate.pem],
    gatewayCertificates: gatewayCertificatesOf(trust),
  };

  const runs = {
    snapshot: [] as number[],
    build: [] as number[],
    sign: [] as number[],
    total: [] as number[],
  };
  let body = '';
  for (let run = 0; run < RUNS; run += 1) {
    const [snapshotMs, snapshot] = await timed(() => loadRegistrySnapshot(store));
    const [buildMs, conf] = await timed(() => buildGlobalConf(snapshot, { ...params, now: new Date() }));
    const [signMs, signed] = await timed(() => signForWire(conf, trust.confSigner));
    body = signed.body;
    runs.snapshot.push(snapshotMs);
    runs.build.push(buildMs);
    runs.sign.push(signMs);
    runs.total.push(snapshotMs + buildMs + signMs);
  }

  // The answer to a request when nothing changed: one version SELECT, then the held document.
  const publisher = new GlobalConfPublisher({
    store,
    signer: trust.confSigner,
    clock: () => new Date(),
    logger: createLogger({ service: 'bench', level: 'error', stream: new PassThrough() }),
    ...params,
  });
  await publisher.current();
  const cached: number[] = [];
  for (let run = 0; run < RUNS; run += 1) cached.push((await timed(() => publisher.current()))[0]);

  const anchor = trust.confCertificate;
  verifyGlobalConf(body, { anchor, now: new Date() }); // compiles the schema once, as a server does at start
  const verify: number[] = [];
  let conf = verifyGlobalConf(body, { anchor, now: new Date() });
  for (let run = 0; run < RUNS; run += 1) {
    const [ms, verified] = await timed(() => verifyGlobalConf(body, { anchor, now: new Date() }));
    verify.push(ms);
    conf = verified;
  }

  const payloadBytes = Buffer.from(body).length;
  return [
    { name: `${engine}: seed registry (one transaction)`, value: round(seedMs), unit: 'ms' },
    { name: `${engine}: read registry snapshot`, value: round(median(runs.snapshot)), unit: 'ms' },
    { name: `${engine}: build document`, value: round(median(runs.build)), unit: 'ms' },
    {
      name: `${engine}: sign (canonical JSON, ES256, wire, ETag)`,
      value: round(median(runs.sign)),
      unit: 'ms',
    },
    { name: `${engine}: build+sign after a change`, value: round(median(runs.total)), unit: 'ms' },
    { name: `${engine}: answer when unchanged (version check)`, value: round(median(cached)), unit: 'ms' },
    { name: `${engine}: document size`, value: payloadBytes, unit: 'bytes' },
    { name: `${engine}: document size gzipped`, value: gzipSync(body).length, unit: 'bytes' },
    { name: `${engine}: client verify (signature, schema)`, value: round(median(verify)), unit: 'ms' },
    {
      name: `${engine}: entries (services, access rights, sign certificates)`,
      value: conf.services.length + conf.accessRights.length + conf.signCertificates.length,
      unit: 'count',
    },
  ];
}

async function main(): Promise<void> {
  const certsDir = mkdtempSync(path.join(tmpdir(), 'ortoo-bench-conf-'));
  const figures: Figure[] = [];
  try {
    const trust = loadOrCreateTrust({ dir: certsDir, instance: 'MN' });

    const pglite = await PgliteStore.open();
    try {
      figures.push(...(await measure('pglite', pglite, trust)));
    } finally {
      await pglite.close();
    }

    const schema = `bench_${randomBytes(6).toString('hex')}`;
    let postgres: PgStore | undefined;
    try {
      postgres = await PgStore.open({ connectionString: DATABASE_URL, schema });
    } catch (error) {
      console.log(`PostgreSQL at ${DATABASE_URL} not reachable, skipped: ${(error as Error).message}`);
    }
    if (postgres !== undefined) {
      try {
        figures.push(...(await measure('postgres', postgres, trust)));
      } finally {
        await postgres.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
        await postgres.close();
      }
    }
  } finally {
    rmSync(certsDir, { recursive: true, force: true });
  }

  console.log(
    `\nsuite global-conf: ${MEMBERS} members, ${MEMBERS * SERVICES_PER_SUBSYSTEM} services; median of ${RUNS} runs`,
  );
  console.table(figures.map((f) => ({ figure: f.name, value: f.value, unit: f.unit })));
  writeFigures('global-conf', figures, { runs: RUNS });
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
