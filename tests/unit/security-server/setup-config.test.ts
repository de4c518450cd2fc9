import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OrtooError } from '../../../core/src';
import {
  hashApiKey,
  loadSecurityServerConfig,
  type SecurityServerConfig,
} from '../../../security-server/src/config';

const MEMBER = 'MN/GOV/7000001';
const KEY_HASH = hashApiKey('ortoo_ss_test-key');
const THUMBPRINT = 'x'.repeat(43);

/** config.json as a test edits it, mistakes included. */
interface Draft {
  instance: string;
  serverId: string;
  gateway: { url: string; exchangeUrl: string };
  clientProxy: { host: string; port: number; prot?: number };
  providerProxy: { host: string; port: number; address?: string };
  databaseUrl?: string | null;
  services: { serviceId: string; version?: string | null; backendUrl: string }[];
  localSystems: {
    name: string;
    apiKeyHash?: string;
    certificateThumbprint?: string | null;
    clients: string[];
  }[];
}

/** A complete, valid config.json of MN/GOV/7000001/ss1. */
function validConfig(): Draft {
  return {
    instance: 'MN',
    serverId: `${MEMBER}/ss1`,
    gateway: { url: 'http://127.0.0.1:4400', exchangeUrl: 'https://127.0.0.1:4443' },
    clientProxy: { host: '127.0.0.1', port: 8080 },
    providerProxy: { host: '127.0.0.1', port: 5500, address: 'https://ss1.e-mongolia.example:5500' },
    services: [
      {
        serviceId: `${MEMBER}/e-services/person`,
        version: 'v1',
        backendUrl: 'http://127.0.0.1:9000/person',
      },
    ],
    localSystems: [{ name: 'portal', apiKeyHash: KEY_HASH, clients: [`${MEMBER}/e-services`] }],
  };
}

describe('loadSecurityServerConfig', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ortoo-ss-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function write(config: unknown): void {
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  }

  function load(env: NodeJS.ProcessEnv = {}): SecurityServerConfig {
    return loadSecurityServerConfig({ dir, env });
  }

  /** The InvalidConfiguration error loading `config` gives. */
  function refusal(config: unknown, env: NodeJS.ProcessEnv = {}): OrtooError {
    write(config);
    try {
      load(env);
    } catch (error) {
      expect(error).toBeInstanceOf(OrtooError);
      expect((error as OrtooError).code).toBe('InvalidConfiguration');
      return error as OrtooError;
    }
    throw new Error('the configuration was accepted');
  }

  /** `validConfig()` with `change` applied. */
  function withChange(change: (config: Draft) => void): Draft {
    const config = validConfig();
    change(config);
    return config;
  }

  it('reads config.json, fills in the defaults and takes dataDir from the server folder', () => {
    write(validConfig());
    const config = load();
    expect(config).toMatchObject({
      instance: 'MN',
      serverId: `${MEMBER}/ss1`,
      clientProxy: { host: '127.0.0.1', port: 8080 },
      dataDir: path.join(dir, 'db'),
      bodyLimitBytes: 10 * 1024 * 1024,
      messageLog: { retentionDays: 365 },
      globalConfRefreshSeconds: 60,
      logLevel: 'info',
    });
    expect(config.services[0]).toEqual({
      serviceId: `${MEMBER}/e-services/person`,
      version: 'v1',
      backendUrl: 'http://127.0.0.1:9000/person',
      timeoutMs: 30000,
    });
    expect(config.databaseUrl).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.localSystems[0])).toBe(true);
  });

  it('lets the environment override the file', () => {
    write(validConfig());
    const config = load({
      ORTOO_SS_CLIENT_PORT: '18080',
      ORTOO_SS_PROVIDER_PORT: '15500',
      ORTOO_SS_PROVIDER_ADDRESS: 'https://10.0.0.5:15500',
      ORTOO_SS_GATEWAY_URL: 'https://gateway.example:4400',
      ORTOO_SS_EXCHANGE_URL: 'https://gateway.example:4443',
      DATABASE_URL: 'postgres://ss@127.0.0.1/ss',
      ORTOO_SS_DATABASE_SCHEMA: 'ss1_log',
      ORTOO_SS_DATA_DIR: '/var/lib/ortoo-ss',
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      clientProxy: { port: 18080 },
      providerProxy: { port: 15500, address: 'https://10.0.0.5:15500' },
      gateway: { url: 'https://gateway.example:4400', exchangeUrl: 'https://gateway.example:4443' },
      databaseUrl: 'postgres://ss@127.0.0.1/ss',
      databaseSchema: 'ss1_log',
      dataDir: '/var/lib/ortoo-ss',
      logLevel: 'debug',
    });
  });

  it('reads null as absent', () => {
    const config = withChange((c) => {
      c.services[0]!.version = null;
      c.localSystems[0]!.certificateThumbprint = null;
      c.databaseUrl = null;
    });
    write(config);
    const loaded = load();
    expect('version' in loaded.services[0]!).toBe(false);
    expect('certificateThumbprint' in loaded.localSystems[0]!).toBe(false);
    expect('databaseUrl' in loaded).toBe(false);
  });

  it('refuses a missing config.json, saying how to make one', () => {
    expect(() => load()).toThrow(/config\.json missing: run `ortoo ss init .*` first/);
  });

  it('names the key and its environment variable for a value of the wrong type, and the file', () => {
    const error = refusal(validConfig(), { ORTOO_SS_CLIENT_PORT: 'eighty' });
    expect(error.message).toContain(
      'clientProxy.port (env ORTOO_SS_CLIENT_PORT) must be an integer from 0 to 65535, got "eighty"',
    );
    expect(error.message).toContain(path.join(dir, 'config.json'));
  });

  it('refuses unknown keys, naming them', () => {
    const error = refusal(withChange((c) => (c.clientProxy.prot = 8080)));
    expect(error.message).toContain('clientProxy.prot is not a known key');
  });

  it('requires the provider address', () => {
    const error = refusal(withChange((c) => delete c.providerProxy.address));
    expect(error.message).toContain('providerProxy.address (env ORTOO_SS_PROVIDER_ADDRESS) is required');
  });

  describe('rules across keys', () => {
    const cases: [string, (config: Draft) => void, RegExp][] = [
      [
        'a server id that does not parse',
        (c) => (c.serverId = 'MN/GOV/7000001'),
        /serverId must be a security server id INSTANCE\/CLASS\/CODE\/SERVER: .*expected 4 parts/,
      ],
      [
        'a server id of another instance',
        (c) => (c.serverId = 'EE/GOV/7000001/ss1'),
        /serverId "EE\/GOV\/7000001\/ss1" is not of instance "MN": make serverId and instance agree/,
      ],
      [
        'a gateway URL that is not http(s)',
        (c) => (c.gateway.url = 'ftp://gateway.example'),
        /gateway\.url \(env ORTOO_SS_GATEWAY_URL\) must be http:\/\/ or https:\/\/…, got "ftp:\/\/gateway\.example"/,
      ],
      [
        'a gateway URL that is no URL',
        (c) => (c.gateway.url = 'gateway:4400'.replace(':', ' ')),
        /gateway\.url \(env ORTOO_SS_GATEWAY_URL\) must be an absolute http or https URL/,
      ],
      [
        'a plain-HTTP exchange URL (mutual TLS)',
        (c) => (c.gateway.exchangeUrl = 'http://127.0.0.1:4443'),
        /gateway\.exchangeUrl \(env ORTOO_SS_EXCHANGE_URL\) must be https:\/\/…/,
      ],
      [
        'a plain-HTTP provider address (mutual TLS)',
        (c) => (c.providerProxy.address = 'http://127.0.0.1:5500'),
        /providerProxy\.address \(env ORTOO_SS_PROVIDER_ADDRESS\) must be https:\/\/…/,
      ],
      [
        'a provider address with a query',
        (c) => (c.providerProxy.address = 'https://127.0.0.1:5500/?x=1'),
        /providerProxy\.address .* must be a base URL without credentials, query or fragment/,
      ],
      [
        'a service id that does not parse',
        (c) => (c.services[0]!.serviceId = `${MEMBER}/person`),
        /services\[0\]\.serviceId must be a service id INSTANCE\/CLASS\/CODE\/SUBSYSTEM\/SERVICE/,
      ],
      [
        "another member's service",
        (c) => (c.services[0]!.serviceId = 'MN/GOV/9011311/civil-registry/person'),
        /services\[0\]\.serviceId "MN\/GOV\/9011311\/civil-registry\/person" is not a service of MN\/GOV\/7000001/,
      ],
      [
        'a backend URL that is not http(s)',
        (c) => (c.services[0]!.backendUrl = 'file:///etc/passwd'),
        /services\[0\]\.backendUrl must be http:\/\/ or https:\/\/…/,
      ],
      [
        'a service and version mapped twice',
        (c) => c.services.push({ ...c.services[0]!, backendUrl: 'http://127.0.0.1:9001' }),
        /services\[1\] maps MN\/GOV\/7000001\/e-services\/person version v1 a second time/,
      ],
      [
        'a local system with neither API key hash nor certificate thumbprint',
        (c) => delete c.localSystems[0]!.apiKeyHash,
        /localSystems\[0\] \(portal\) has neither apiKeyHash nor certificateThumbprint: give it an API key with `ortoo ss api-key/,
      ],
      [
        'an API key hash that is not a SHA-256',
        (c) => (c.localSystems[0]!.apiKeyHash = 'secret'),
        /localSystems\[0\]\.apiKeyHash must be a string matching/,
      ],
      [
        'two local systems of one name',
        (c) =>
          c.localSystems.push({
            name: 'portal',
            certificateThumbprint: THUMBPRINT,
            clients: [`${MEMBER}/x`],
          }),
        /localSystems\[1\]\.name "portal" is used twice/,
      ],
      [
        'two local systems with one API key',
        (c) => c.localSystems.push({ name: 'other', apiKeyHash: KEY_HASH, clients: [`${MEMBER}/x`] }),
        /localSystems\[1\]\.apiKeyHash is the same as portal's/,
      ],
      [
        'a client that is not a subsystem id',
        (c) => (c.localSystems[0]!.clients = [MEMBER]),
        /localSystems\[0\]\.clients\[0\] must be a subsystem id INSTANCE\/CLASS\/CODE\/SUBSYSTEM/,
      ],
      [
        "another member's subsystem as a client",
        (c) => c.localSystems[0]!.clients.push('MN/GOV/9011311/civil-registry'),
        /localSystems\[0\]\.clients\[1\] "MN\/GOV\/9011311\/civil-registry" is not a subsystem of MN\/GOV\/7000001/,
      ],
      [
        'a local system with no clients',
        (c) => (c.localSystems[0]!.clients = []),
        /localSystems\[0\]\.clients must be a list of strings of at least 1 item/,
      ],
      [
        'two listeners on one port',
        (c) => (c.providerProxy.port = 8080),
        /providerProxy\.port \(env ORTOO_SS_PROVIDER_PORT\) is 8080, the same as clientProxy\.port/,
      ],
    ];

    it.each(cases)('refuses %s, naming the key', (_name, change, message) => {
      expect(refusal(withChange(change)).message).toMatch(message);
    });

    it('accepts one service mapped per version and without a version', () => {
      write(
        withChange((c) =>
          c.services.push(
            { ...c.services[0]!, version: 'v2', backendUrl: 'http://127.0.0.1:9002' },
            { serviceId: c.services[0]!.serviceId, backendUrl: 'http://127.0.0.1:9003' },
          ),
        ),
      );
      expect(load().services).toHaveLength(3);
    });

    it('lets two listeners take port 0 and listeners on other hosts share a port', () => {
      write(
        withChange((c) => {
          c.clientProxy.port = 0;
          c.providerProxy.port = 0;
        }),
      );
      expect(load().clientProxy.port).toBe(0);
      write(withChange((c) => (c.providerProxy = { ...c.providerProxy, host: '10.0.0.5', port: 8080 })));
      expect(load().providerProxy.port).toBe(8080);
    });

    it('lists every problem at once, each with its key', () => {
      const error = refusal(
        withChange((c) => {
          c.gateway.exchangeUrl = 'http://x';
          c.localSystems[0]!.clients = ['MN/GOV/1/x'];
        }),
      );
      const problems = (error.detail as { problems: { key: string }[] }).problems.map((p) => p.key);
      expect(problems).toEqual(['gateway.exchangeUrl', 'localSystems[0].clients[0]']);
    });
  });
});

describe('hashApiKey', () => {
  it('is SHA-256 of the key in base64url without padding', () => {
    // echo -n abc | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '='
    expect(hashApiKey('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
  });
});
