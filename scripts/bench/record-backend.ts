/**
 * The whole-exchange benchmark's agency backend, a process of its own: a
 * plain node:http server that answers every request with the ~1 KB person
 * record, as fast as node can, so that what the exchange adds stands out.
 *
 * It also tells the benchmark what it received (`GET /_bench/stats`): how
 * many requests, and for the messages whose `X-Road-Id` the load generator
 * marked as async with the current tag (`bench-a-<tag>-<sent at, µs since
 * the epoch>-<n>`), how many distinct ones arrived and how long after they
 * were sent, in ms, each first arrived. `?reset=<tag>` forgets them and
 * counts that tag's from then on, so late arrivals of an earlier phase are
 * never counted to a later one.
 *
 * `tsx scripts/bench/record-backend.ts <port>`; prints `listening on <port>`;
 * stops on SIGTERM or SIGINT.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PERSON_RECORD } from './person-record';

/** The `X-Road-Id` of an async benchmark message: its send time in µs since the epoch, then a counter. */
const ASYNC_ID = /^bench-a-([A-Za-z0-9]+)-(\d+)-/;

/** What `GET /_bench/stats` answers. */
export interface BackendStats {
  /** Every request answered since start, stats requests aside. */
  readonly hits: number;
  /** Distinct async messages of the current tag received. */
  readonly asyncDelivered: number;
  /** For each of them, ms from its sending to its first arrival. */
  readonly asyncDeliveryMs: number[];
  /** Calls by `X-Road-Id` since start: how often each message reached the backend. */
  readonly callsById: Record<string, number>;
}

/** Microseconds since the epoch, finer than Date.now(); the load generator uses the same clock. */
export function epochMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

function main(): void {
  const record = Buffer.from(JSON.stringify(PERSON_RECORD));
  let hits = 0;
  let tag = '';
  let seen = new Set<string>();
  let deliveryMs: number[] = [];
  const callsById: Record<string, number> = {};
  // A slow backend, for fault runs that need calls in flight: `RECORD_BACKEND_DELAY_MS`.
  const delayMs = Number(process.env.RECORD_BACKEND_DELAY_MS ?? 0);

  const server = createServer((req, res) => {
    if (req.url?.startsWith('/_bench/stats') === true) {
      const stats: BackendStats = {
        hits,
        asyncDelivered: seen.size,
        asyncDeliveryMs: deliveryMs,
        callsById,
      };
      const reset = new URL(req.url, 'http://backend').searchParams.get('reset');
      if (reset !== null) {
        tag = reset;
        seen = new Set();
        deliveryMs = [];
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
      return;
    }
    hits += 1;
    const id = req.headers['x-road-id'];
    if (typeof id === 'string') callsById[id] = (callsById[id] ?? 0) + 1;
    const sent = typeof id === 'string' ? ASYNC_ID.exec(id) : null;
    if (sent !== null && sent[1] === tag && typeof id === 'string' && !seen.has(id)) {
      seen.add(id);
      deliveryMs.push((epochMicros() - Number(sent[2])) / 1000);
    }
    req.resume();
    req.on('end', () => {
      const answer = () =>
        res
          .writeHead(200, { 'content-type': 'application/json', 'content-length': record.length })
          .end(record);
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    });
  });
  server.keepAliveTimeout = 60_000;

  const stop = () => {
    server.close();
    server.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
    process.stdout.write(`listening on ${(server.address() as AddressInfo).port}\n`);
  });
}

if (require.main === module) main();
