/** Evidence bundles: verify offline, fail on any changed byte, refuse rows no checkpoint covers. */
import { buildEvidenceBundle, verifyEvidenceBundle } from '../../../core/src/audit-chain';
import { OrtooError } from '../../../core/src/errors';
import { CHAIN_TEST_TABLE, buildChain, createAuditSigner } from '../../fixtures/audit-chain/chain-test-table';
import { createTestCa } from '../../helpers/pki-fixtures';

const audit = createAuditSigner();
const CREATED_AT = new Date('2025-09-02T00:00:00Z');
const certificates = { signer: audit.certificate.pem, ca: audit.ca.certificate.pem };
const verifyOptions = { content: CHAIN_TEST_TABLE.content, trustedCa: audit.ca.certificate, now: CREATED_AT };

/** A bundle of records 2 and 4 of a 5-record chain: 3 and 5 are the links to its checkpoint. */
function bundleOfChain(): string {
  const { rows, checkpoint } = buildChain('writer-a', 5, audit.signer);
  return buildEvidenceBundle({
    query: { messageId: 'msg-1' },
    rows: [rows[1], rows[3]].filter((row) => row !== undefined),
    links: rows.slice(1),
    checkpoints: [checkpoint],
    certificates,
    signer: audit.signer,
    createdAt: CREATED_AT,
  });
}

describe('evidence bundle', () => {
  test('verifies offline with the file text alone, or with the trusted CA', () => {
    const text = bundleOfChain();
    const result = verifyEvidenceBundle(text, verifyOptions);
    expect(result).toMatchObject({
      ok: true,
      records: 2,
      checkpoints: 1,
      caThumbprint: audit.ca.certificate.thumbprint,
    });
    if (result.ok) expect(result.bundle.records.map((r) => r.chain_seq)).toEqual([2, 4]);
    expect(verifyEvidenceBundle(text, { content: CHAIN_TEST_TABLE.content, now: CREATED_AT })).toMatchObject({
      ok: true,
    });
    expect(verifyEvidenceBundle(text.trimEnd(), verifyOptions)).toMatchObject({ ok: true });
  });

  test('is refused under another trusted CA', () => {
    const other = createTestCa('Other CA');
    expect(
      verifyEvidenceBundle(bundleOfChain(), { ...verifyOptions, trustedCa: other.certificate }),
    ).toMatchObject({
      ok: false,
      problem: { kind: 'untrusted' },
    });
  });

  test('fails when any single byte of the file changes', () => {
    const { rows, checkpoint } = buildChain('writer-a', 1, audit.signer);
    const bytes = Buffer.from(
      buildEvidenceBundle({
        query: {},
        rows,
        links: [],
        checkpoints: [checkpoint],
        certificates,
        signer: audit.signer,
        createdAt: CREATED_AT,
      }),
    );
    expect(verifyEvidenceBundle(bytes.toString('utf8'), verifyOptions).ok).toBe(true);
    const passed: number[] = [];
    for (let i = 0; i < bytes.length; i += 1) {
      const copy = Buffer.from(bytes);
      copy[i] = (copy[i] ?? 0) ^ 0x01;
      if (verifyEvidenceBundle(copy.toString('utf8'), verifyOptions).ok) passed.push(i);
    }
    expect(passed).toEqual([]);
  });

  test('a bundle whose rows do not reach a checkpoint is refused at build time', () => {
    const { rows, checkpoint } = buildChain('writer-a', 5, audit.signer);
    const build = () =>
      buildEvidenceBundle({
        query: {},
        rows: rows.slice(0, 2),
        links: rows.slice(2, 4),
        checkpoints: [checkpoint],
        certificates,
        signer: audit.signer,
        createdAt: CREATED_AT,
      });
    expect(build).toThrow(OrtooError);
    expect(build).toThrow(/checkpoint/);
  });

  test('rows altered before signing are caught by the chain check', () => {
    const { rows, checkpoint } = buildChain('writer-a', 3, audit.signer);
    const altered = rows.map((row) => (row.chain_seq === 2 ? { ...row, event: 'forged' } : row));
    const text = buildEvidenceBundle({
      query: {},
      rows: altered,
      links: [],
      checkpoints: [checkpoint],
      certificates,
      signer: audit.signer,
      createdAt: CREATED_AT,
    });
    expect(verifyEvidenceBundle(text, verifyOptions)).toMatchObject({
      ok: false,
      problem: { kind: 'hash-mismatch', chainSeq: 2 },
    });
  });
});
