/**
 * The systemd units of `deploy/systemd/` are units systemd takes, and
 * hardened: `systemd-analyze verify` finds nothing wrong with them (each
 * template as an instance), and `systemd-analyze security --offline=yes`
 * rates each one's exposure low. On a machine without systemd-analyze the
 * checks are skipped, saying so.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const UNITS = path.resolve(__dirname, '..', '..', '..', 'deploy', 'systemd');

/** Each unit file, and the name it is checked under (a template gets an instance). */
const UNIT_FILES = [
  { file: 'ortoo-gateway.service', as: 'ortoo-gateway.service' },
  { file: 'ortoo-gateway-worker@.service', as: 'ortoo-gateway-worker@4401.service' },
  { file: 'ortoo-security-server@.service', as: 'ortoo-security-server@ss1.service' },
];

/** What every unit sets to confine its process. */
const HARDENING = [
  'DynamicUser=yes',
  'NoNewPrivileges=yes',
  'ProtectSystem=strict',
  'ProtectHome=yes',
  'PrivateTmp=yes',
  'PrivateDevices=yes',
  'CapabilityBoundingSet=',
  'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX',
  'SystemCallFilter=@system-service',
  'UMask=0077',
];

/** The highest exposure `systemd-analyze security` may give a unit ("OK" is below 4.0; these are far below). */
const MOST_EXPOSURE = 2.0;

const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
const available = analyze.status === 0;
if (!available) process.stdout.write('systemd unit checks skipped: systemd-analyze is not installed\n');
const itWithSystemd = available ? it : it.skip;

describe('deploy/systemd', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ortoo-systemd-'));
    for (const unit of UNIT_FILES) copyFileSync(path.join(UNITS, unit.file), path.join(dir, unit.as));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(UNIT_FILES)('confines $file: its own user, a read-only system, no privileges', ({ file }) => {
    const lines = readFileSync(path.join(UNITS, file), 'utf8').split('\n');
    expect(HARDENING.filter((directive) => !lines.includes(directive))).toEqual([]);
    expect(lines).toContain('Restart=always');
    expect(lines.some((line) => /^ExecStart=\/usr\/bin\/node \/opt\/ortoo\/bin\/ortoo\.js /.test(line))).toBe(
      true,
    );
  });

  itWithSystemd('passes systemd-analyze verify', () => {
    const run = spawnSync(
      'systemd-analyze',
      ['verify', ...UNIT_FILES.map((unit) => path.join(dir, unit.as))],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect({ status: run.status, complaints: `${run.stdout}${run.stderr}`.trim() }).toEqual({
      status: 0,
      complaints: '',
    });
  });

  itWithSystemd.each(UNIT_FILES)('rates $as as little exposed (systemd-analyze security)', ({ as }) => {
    const run = spawnSync('systemd-analyze', ['security', '--offline=yes', path.join(dir, as)], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const level = /Overall exposure level for \S+: ([\d.]+)/.exec(run.stdout)?.[1];
    process.stdout.write(`systemd-analyze security ${as}: exposure ${level ?? '?'}\n`);
    expect(level).toBeDefined();
    expect(Number(level)).toBeLessThanOrEqual(MOST_EXPOSURE);
  });
});
