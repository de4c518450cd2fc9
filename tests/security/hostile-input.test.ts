/**
 * The security suite: a corpus of hostile input and property-based fuzzing
 * (fast-check, fixed seed, bounded runs) against the three listeners of a
 * real network started here — the consumer's client proxy, the gateway's
 * admin API and its mutual-TLS exchange listener — while innocent calls run
 * alongside. After every batch: every answer was typed and prompt, every
 * process is healthy, and no innocent call was harmed.
 */
import { randomUUID } from 'node:crypto';
import https from 'node:https';
import fc from 'fast-check';
import {
  buildRequest,
  signMessage,
  type HttpMethod,
  type JsonValue,
  type RequestParams,
} from '../../core/src';
import { E_SERVICES, PERSON_SERVICE } from '../../scripts/demo/demo-data';
import { parseRawAnswer, rawRequest, type RawStep } from '../helpers/raw-http';
import { startSsNetwork, type SsNetwork } from '../helpers/ss-network';
import { InnocentTraffic, Tally, brief, send, unhealthy, type Listener, type Sent } from './hostile-kit';

/** Every run of the suite tries the same inputs. */
const SEED = 20_261_204;
/** Runs per fuzzed property: bounded, so the suite stays within its couple of minutes on 2 cores. */
const RUNS = 200;

/** Short listener limits, so the slow-client cases end within seconds. */
const LIMITS = {
  HEADERS_TIMEOUT_MS: '1500',
  BODY_IDLE_TIMEOUT_MS: '1000',
  REQUEST_TIMEOUT_MS: '4000',
  MAX_CONNECTIONS_PER_PEER: '200',
};
const envOf = (prefix: string) =>
  Object.fromEntries(Object.entries(LIMITS).map(([key, value]) => [`${prefix}${key}`, value]));

const REGISTER_NUMBER = 'УБ99010112';
const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** Text as a hostile caller types it: any code unit, lone surrogates and U+0000 included. */
const anyText = fc.string({ unit: 'binary', maxLength: 40 });
/** Text an HTTP header can carry (Latin-1 without controls). */
const headerText = fc.string({
  unit: fc
    .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff }))
    .map((c) => String.fromCharCode(c)),
  maxLength: 60,
});
/** A URL segment: plain, percent-encoded anything, or a known troublemaker. */
const segment = fc.oneof(
  fc.constantFrom(
    'MN',
    'GOV',
    '9011311',
    'civil-registry',
    'person',
    'listMethods',
    'messages',
    '..',
    '%2e%2e',
    '%00',
    '%ED%A0%80',
    '%',
    '%E0%A4%A',
    '',
  ),
  anyText.map((text) => {
    try {
      return encodeURIComponent(text);
    } catch {
      return '%ED%A0%80'; // a lone surrogate cannot be encoded: its CESU bytes instead
    }
  }),
);
const query = fc
  .array(fc.tuple(segment, segment), { maxLength: 4 })
  .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`));
/** A body as text: JSON of anything, with the escapes of lone surrogates and U+0000, deep, with a BOM, or bytes. */
const body = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value) ?? 'null'),
  fc.record({ registerNumber: anyText }).map((value) => JSON.stringify(value)),
  fc.constant(JSON.stringify({ registerNumber: REGISTER_NUMBER })),
  fc.integer({ min: 60, max: 9000 }).map(deep),
  fc.constantFrom(
    '{"userId":"\\ud800"}',
    '["\\u0000"]',
    '\ufeff{"registerNumber":"УБ99010112"}',
    '{"a":',
    '',
  ),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/problem+json',
  'text/plain',
  'application/octet-stream',
  'application/pdf',
  'multipart/form-data; boundary=x',
  'json',
);

describe('hostile input never hurts others', () => {
  let network: SsNetwork;
  let exchangeAgent: https.Agent;
  let innocent: InnocentTraffic;
  const tally = new Tally();
  const person = `/r1/${PERSON_SERVICE.id}`;

  beforeAll(async () => {
    network = await startSsNetwork({ ssEnv: envOf('ORTOO_SS_'), gatewayEnv: envOf('ORTOO_') });
    const { identity } = network.consumer.running.deps;
    exchangeAgent = new https.Agent({
      keepAlive: true,
      cert: identity.tls.certificatePem,
      key: identity.tls.keyPem,
      ca: [...identity.caPem],
    });
    // Two portal users looking citizens up the whole time.
    innocent = new InnocentTraffic(
      2,
      async () => {
        const started = performance.now();
        const res = await network.call(person, {
          method: 'POST',
          headers: { 'X-Road-Client': E_SERVICES.subsystemId, 'Content-Type': 'application/json' },
          body: JSON.stringify({ registerNumber: REGISTER_NUMBER }),
        });
        const answer = (await res.json()) as unknown;
        return { status: res.status, headers: {}, body: answer, elapsedMs: performance.now() - started };
      },
      (answer) =>
        answer.status === 200 &&
        (answer.body as { registerNumber?: unknown }).registerNumber === REGISTER_NUMBER,
    );
  }, 120_000);

  afterAll(async () => {
    await innocent?.stop();
    exchangeAgent?.destroy();
    process.stdout.write(`${tally.summary(innocent)}\n`);
    await network?.close();
  });

  /** After every batch: no failure so far, every process healthy, no innocent call harmed. */
  const checkBatch = async () => {
    expect(tally.failures).toEqual([]);
    const urls = [network.adminUrl, network.consumer.clientUrl, network.provider.clientUrl];
    expect(await unhealthy(urls)).toEqual([]);
    expect(innocent.harmed).toEqual([]);
  };

  const clientProxy = (request: Omit<Sent, 'url'> & { path: string }): Sent => ({
    ...request,
    url: `${network.consumer.clientUrl}${request.path}`,
    headers: { authorization: `Bearer ${network.apiKey}`, ...request.headers },
  });
  const admin = (request: Omit<Sent, 'url'> & { path: string }): Sent => ({
    ...request,
    url: `${network.adminUrl}${request.path}`,
  });
  const exchange = (request: Omit<Sent, 'url' | 'agent'> & { path: string }): Sent => ({
    ...request,
    url: `${network.runtime.url as string}${request.path}`,
    agent: exchangeAgent,
  });
  /** A signed request of the consumer's server, as the gateway receives it. */
  const signed = (params: Partial<RequestParams>) => {
    const { signer } = network.consumer.running.deps.identity;
    return signMessage(
      buildRequest({
        client: E_SERVICES.subsystemId,
        service: PERSON_SERVICE.id,
        method: 'POST',
        body: { contentType: 'application/json', json: { registerNumber: REGISTER_NUMBER } },
        ...params,
      }),
      signer,
    );
  };

  it('answers the corpus of known attacks on every listener with typed errors', async () => {
    const json = { 'content-type': 'application/json' };
    const auditor = { authorization: network.gateway.auditor };
    const adminToken = { authorization: network.gateway.admin, ...json };
    const corpus: [Listener, Sent, string][] = [
      [
        'client proxy',
        clientProxy({
          method: 'POST',
          path: person,
          headers: { 'x-road-client': E_SERVICES.subsystemId, ...json },
          body: deep(8000),
        }),
        '8000-deep array',
      ],
      [
        'client proxy',
        clientProxy({
          method: 'POST',
          path: person,
          headers: { 'x-road-client': E_SERVICES.subsystemId, ...json },
          body: '{"registerNumber":"\\ud800"}',
        }),
        'lone surrogate in the body',
      ],
      [
        'client proxy',
        clientProxy({
          method: 'POST',
          path: person,
          headers: { 'x-road-client': E_SERVICES.subsystemId, ...json },
          body: `\ufeff{"registerNumber":"${REGISTER_NUMBER}"}`,
        }),
        'BOM',
      ],
      [
        'client proxy',
        clientProxy({
          method: 'POST',
          path: person,
          headers: { 'x-road-client': E_SERVICES.subsystemId, 'content-type': 'text/plain' },
          body: '{"registerNumber":"<script>"}',
        }),
        'schema bypass as text/plain',
      ],
      [
        'client proxy',
        clientProxy({
          method: 'POST',
          path: person,
          headers: { 'x-road-client': E_SERVICES.subsystemId, 'content-type': 'application/octet-stream' },
          body: '{"registerNumber":1}',
        }),
        'schema bypass as octet-stream',
      ],
      [
        'client proxy',
        clientProxy({
          method: 'POST',
          path: `${person}/%2e%2e/admin`,
          headers: { 'x-road-client': E_SERVICES.subsystemId },
        }),
        'path climbing',
      ],
      [
        'client proxy',
        clientProxy({
          method: 'GET',
          path: '/r1/MN/GOV/%E0%A4%A/x/y',
          headers: { 'x-road-client': E_SERVICES.subsystemId },
        }),
        'broken percent-encoding',
      ],
      [
        'client proxy',
        clientProxy({
          method: 'POST',
          path: person,
          headers: { 'x-road-client': E_SERVICES.subsystemId, 'x-road-userid': 'x'.repeat(5000), ...json },
          body: '{}',
        }),
        'huge user id',
      ],
      [
        'client proxy',
        clientProxy({
          method: 'POST',
          path: person,
          headers: { 'x-road-client': E_SERVICES.subsystemId, ...json },
          body: 'x'.repeat(11 * 1024 * 1024),
        }),
        'body over the limit',
      ],
      [
        'admin API',
        admin({ method: 'GET', path: '/v1/audit/records?to=0000-01-01', headers: auditor }),
        'year 0',
      ],
      [
        'admin API',
        admin({ method: 'GET', path: '/v1/audit/records?cursor=AA', headers: auditor }),
        'cursor of U+0000',
      ],
      [
        'admin API',
        admin({ method: 'GET', path: '/v1/audit/records?client=%00', headers: auditor }),
        '%00 in a query',
      ],
      [
        'admin API',
        admin({
          method: 'POST',
          path: '/v1/members',
          headers: adminToken,
          body: '{"id":"MN/GOV/8000001","name":"a\\u0000"}',
        }),
        'U+0000 in a member name',
      ],
      [
        'admin API',
        admin({ method: 'POST', path: '/v1/members', headers: adminToken, body: deep(6000) }),
        '6000-deep body',
      ],
      [
        'admin API',
        admin({
          method: 'POST',
          path: '/v1/members',
          headers: adminToken,
          body: '\ufeff{"id":"MN/GOV/8000002","name":"a"}',
        }),
        'BOM',
      ],
      [
        'admin API',
        admin({
          method: 'POST',
          path: '/v1/members',
          headers: { ...adminToken, 'content-type': 'text/plain' },
          body: '{}',
        }),
        'text/plain body',
      ],
      [
        'admin API',
        admin({ method: 'GET', path: '/v1/members/%E0%A4%A', headers: adminToken }),
        'broken percent-encoding',
      ],
      ['admin API', admin({ method: 'PROPFIND', path: '/v1/members', headers: adminToken }), 'odd method'],
      [
        'exchange listener',
        exchange({
          method: 'POST',
          path: '/v1/exchange',
          headers: json,
          body: JSON.stringify(signed({ userId: 'EE\ud800', id: randomUUID() })),
        }),
        'validly signed lone surrogate userId',
      ],
      [
        'exchange listener',
        exchange({
          method: 'POST',
          path: '/v1/exchange',
          headers: json,
          body: JSON.stringify(signed({ issue: 'a\u0000b' })),
        }),
        'validly signed U+0000 issue',
      ],
      [
        'exchange listener',
        exchange({
          method: 'POST',
          path: '/v1/exchange',
          headers: json,
          body: JSON.stringify(
            signed({ body: { contentType: 'text/plain', bytes: Buffer.from('{"registerNumber":1}') } }),
          ),
        }),
        'schema bypass as text/plain',
      ],
      [
        'exchange listener',
        exchange({ method: 'POST', path: '/v1/exchange', headers: json, body: deep(7000) }),
        '7000-deep body',
      ],
      [
        'exchange listener',
        exchange({
          method: 'POST',
          path: '/v1/exchange',
          headers: json,
          body: `\ufeff${JSON.stringify(signed({}))}`,
        }),
        'BOM',
      ],
      [
        'exchange listener',
        exchange({ method: 'GET', path: '/v1/exchange/%00', headers: {} }),
        '%00 status id',
      ],
    ];
    tally.cases += corpus.length;
    const passed = await Promise.all(
      corpus.map(([listener, request, what]) => tally.probe(listener, request, what)),
    );
    expect(passed.filter((ok) => !ok)).toEqual([]);
    await checkBatch();
  });

  it('holds slow and odd clients of every listener to typed answers within the listener timeouts', async () => {
    const { identity } = network.consumer.running.deps;
    const tls = { cert: identity.tls.certificatePem, key: identity.tls.keyPem, ca: [...identity.caPem] };
    const portOf = (url: string) => Number(new URL(url).port);
    const listeners = [
      {
        name: 'client proxy',
        port: portOf(network.consumer.clientUrl),
        path: person,
        tls: undefined,
        auth: `Authorization: Bearer ${network.apiKey}\r\nX-Road-Client: ${E_SERVICES.subsystemId}\r\n`,
      },
      {
        name: 'admin API',
        port: portOf(network.adminUrl),
        path: '/v1/members',
        tls: undefined,
        auth: `Authorization: ${network.gateway.admin}\r\n`,
      },
      {
        name: 'exchange listener',
        port: portOf(network.runtime.url as string),
        path: '/v1/exchange',
        tls,
        auth: '',
      },
    ];
    const slowCases: [string, (path: string, auth: string) => RawStep[]][] = [
      [
        'headers that dribble',
        (path) => [
          { after: 0, data: `POST ${path} HTTP/1.1\r\n` },
          { after: 500, data: 'Host: x\r\n' },
          { after: 3000, data: '\r\n' },
        ],
      ],
      [
        'a declared body that never comes',
        (path, auth) => [
          {
            after: 0,
            data: `POST ${path} HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: 400\r\n\r\n{"a"`,
          },
        ],
      ],
      ['CONNECT', () => [{ after: 0, data: 'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n' }]],
      ['an unknown method', (path) => [{ after: 0, data: `BREW ${path} HTTP/1.1\r\nHost: x\r\n\r\n` }]],
    ];
    const outcomes = await Promise.all(
      listeners.flatMap((listener) =>
        slowCases.map(async ([what, steps]) => {
          const outcome = await rawRequest(listener.port, steps(listener.path, listener.auth), {
            giveUpMs: 7000,
            ...(listener.tls === undefined ? {} : { tls: listener.tls }),
          });
          const answer = parseRawAnswer(outcome.text);
          const typed =
            answer.xRoadError !== undefined &&
            (answer.body as { type?: unknown } | undefined)?.type === answer.xRoadError;
          return {
            what: `${listener.name}: ${what}`,
            closed: outcome.closed,
            typed,
            status: answer.status,
            elapsedMs: outcome.elapsedMs,
          };
        }),
      ),
    );
    tally.cases += outcomes.length;
    tally.requests += outcomes.length;
    for (const outcome of outcomes) {
      if (!outcome.closed || !outcome.typed || outcome.status >= 500 || outcome.elapsedMs > 6000) {
        tally.failures.push(`${outcome.what}: ${JSON.stringify(outcome)}`);
      }
    }
    await checkBatch();
  });

  it('fuzzes the client proxy: every answer typed, prompt, never a 5xx of its own making', async () => {
    const method = fc.constantFrom(
      'GET',
      'POST',
      'PUT',
      'PATCH',
      'DELETE',
      'OPTIONS',
      'HEAD',
      'TRACE',
      'PROPFIND',
    );
    // Mostly calls of the real service, so the hostile headers and bodies get past routing into the exchange.
    const target = fc.oneof(
      { arbitrary: fc.constant(person), weight: 4 },
      fc.array(segment, { maxLength: 3 }).map((rest) => `${person}/${rest.join('/')}`),
      fc.array(segment, { maxLength: 7 }).map((parts) => `/r1/${parts.join('/')}`),
    );
    const headers = fc.record(
      {
        'x-road-client': fc.oneof(
          { arbitrary: fc.constant(E_SERVICES.subsystemId), weight: 5 },
          { arbitrary: headerText, weight: 1 },
        ),
        'x-road-id': fc.oneof({ arbitrary: fc.uuid(), weight: 3 }, headerText),
        'x-road-userid': headerText,
        'x-road-issue': headerText,
        'content-type': fc.oneof({ arbitrary: fc.constant('application/json'), weight: 3 }, contentType),
        prefer: fc.constantFrom('respond-async', 'return=minimal', ''),
        'accept-language': headerText,
      },
      { requiredKeys: ['x-road-client'] },
    );
    const details = await fc.check(
      fc.asyncProperty(method, target, query, headers, body, async (m, path, q, h, b) =>
        tally.probe(
          'client proxy',
          clientProxy({
            method: m,
            path: `${path}${q}`,
            headers: h,
            ...(m === 'GET' || m === 'HEAD' ? {} : { body: b }),
          }),
          `${m} ${path}${q} ${JSON.stringify(h)} ${brief(b, 80)}`,
        ),
      ),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    tally.cases += details.numRuns;
    expect(details.errorInstance ?? details.counterexample ?? null).toBeNull();
    await checkBatch();
  });

  it('fuzzes the admin API over every documented route: every answer typed, none a 5xx', async () => {
    const openApi = (await (await fetch(`${network.adminUrl}/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const routes = Object.entries(openApi.paths).flatMap(([template, operations]) =>
      Object.keys(operations)
        .filter((key) => ['get', 'post', 'put', 'patch', 'delete'].includes(key))
        .map((key) => ({ template, method: key.toUpperCase() })),
    );
    // Admin writes go only to paths of garbage parameters, so the innocent callers' registry stays as it is.
    const token = fc.constantFrom(network.gateway.admin, network.gateway.auditor, 'Bearer ortoo_forged', '');
    const details = await fc.check(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.array(segment, { minLength: 6, maxLength: 6 }),
        query,
        token,
        body,
        contentType,
        async (route, params, q, auth, b, type) => {
          let i = 0;
          const path = route.template.replace(/\{[^}]+\}/g, () => `zz${params[i++ % params.length] ?? ''}`);
          const writes = route.method !== 'GET';
          const harmless =
            auth !== network.gateway.admin ||
            !writes ||
            route.template.includes('{') ||
            route.method === 'POST';
          const request = admin({
            method: harmless ? route.method : 'GET',
            path: `${path}${q}`,
            headers: { ...(auth === '' ? {} : { authorization: auth }), 'content-type': type },
            ...(writes ? { body: b } : {}),
          });
          return tally.probe(
            'admin API',
            request,
            `${request.method} ${request.url} ${auth.slice(0, 14)} ${brief(b, 80)}`,
          );
        },
      ),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    tally.cases += details.numRuns;
    expect(details.errorInstance ?? details.counterexample ?? null).toBeNull();
    await checkBatch();
  });

  it('fuzzes the exchange listener with validly signed hostile envelopes and with mangled bytes', async () => {
    const httpMethod = fc.constantFrom<HttpMethod>('GET', 'POST', 'PUT', 'DELETE', 'PATCH');
    const envelope = fc.record(
      {
        userId: anyText,
        issue: anyText,
        path: fc
          .array(segment, { maxLength: 3 })
          .map((parts) => (parts.length === 0 ? '' : `/${parts.join('/')}`)),
        query: query.map((q) => q.slice(1)),
        'accept-language': anyText,
        json: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.record({ registerNumber: anyText })),
        type: contentType,
      },
      { requiredKeys: ['json', 'type'] },
    );
    const signedCase = fc.tuple(httpMethod, envelope).map(([m, e]) => {
      try {
        const json = e.type.includes('json') && !e.type.startsWith('json');
        const message = signed({
          id: randomUUID(),
          method: m,
          ...(e.userId === undefined ? {} : { userId: e.userId }),
          ...(e.issue === undefined ? {} : { issue: e.issue }),
          ...(e.path === undefined ? {} : { path: e.path }),
          ...(e.query === undefined ? {} : { query: e.query }),
          ...(e['accept-language'] === undefined
            ? {}
            : { headers: { 'accept-language': e['accept-language'] } }),
          body: json
            ? { contentType: e.type, json: e.json as JsonValue }
            : { contentType: e.type, bytes: Buffer.from(JSON.stringify(e.json) ?? '') },
        });
        return JSON.stringify(message);
      } catch {
        return 'not signable'; // the client side refused to build it: sent as the garbage it is
      }
    });
    const mangled = fc
      .tuple(fc.integer({ min: 0, max: 2000 }), fc.uint8Array({ minLength: 1, maxLength: 8 }))
      .map(([at, bytes]) => {
        const text = Buffer.from(JSON.stringify(signed({ id: randomUUID() })));
        const cut = at % text.length;
        return Buffer.concat([
          text.subarray(0, cut),
          Buffer.from(bytes),
          text.subarray(cut + bytes.length),
        ]).toString('latin1');
      });
    const details = await fc.check(
      fc.asyncProperty(fc.oneof({ arbitrary: signedCase, weight: 4 }, mangled, body), async (text) =>
        tally.probe(
          'exchange listener',
          exchange({
            method: 'POST',
            path: '/v1/exchange',
            headers: { 'content-type': 'application/json' },
            body: Buffer.from(text, text.startsWith('{"envelope"') ? 'utf8' : 'latin1'),
          }),
          brief(text),
        ),
      ),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    tally.cases += details.numRuns;
    expect(details.errorInstance ?? details.counterexample ?? null).toBeNull();
    await checkBatch();
  });

  it('leaves the audit log verifiable and the innocent callers unharmed', async () => {
    await innocent.stop();
    expect(innocent.ok).toBeGreaterThan(0);
    expect(innocent.harmed).toEqual([]);
    const answer = await send({
      method: 'GET',
      url: `${network.adminUrl}/v1/audit/verify`,
      headers: { authorization: network.gateway.auditor },
    });
    expect(answer.status).toBe(200);
    expect((answer.body as { ok?: unknown }).ok).toBe(true);
  });
});
