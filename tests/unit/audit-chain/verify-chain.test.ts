/** The pure verifier: every kind of tampering is named, with its place. */
import { type Checkpoint, verifyChainRows } from '../../../core/src/audit-chain';
import { signCheckpoint } from '../../../core/src/audit-chain/checkpoint';
import { CHAIN_TEST_TABLE, buildChain, createAuditSigner } from '../../fixtures/audit-chain/chain-test-table';

const { signer, resolveSigner } = createAuditSigner();
const options = { content: CHAIN_TEST_TABLE.content, resolveSigner };

function twoChains(): { rows: Record<string, unknown>[]; checkpoints: Checkpoint[] } {
  const a = buildChain('writer-a', 10, signer, { firstSeq: 1, checkpointId: 1 });
  const b = buildChain('writer-b', 6, signer, { firstSeq: 11, checkpointId: 2 });
  return { rows: [...b.rows, ...a.rows], checkpoints: [a.checkpoint, b.checkpoint] };
}

describe('verifyChainRows', () => {
  test('an untouched log verifies, with its counts, whatever the row order', () => {
    const { rows, checkpoints } = twoChains();
    expect(verifyChainRows(rows.reverse(), checkpoints, options)).toEqual({
      ok: true,
      records: 16,
      chains: 2,
      checkpoints: 2,
    });
  });

  test('a changed field is a hash mismatch at its seq', () => {
    const { rows, checkpoints } = twoChains();
    const row = rows.find((r) => r.seq === 4);
    if (row) row.event = 'rejected';
    expect(verifyChainRows(rows, checkpoints, options)).toMatchObject({
      ok: false,
      problem: { kind: 'hash-mismatch', seq: 4, writer: 'writer-a', chainSeq: 4 },
    });
  });

  test('a deleted record is a gap naming the missing chain_seq', () => {
    const { rows, checkpoints } = twoChains();
    const kept = rows.filter((r) => r.seq !== 13);
    expect(verifyChainRows(kept, checkpoints, options)).toMatchObject({
      ok: false,
      problem: { kind: 'gap', seq: 14, writer: 'writer-b', chainSeq: 3 },
    });
  });

  test('a record whose prev_hash was changed and rehashed is a broken link', () => {
    const { rows, checkpoints } = twoChains();
    const row = rows.find((r) => r.seq === 3);
    if (row) row.prev_hash = 'x'.repeat(43);
    const report = verifyChainRows(rows, checkpoints, options);
    expect(report).toMatchObject({ ok: false, problem: { kind: 'broken-link', seq: 3 } });
  });

  test('a checkpoint whose head was changed, or signed by an unknown key, is named', () => {
    const { rows, checkpoints } = twoChains();
    const [a, b] = checkpoints as [Checkpoint, Checkpoint];
    const forged = [{ ...a, headHash: String(rows.find((r) => r.seq === 9)?.hash) }, b];
    expect(verifyChainRows(rows, forged, options)).toMatchObject({
      ok: false,
      problem: { kind: 'bad-checkpoint', checkpointId: 1, writer: 'writer-a' },
    });
    const other = createAuditSigner();
    const foreign = { id: 2, ...signCheckpoint(b, other.signer) };
    expect(verifyChainRows(rows, [a, foreign], options)).toMatchObject({
      ok: false,
      problem: { kind: 'unknown-signer', checkpointId: 2, writer: 'writer-b' },
    });
  });

  test('a chain rewritten with every hash recomputed no longer matches its signed checkpoint', () => {
    const original = buildChain('writer-a', 5, signer);
    const rewritten = buildChain('writer-a', 5, signer, { start: new Date('2025-09-02T00:00:00Z') });
    expect(verifyChainRows(rewritten.rows, [original.checkpoint], options)).toMatchObject({
      ok: false,
      problem: { kind: 'checkpoint-mismatch', checkpointId: 1, chainSeq: 5 },
    });
  });

  test('records removed from the end of a checkpointed chain are found', () => {
    const { rows, checkpoints } = twoChains();
    expect(
      verifyChainRows(
        rows.filter((r) => r.seq !== 10),
        checkpoints,
        options,
      ),
    ).toMatchObject({
      ok: false,
      problem: { kind: 'checkpoint-mismatch', checkpointId: 1, writer: 'writer-a' },
    });
  });

  test('a partial range starts from its first row; startAfter continues an archived chain', () => {
    const { rows, checkpoint } = buildChain('writer-a', 10, signer);
    const tail = rows.slice(4);
    expect(verifyChainRows(tail, [checkpoint], { ...options, partial: true })).toMatchObject({
      ok: true,
      records: 6,
    });
    expect(verifyChainRows(tail, [checkpoint], options)).toMatchObject({
      ok: false,
      problem: { kind: 'gap', chainSeq: 1 },
    });
    const startAfter = new Map([['writer-a', { chainSeq: 4, hash: String(rows[3]?.hash) }]]);
    expect(verifyChainRows(tail, [checkpoint], { ...options, startAfter })).toMatchObject({ ok: true });
  });
});
