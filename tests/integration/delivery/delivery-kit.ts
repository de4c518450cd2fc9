/**
 * The delivery layer against a real Redis (`REDIS_URL`, else
 * 127.0.0.1:6379), under a key prefix of its own that is removed at the end.
 * Messages are plain objects in the envelope's shape: nothing here verifies
 * signatures, so none are made.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import type { Redis } from 'ioredis';
import {
  createLogger,
  type Logger,
  type RequestEnvelope,
  type ResponseEnvelope,
  type SignedMessage,
} from '../../../core/src';
import { CompletionNotifier } from '../../../gateway/src/delivery/completion-notifier';
import type { DeliveryJobData } from '../../../gateway/src/delivery/delivery-job';
import { DeliveryQueues, type RetryPolicy } from '../../../gateway/src/delivery/delivery-queues';
import {
  DeliveryWorkers,
  type DeliveryHooks,
  type DeliveryProcessor,
} from '../../../gateway/src/delivery/delivery-workers';
import { createRedisConnection } from '../../../gateway/src/redis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export const PROVIDER_A = 'MN/GOV/9011311/ss1';
export const PROVIDER_B = 'MN/COM/5544332/ss1';
export const CONSUMER_SERVER = 'MN/GOV/7000001/ss1';
export const CLIENT = 'MN/GOV/7000001/e-services';
export const SERVICE = 'MN/GOV/9011311/civil-registry/person';

/** Retries a few milliseconds apart, so tests stay fast. */
export const FAST_RETRIES: RetryPolicy = { maxAttempts: 3, backoffMs: 5 };

/** A fresh message id. */
export function messageId(): string {
  return `msg-${randomBytes(8).toString('hex')}`;
}

/** A request in the envelope's shape, with a Cyrillic body. */
export function requestMessage(id: string, service = SERVICE): SignedMessage<RequestEnvelope> {
  return {
    envelope: {
      v: 1,
      kind: 'request',
      id,
      client: CLIENT,
      service,
      headers: {},
      issuedAt: '2030-01-02T03:04:05.000Z',
      nonce: 'AAAAAAAAAAAAAAAAAAAAAA',
      method: 'POST',
      path: '',
      query: '',
      contentType: 'application/json',
      bodyDigest: 'digest',
    },
    body: { registerNumber: 'УБ99112233' },
    signature: { protected: 'header', signature: 'signature' },
  };
}

/** An answer to `message`. */
export function answerTo(message: SignedMessage<RequestEnvelope>): SignedMessage<ResponseEnvelope> {
  const { id, client, service } = message.envelope;
  return {
    envelope: {
      v: 1,
      kind: 'response',
      id,
      client,
      service,
      headers: {},
      issuedAt: '2030-01-02T03:04:06.000Z',
      nonce: 'BBBBBBBBBBBBBBBBBBBBBB',
      requestHash: 'hash',
      status: 200,
      contentType: 'application/json',
      bodyDigest: 'digest',
    },
    body: { name: 'Батбаяр' },
    signature: { protected: 'header', signature: 'signature' },
  };
}

/** A `deliver` job's data for a new message to `provider`. */
export function deliveryData(provider = PROVIDER_A, id = messageId()): DeliveryJobData {
  return {
    message: requestMessage(id),
    serviceVersion: 'v1',
    providerServerId: provider,
    consumerServerId: CONSUMER_SERVER,
    callback: false,
  };
}

/** Hooks that remember every call. */
export interface RecordingHooks extends DeliveryHooks {
  readonly calls: string[];
}

export function recordingHooks(): RecordingHooks {
  const calls: string[] = [];
  return {
    calls,
    async delivered(data, _answer, attempt) {
      calls.push(`delivered ${data.message.envelope.id} #${attempt}`);
      return true;
    },
    async failed(data, error, attempt, final) {
      calls.push(`failed ${data.message.envelope.id} #${attempt} ${error.code}${final ? ' final' : ''}`);
    },
  };
}

export function silentLogger(): Logger {
  return createLogger({ service: 'delivery-test', level: 'error', stream: new PassThrough() });
}

/** A promise and its resolve, to hold a processor until the test lets it go. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => undefined as void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** A TCP port on 127.0.0.1 where nothing listens. */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Options of {@link startDelivery}. */
export interface DeliveryKitOptions {
  concurrency?: number;
  callbackPolicy?: RetryPolicy;
  answerRetentionSeconds?: number;
}

/** Queues, notifier and workers under one fresh prefix. */
export interface DeliveryKit {
  readonly prefix: string;
  readonly connection: Redis;
  readonly queues: DeliveryQueues;
  readonly notifier: CompletionNotifier;
  readonly logger: Logger;
  /** Workers with this processor; closed with the kit. */
  workers(processor: DeliveryProcessor, hooks?: DeliveryHooks): DeliveryWorkers;
  /** Closes everything and removes the prefix's keys. */
  close(): Promise<void>;
}

export async function startDelivery(options: DeliveryKitOptions = {}): Promise<DeliveryKit> {
  const prefix = `ortoo-test-${randomBytes(6).toString('hex')}`;
  const logger = silentLogger();
  const connection = createRedisConnection(REDIS_URL, { purpose: 'queue', logger });
  const queues = new DeliveryQueues({
    connection,
    queuePrefix: prefix,
    answerRetentionSeconds: options.answerRetentionSeconds ?? 60,
    ...(options.callbackPolicy === undefined ? {} : { callbackPolicy: options.callbackPolicy }),
    logger,
  });
  const notifier = await CompletionNotifier.start({ redis: { url: REDIS_URL }, queuePrefix: prefix, logger });
  const started: DeliveryWorkers[] = [];
  return {
    prefix,
    connection,
    queues,
    notifier,
    logger,
    workers(processor, hooks = recordingHooks()) {
      const workers = new DeliveryWorkers({
        redis: { url: REDIS_URL },
        queuePrefix: prefix,
        concurrency: options.concurrency ?? 4,
        processor,
        hooks,
        notifier,
        logger,
      });
      started.push(workers);
      return workers;
    },
    async close() {
      await Promise.all(started.map((workers) => workers.close()));
      await queues.close();
      await notifier.close();
      await removeKeys(connection, prefix);
      await connection.quit();
    },
  };
}

/** Deletes every key under `prefix`. */
export async function removeKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

export { eventually, sleep } from '../../helpers/eventually';
