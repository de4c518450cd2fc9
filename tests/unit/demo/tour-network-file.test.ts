import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../../scripts/demo/demo-data';
import {
  NetworkFileError,
  networkFilePath,
  readNetworkFile,
  writeNetworkFile,
  type DemoNetworkFile,
} from '../../../scripts/demo/network-file';
import { TourSetupError, loopbackUrl } from '../../../scripts/demo/tour/index';

const agency = (port: number, provider: boolean) => ({
  memberId: 'MN/GOV/9011311',
  subsystemId: 'MN/GOV/9011311/civil-registry',
  serverId: 'MN/GOV/9011311/ss1',
  clientUrl: `http://127.0.0.1:${port}`,
  providerAddress: `https://127.0.0.1:${port + 10}`,
  apiKey: `key-${port}`,
  ...(provider ? { backendUrl: `http://127.0.0.1:${port + 20}` } : {}),
});

const NETWORK: DemoNetworkFile = {
  startedAt: '2025-03-01T08:00:00.000Z',
  gateway: { adminUrl: 'http://127.0.0.1:4400', exchangeUrl: 'https://127.0.0.1:4401' },
  tokens: { admin: 'ortoo_admin', auditor: 'ortoo_auditor' },
  control: 'http://127.0.0.1:4402',
  agencies: {
    civilRegistry: agency(4410, true),
    tax: agency(4411, true),
    socialInsurance: agency(4412, true),
    eServices: agency(4413, false),
  },
  logsDir: '/tmp/logs',
};

describe('the network file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ortoo-tour-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('is written for its owner only, in a folder made for it, and read back as it was', () => {
    const file = path.join(dir, 'demo', 'network.json');
    writeNetworkFile(NETWORK, file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readNetworkFile(file)).toEqual(NETWORK);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(NETWORK);
  });

  it('says to run npm start when it is absent', () => {
    const file = path.join(dir, 'network.json');
    expect(() => readNetworkFile(file)).toThrow(NetworkFileError);
    expect(() => readNetworkFile(file)).toThrow(/no such file\. Run npm start first/);
  });

  it('says to run npm start when it is not JSON', () => {
    const file = path.join(dir, 'network.json');
    writeFileSync(file, '{"startedAt": ');
    expect(() => readNetworkFile(file)).toThrow(/is not JSON .*Run npm start first/);
  });

  it('names the first field that is missing or of another type', () => {
    const file = path.join(dir, 'network.json');
    const { tax: _tax, ...withoutTax } = NETWORK.agencies;
    const cases: [unknown, RegExp][] = [
      [[], /the file is not an object/],
      [{ ...NETWORK, control: 4402 }, /network\.control is not a non-empty text/],
      [{ ...NETWORK, tokens: { admin: 'a' } }, /tokens\.auditor is not a non-empty text/],
      [{ ...NETWORK, agencies: withoutTax }, /agencies\.tax is not an object/],
      [
        {
          ...NETWORK,
          agencies: { ...NETWORK.agencies, eServices: { ...NETWORK.agencies.eServices, apiKey: '' } },
        },
        /agencies\.eServices\.apiKey is not a non-empty text/,
      ],
    ];
    for (const [value, message] of cases) {
      writeFileSync(file, JSON.stringify(value));
      expect(() => readNetworkFile(file)).toThrow(message);
      expect(() => readNetworkFile(file)).toThrow(/Run npm start first/);
    }
  });

  it("is looked for in ORTOO_DEMO_DIR when set, as npm start writes it there, else in the repository's var/demo", () => {
    expect(networkFilePath(undefined, {})).toBe(path.join(REPO_ROOT, 'var', 'demo', 'network.json'));
    expect(networkFilePath(undefined, { ORTOO_DEMO_DIR: dir })).toBe(path.join(dir, 'network.json'));
    expect(networkFilePath(path.join(dir, 'other.json'), { ORTOO_DEMO_DIR: '/elsewhere' })).toBe(
      path.join(dir, 'other.json'),
    );
  });
});

describe('loopbackUrl', () => {
  it('lets 127.0.0.1 through, without a trailing slash', () => {
    expect(loopbackUrl('http://127.0.0.1:4410/', 'x')).toBe('http://127.0.0.1:4410');
    expect(loopbackUrl('https://127.0.0.1:4401', 'x')).toBe('https://127.0.0.1:4401');
  });

  it('refuses any other host or scheme, naming what it was', () => {
    expect(() => loopbackUrl('http://10.0.0.5:4410', "tax's client proxy")).toThrow(TourSetupError);
    expect(() => loopbackUrl('http://example.org', "tax's client proxy")).toThrow(
      /tax's client proxy \(http:\/\/example\.org\) is not on 127\.0\.0\.1/,
    );
    expect(() => loopbackUrl('http://localhost:4410', 'x')).toThrow(TourSetupError);
    expect(() => loopbackUrl('file:///etc/passwd', 'x')).toThrow(TourSetupError);
    expect(() => loopbackUrl('not a url', 'x')).toThrow(/is not a URL/);
  });
});
