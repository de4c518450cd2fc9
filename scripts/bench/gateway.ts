/**
 * `npx tsx scripts/bench/gateway.ts`: the gateway hop. A real gateway runs as
 * its own process (`ortoo gateway start`) on PostgreSQL (DATABASE_URL, a
 * random schema dropped after) and Redis (REDIS_URL), with the scale-out
 * layout: one gateway process serving `/v1/exchange`, one `ortoo gateway
 * worker` process delivering. This process plays the rest of the network: the
 * consumer's security server (requests signed beforehand, sent over mutual TLS
 * with keep-alive) and the provider's (a provider endpoint built from the core,
 * signing each answer).
 *
 * The figures, each over a fixed time with 64 requests in flight:
 * - direct: the consumer calling the provider's endpoint itself, no gateway
 *   (the baseline the others are compared with);
 * - gateway hop (async): `POST /v1/exchange` with `Prefer: respond-async`,
 *   every step on (mTLS, schema, signature and certificate, freshness and
 *   replay, access, request schema, audit record, queue), the workers
 *   delivering meanwhile; then the time until every accepted message was
 *   delivered gives the sustained end-to-end rate;
 * - sync exchange: the consumer waits for the provider's answer through the
 *   gateway, verified and audited on the way back;
 * - the hop alone: as the async hop, with the worker stopped, so the gateway
 *   process has the machine to itself but for this one; then the worker's
 *   delivery of that backlog alone.
 * Writes `bench/results/gateway.json`.
 */
import https from 'node:https';
import { startProcessNetwork } from '../../tests/helpers/process-network';
import { writeFigures, type Figure } from './bench-suite';

const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 64);
const PHASE_MS = Number(process.env.BENCH_PHASE_MS ?? 5_000);
const TARGET_HOP = 2_000;
/** Messages signed beforehand per timed phase: more than the phase can send. */
const MESSAGES_PER_PHASE = Number(process.env.BENCH_MESSAGES ?? 25_000);

interface PhaseResult {
  readonly count: number;
  readonly seconds: number;
  readonly latenciesMs: number[];
}

/** The q-quantile of sorted values. */
function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? NaN;
}

/** POSTs a body and resolves with the status once the answer is read. */
function post(
  agent: https.Agent,
  url: string,
  body: Buffer,
  headers: Record<string, string>,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'POST', agent, headers }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends `bodies` in order with IN_FLIGHT at a time, until they run out or the phase ends. */
async function runPhase(
  send: (body: Buffer) => Promise<number>,
  bodies: readonly Buffer[],
  expected: number,
): Promise<PhaseResult> {
  const latenciesMs: number[] = [];
  let next = 0;
  const started = performance.now();
  const deadline = started + PHASE_MS;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < bodies.length && performance.now() < deadline) {
        const body = bodies[next++] as Buffer;
        const sent = performance.now();
        const status = await send(body);
        if (status !== expected) throw new Error(`expected ${expected}, got ${status}`);
        latenciesMs.push(performance.now() - sent);
      }
    }),
  );
  latenciesMs.sort((a, b) => a - b);
  return { count: latenciesMs.length, seconds: (performance.now() - started) / 1000, latenciesMs };
}

function figuresOf(name: string, result: PhaseResult): Figure[] {
  return [
    { name: `${name} requests/s`, value: Math.round(result.count / result.seconds), unit: 'req/s' },
    { name: `${name} p50`, value: Number(quantile(result.latenciesMs, 0.5).toFixed(2)), unit: 'ms' },
    { name: `${name} p99`, value: Number(quantile(result.latenciesMs, 0.99).toFixed(2)), unit: 'ms' },
  ];
}

async function main(): Promise<void> {
  const network = await startProcessNetwork({
    workers: 'separate',
    service: { timeoutMs: 30_000, retryPolicy: { maxAttempts: 5, backoffMs: 100 } },
    env: { ORTOO_DELIVERY_CONCURRENCY: String(IN_FLIGHT) },
    ...(process.env.BENCH_PROFILE_DIR === undefined ? {} : { profileDir: process.env.BENCH_PROFILE_DIR }),
  });
  const { provider, trust } = network;
  const gatewayAgent = new https.Agent({
    keepAlive: true,
    cert: trust.tls.certificate.pem,
    key: trust.tls.keyPem,
    ca: [trust.ca.certificate.pem],
    checkServerIdentity: () => undefined,
  });
  const consumerAgent = new https.Agent({
    keepAlive: true,
    cert: network.consumer.auth.certificatePem,
    key: network.consumer.auth.keyPem,
    ca: [trust.ca.certificate.pem],
  });
  try {
    const signMany = (count: number) =>
      Array.from({ length: count }, () => Buffer.from(JSON.stringify(network.sign())));
    const json = { 'content-type': 'application/json' };
    const exchangeUrl = `${network.exchangeUrl}/v1/exchange`;
    const toGateway = (prefer?: string) => (body: Buffer) =>
      post(consumerAgent, exchangeUrl, body, prefer === undefined ? json : { ...json, prefer });
    const toProvider = (body: Buffer) => post(gatewayAgent, `${provider.address}/v1/deliver`, body, json);
    const delivered = async (count: number, before: number) => {
      while (provider.received.length - before < count)
        await new Promise((resolve) => setTimeout(resolve, 20));
    };

    console.log(`warming up (${IN_FLIGHT} in flight, ${PHASE_MS} ms per phase)`);
    await runPhase(toGateway(), signMany(2_000), 200);

    const direct = await runPhase(toProvider, signMany(MESSAGES_PER_PHASE), 200);
    console.log(`direct to the provider: ${Math.round(direct.count / direct.seconds)} req/s`);

    const asyncBodies = signMany(MESSAGES_PER_PHASE);
    const receivedBefore = provider.received.length;
    const asyncStarted = performance.now();
    const hop = await runPhase(toGateway('respond-async'), asyncBodies, 202);
    await delivered(hop.count, receivedBefore);
    const drainedSeconds = (performance.now() - asyncStarted) / 1000;
    console.log(`gateway hop (async): ${Math.round(hop.count / hop.seconds)} req/s`);

    const sync = await runPhase(toGateway(), signMany(MESSAGES_PER_PHASE), 200);
    console.log(`sync exchange: ${Math.round(sync.count / sync.seconds)} req/s`);

    // The hop alone: no worker takes the messages until the phase is over; then
    // a worker starts and delivers the backlog: the delivery rate alone.
    await network.stopWorkers();
    const hopAlone = await runPhase(toGateway('respond-async'), signMany(MESSAGES_PER_PHASE), 202);
    console.log(
      `gateway hop alone (workers stopped): ${Math.round(hopAlone.count / hopAlone.seconds)} req/s`,
    );
    const receivedBeforeDrain = provider.received.length;
    const drainStarted = performance.now();
    await network.startWorker();
    await delivered(hopAlone.count, receivedBeforeDrain);
    const drainSeconds = (performance.now() - drainStarted) / 1000;

    const directRate = direct.count / direct.seconds;
    const hopRate = hop.count / hop.seconds;
    const figures: Figure[] = [
      ...figuresOf('direct call of the provider endpoint', direct),
      ...figuresOf('gateway hop (async accept)', hop),
      {
        name: 'gateway hop ratio to direct',
        value: Number((hopRate / directRate).toFixed(3)),
        unit: 'ratio',
      },
      {
        name: 'async accepted then delivered, sustained',
        value: Math.round(hop.count / drainedSeconds),
        unit: 'msg/s',
      },
      ...figuresOf('gateway hop alone (async accept, workers stopped)', hopAlone),
      {
        name: 'delivery of the backlog alone (worker start included)',
        value: Math.round(hopAlone.count / drainSeconds),
        unit: 'msg/s',
      },
      ...figuresOf('sync exchange through the gateway', sync),
      {
        name: 'sync exchange ratio to direct',
        value: Number((sync.count / sync.seconds / directRate).toFixed(3)),
        unit: 'ratio',
      },
    ];
    console.table(figures);
    console.log(`gateway hop target ${TARGET_HOP} req/s: ${hopRate >= TARGET_HOP ? 'met' : 'NOT met'}`);
    writeFigures('gateway', figures, {
      runs: 1,
      targets: [
        { name: 'gateway hop (async accept) requests/s', min: TARGET_HOP, met: hopRate >= TARGET_HOP },
      ],
    });
  } finally {
    gatewayAgent.destroy();
    consumerAgent.destroy();
    await network.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
