import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  adminTokenFile,
  explainStartFailure,
  saveAdminToken,
  savedAdminToken,
} from '../../../scripts/demo/demo-admin-token';

describe('the demo keeps its admin token from the bootstrap on, so a start that failed halfway resumes', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ortoo-demo-token-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('has no token before the first bootstrap', () => {
    expect(savedAdminToken(dir)).toBeUndefined();
  });

  it('gives the next start the token the first one bootstrapped, kept readable by its owner only', () => {
    saveAdminToken(dir, 'ortoo_abc');
    expect(savedAdminToken(dir)).toBe('ortoo_abc');
    expect(statSync(adminTokenFile(dir)).mode & 0o777).toBe(0o600);
  });

  it('says exactly how to start afresh when the gateway has a token the demo no longer knows', () => {
    const message = explainStartFailure(
      new Error(
        'ortoo gateway bootstrap failed: The gateway already has 1 active admin token: create more …',
      ),
      dir,
    );
    expect(message).toContain(`rm -rf ${path.relative(process.cwd(), dir)}`);
    expect(message).toContain('npm start');
  });

  it('passes any other failure on as it is', () => {
    expect(explainStartFailure(new Error('port 4400 is taken'), dir)).toBe('port 4400 is taken');
  });
});
