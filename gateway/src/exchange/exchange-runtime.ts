import {
  MESSAGE_DEPTH_OVERHEAD,
  createMtlsServer,
  listenerLimitsOf,
  listenerRefusals,
} from '../../../core/src';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Registry } from 'prom-client';
import { CompletionNotifier } from '../delivery/completion-notifier';
import { DeliveryQueues } from '../delivery/delivery-queues';
import { DeliveryWorkers } from '../delivery/delivery-workers';
import { OutcomeOutbox } from '../delivery/outcome-outbox';
import { ProviderClient } from '../delivery/provider-client';
import type { GatewayDeps } from '../deps';
import { closeConnection, createRedisConnection, type RedisConnection } from '../redis';
import { createDeliveryHooks, createDeliveryProcessor, type DeliveryParts } from './deliver-exchange';
import { createExchangeApp } from './exchange-app';
import { ExchangeMetrics, tlsFailureReason } from './exchange-metrics';
import { ExchangePipeline } from './exchange-pipeline';
import { InlineDelivery } from './inline-delivery';
import { ReplayGuard } from './replay-guard';
import { RoutingTable } from './routing-table';
import { ServiceSchemaCache } from './service-schema-cache';

/** The router's parts, running: queues, workers and (unless workers only) the exchange listener. */
export interface ExchangeRuntime {
  /** Base URL of the mutual-TLS exchange listener; undefined for a worker-only process. */
  readonly url: string | undefined;
  readonly queues: DeliveryQueues;
  readonly routing: RoutingTable;
  /** The queues' fail-fast Redis connection: what readiness checks ping. */
  readonly redis: RedisConnection;
  /** Stops listening, lets running deliveries finish, closes the Redis connections. */
  close(): Promise<void>;
}

/** Options of {@link startExchangeRuntime}. */
export interface ExchangeRuntimeOptions {
  /** Serve `/v1/exchange` (a gateway) or only deliver (`ortoo gateway worker`). */
  readonly listen: boolean;
  /** Run delivery workers in this process. */
  readonly workers: boolean;
  /** Where the router's metrics are registered. */
  readonly metrics: Registry;
}

/**
 * Starts the message router inside a gateway process: the exchange listener
 * and its pipeline, the delivery queues, and (unless configured otherwise)
 * the workers that deliver, one per provider server, started as the
 * configuration names new servers.
 */
export async function startExchangeRuntime(
  deps: GatewayDeps,
  options: ExchangeRuntimeOptions,
): Promise<ExchangeRuntime> {
  const { config, logger } = deps;
  const { exchange, delivery, redis: redisTarget } = config;
  const closers: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) {
      await Promise.resolve(closer()).catch((error: unknown) => logger.warn('close failed', { error }));
    }
  };
  try {
    const redis = createRedisConnection(redisTarget, { purpose: 'queue', logger });
    closers.push(() => closeConnection(redis));
    const queues = new DeliveryQueues({
      connection: redis,
      queuePrefix: delivery.queuePrefix,
      answerRetentionSeconds: exchange.answerRetentionSeconds,
      logger,
    });
    closers.push(() => queues.close());
    const notifier = await CompletionNotifier.start({
      redis: redisTarget,
      queuePrefix: delivery.queuePrefix,
      logger,
    });
    closers.push(() => notifier.close());

    const routing = new RoutingTable({ publisher: deps.globalConf, refreshMs: exchange.registryRefreshMs });
    const serviceSchemas = new ServiceSchemaCache(deps.store);
    const metrics = new ExchangeMetrics(options.metrics);

    // Workers deliver queued messages; the listener delivers sync messages itself, as they come.
    const providers = new ProviderClient({
      certificatePem: deps.trust.tls.certificate.pem,
      keyPem: deps.trust.tls.keyPem,
      caPem: [deps.trust.ca.certificate.pem],
      maxAnswerBytes: exchange.bodyLimitBytes,
      // One idle connection kept per delivery slot: fewer would close and reopen (a handshake each) under load.
      keepAliveSockets: delivery.concurrency,
    });
    closers.push(() => providers.close());
    // Every process that records outcomes also writes those any process had to keep.
    const outbox = new OutcomeOutbox({
      redis,
      queuePrefix: delivery.queuePrefix,
      audit: deps.audit,
      logger,
      onDepth: (depth) => metrics.outboxDepth.set(depth),
    });
    outbox.start();
    closers.push(() => outbox.close());
    const parts: DeliveryParts = {
      routing,
      providers,
      serviceSchemas,
      queues,
      outbox,
      metrics,
      logger,
    };
    const hooks = createDeliveryHooks(parts);

    if (options.workers) {
      const workers = new DeliveryWorkers({
        redis: redisTarget,
        queuePrefix: delivery.queuePrefix,
        concurrency: delivery.concurrency,
        ratePerSecond: delivery.ratePerSecond,
        lockMs: delivery.lockMs,
        processor: createDeliveryProcessor(parts),
        hooks,
        notifier,
        logger,
      });
      closers.push(() => workers.close());
      const serversOf = (index: Awaited<ReturnType<RoutingTable['current']>>) =>
        index.conf.securityServers.filter((server) => server.status === 'active').map((server) => server.id);
      routing.onChange((index) => {
        workers
          .ensure(serversOf(index))
          .catch((error: unknown) => logger.error('workers not started', { error }));
      });
      await workers.ensure(serversOf(await routing.current()));
      // Nothing else asks for the registry in a worker-only process: without this, a server
      // registered after the worker started would never have its queue worked.
      const watch = setInterval(() => {
        routing.current().catch((error: unknown) => logger.warn('registry not read', { error }));
      }, exchange.registryRefreshMs);
      watch.unref();
      closers.push(() => clearInterval(watch));
    }

    let url: string | undefined;
    if (options.listen) {
      const commands = createRedisConnection(redisTarget, {
        purpose: 'command',
        logger,
        autoPipelining: true,
      });
      closers.push(() => closeConnection(commands));
      const pipeline = new ExchangePipeline({
        routing,
        serviceSchemas,
        replay: new ReplayGuard(
          commands,
          delivery.queuePrefix,
          Math.max(exchange.answerRetentionSeconds, 2 * exchange.freshnessSeconds),
        ),
        queues,
        inline: new InlineDelivery({ providers, serviceSchemas, metrics, queues, notifier, hooks, logger }),
        audit: deps.audit,
        metrics,
        logger,
        clock: deps.clock,
        freshnessMs: exchange.freshnessSeconds * 1000,
        maxJsonDepth: config.limits.maxJsonDepth + MESSAGE_DEPTH_OVERHEAD,
      });
      const app = createExchangeApp({ pipeline, bodyLimitBytes: exchange.bodyLimitBytes, logger });
      const server = createMtlsServer(app, {
        certificatePem: deps.trust.tls.certificate.pem,
        keyPem: deps.trust.tls.keyPem,
        caPem: [deps.trust.ca.certificate.pem],
        limits: listenerLimitsOf(config.limits),
        onRefused: listenerRefusals(options.metrics, 'exchange'),
      });
      server.on('tlsClientError', (error: NodeJS.ErrnoException, socket: TLSSocket) => {
        metrics.tlsHandshakeFailures.inc({ reason: tlsFailureReason(error, socket.authorizationError) });
      });
      server.listen(exchange.port, exchange.host);
      await new Promise<void>((resolve, reject) => {
        server.once('listening', resolve);
        server.once('error', reject);
      });
      closers.push(
        () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeIdleConnections();
          }),
      );
      const { port } = server.address() as AddressInfo;
      const host = exchange.host.includes(':') ? `[${exchange.host}]` : exchange.host;
      url = `https://${host}:${port}`;
      logger.info('exchange listening', { url });
    }
    return { url, queues, routing, redis, close };
  } catch (error) {
    await close();
    throw error;
  }
}
