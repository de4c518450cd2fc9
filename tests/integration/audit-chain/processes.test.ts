/**
 * Separate processes on one PostgreSQL schema: two appending at once keep two
 * valid chains; one killed mid-batch loses nothing it acknowledged.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

import { verifyStoredChain } from '../../../core/src/audit-chain';
import type { SqlStore } from '../../../core/src/store';
import {
  CHAIN_TEST_TABLE,
  FIXTURES_DIR,
  createAuditSigner,
  migrateChainTest,
} from '../../fixtures/audit-chain/chain-test-table';
import { waitForOutput } from '../../helpers/processes';
import { TEST_DATABASE_URL, postgresEngine, randomSchema } from '../../helpers/store-engines';

const audit = createAuditSigner();
const CHILD = path.join(FIXTURES_DIR, 'append-child.ts');

describe('audit chain across processes on postgres', () => {
  const engine = postgresEngine();
  const schema = randomSchema('chainproc');
  let store: SqlStore;

  beforeAll(async () => {
    store = await engine.openOnSchema(schema);
    await migrateChainTest(store);
  });

  afterAll(() => engine.cleanup());

  function child(
    writer: string,
    count: number,
    concurrency: number,
  ): { process: ChildProcess; acks: number[] } {
    const proc = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: {
        ...process.env,
        DATABASE_URL: TEST_DATABASE_URL,
        SCHEMA: schema,
        WRITER: writer,
        KEY_PEM: audit.privateKeyPem,
        THUMBPRINT: audit.certificate.thumbprint,
        COUNT: String(count),
        CONCURRENCY: String(concurrency),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acks: number[] = [];
    let partial = '';
    proc.stdout?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('ack ')) acks.push(Number(line.slice(4)));
    });
    return { process: proc, acks };
  }

  const verify = () => verifyStoredChain(store, CHAIN_TEST_TABLE, { resolveSigner: audit.resolveSigner });

  test('two processes appending at once keep two valid chains', async () => {
    const children = [child('proc-1', 300, 20), child('proc-2', 300, 20)];
    await Promise.all(children.map((c) => waitForOutput(c.process, /^done$/m, 60_000)));
    const counts = await store.query<{ writer: string; n: number }>(
      `SELECT writer, count(*)::int AS n FROM chain_test WHERE writer LIKE 'proc-%' GROUP BY writer ORDER BY writer`,
    );
    expect(counts).toEqual([
      { writer: 'proc-1', n: 300 },
      { writer: 'proc-2', n: 300 },
    ]);
    expect(await verify()).toMatchObject({ ok: true, records: 600, chains: 2, checkpoints: 2 });
  }, 90_000);

  test('a process killed mid-batch keeps every acknowledged record, and the log verifies', async () => {
    const killed = child('killed', 0, 50);
    await waitForOutput(killed.process, /^ack 2000$/m, 60_000);
    // 'close', not 'exit': every ack the child wrote has then been read.
    const exited = new Promise((resolve) => killed.process.once('close', resolve));
    killed.process.kill('SIGKILL');
    await exited;
    const acknowledged = [...killed.acks];
    const stored = await store.query<{ chain_seq: number }>(
      `SELECT chain_seq FROM chain_test WHERE writer = 'killed' ORDER BY chain_seq`,
    );
    const have = new Set(stored.map((row) => row.chain_seq));
    expect(acknowledged.length).toBeGreaterThanOrEqual(2000);
    expect(acknowledged.filter((chainSeq) => !have.has(chainSeq))).toEqual([]);
    expect(stored.map((row) => row.chain_seq)).toEqual(stored.map((_, i) => i + 1));
    expect(await verify()).toMatchObject({ ok: true });
  }, 90_000);
});
