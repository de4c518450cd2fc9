import type { Express } from 'express';
import type { Redis } from 'ioredis';
import request from 'supertest';
import { createApp } from '../../../gateway/src/app';
import { DeliveryQueues } from '../../../gateway/src/delivery/delivery-queues';
import { buildOpenApiDocument } from '../../../gateway/src/openapi';
import { createRedisConnection } from '../../../gateway/src/redis';
import { ADMIN_ROUTERS } from '../../../gateway/src/routes';
import { SessionStore } from '../../../gateway/src/console/session-store';
import { consoleDataRouter } from '../../../gateway/src/routes/console-data';
import { deadLettersRouter } from '../../../gateway/src/routes/dead-letters';
import { sessionRouter } from '../../../gateway/src/routes/session';
import { startGateway, type GatewayHarness } from '../../helpers/gateway-harness';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every `METHOD /path` the app answers, with express's `:param` written as OpenAPI's `{param}`. */
function routesOf(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const path = layer.route.path.replace(/:(\w+)/g, '{$1}');
        for (const method of Object.keys(layer.route.methods)) found.push(`${method.toUpperCase()} ${path}`);
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return found.sort();
}

/** Every `$ref` in a document, as JSON pointers into it. */
function refsOf(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => refsOf(item, into));
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string') into.push(child);
      else refsOf(child, into);
    }
  }
  return into;
}

function resolve(document: unknown, pointer: string): unknown {
  return pointer
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], document);
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

describe('the OpenAPI description of the admin API', () => {
  let gateway: GatewayHarness;
  // Every API router the gateway mounts, those that need Redis (dead letters, console sessions) included.
  let app: Express;
  let queues: DeliveryQueues;
  let connection: Redis;
  const document = buildOpenApiDocument() as { paths: Record<string, Record<string, unknown>> };

  /** Every operation described, skipping path-level keys such as `parameters`. */
  const describedRoutes = () =>
    Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((key) => HTTP_METHODS.includes(key))
        .map((method) => `${method.toUpperCase()} ${path}`),
    );

  beforeAll(async () => {
    gateway = await startGateway('pglite');
    connection = createRedisConnection(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
      purpose: 'queue',
    });
    queues = new DeliveryQueues({
      connection,
      queuePrefix: 'ortoo-test-openapi',
      answerRetentionSeconds: 60,
    });
    const sessions = new SessionStore({ redis: connection, prefix: 'ortoo-test-openapi' });
    app = createApp(
      gateway.deps,
      [...ADMIN_ROUTERS, deadLettersRouter(queues), sessionRouter(sessions), consoleDataRouter(queues)],
      { sessions },
    );
  });
  afterAll(async () => {
    try {
      await queues.close();
    } finally {
      connection.disconnect();
      await gateway.close();
    }
  });

  it('describes every route the gateway answers', () => {
    const described = describedRoutes();
    const routes = routesOf(app);
    expect(routes.length).toBeGreaterThan(20);
    expect(routes.filter((route) => !described.includes(route))).toEqual([]);
  });

  it('describes no route the gateway does not answer', () => {
    const routes = routesOf(app);
    const described = describedRoutes();
    expect(described.filter((route) => !routes.includes(route))).toEqual([]);
  });

  it('names every operation with an operationId of its own, the name its generated client types use', () => {
    const operations = Object.values(document.paths).flatMap((item) =>
      Object.entries(item)
        .filter(([key]) => HTTP_METHODS.includes(key))
        .map(([, operation]) => (operation as { operationId?: unknown }).operationId),
    );
    expect(operations.length).toBeGreaterThan(50);
    expect(operations.filter((id) => typeof id !== 'string' || !/^[a-z][A-Za-z]+$/.test(id))).toEqual([]);
    expect(new Set(operations).size).toBe(operations.length);
  });

  it('resolves every $ref inside itself', () => {
    const dangling = refsOf(document).filter(
      (ref) => !ref.startsWith('#/') || resolve(document, ref) === undefined,
    );
    expect(dangling).toEqual([]);
  });

  it('is served at /v1/openapi.json as built', async () => {
    const res = await request(app).get('/v1/openapi.json').expect(200);
    expect(res.body).toEqual(document);
  });
});
