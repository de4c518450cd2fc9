/**
 * A security server as a witness of the gateway's audit log: on its interval
 * it fetches the latest checkpoint, checks the log's signature (the key the
 * signed global configuration names) and a consistency proof from the last
 * checkpoint it cosigned, cosigns (C2SP tlog-cosignature/v1, its own Ed25519
 * witness key), keeps the checkpoint in its own database and sends the
 * cosignature back with its message-log head, signed with its signing key.
 * A checkpoint that is not consistent (a fork, a shrink, a rewrite) is
 * refused: a metric, an error log line, a readiness failure, and the two
 * conflicting signed heads kept as evidence.
 */
import http from 'node:http';
import https from 'node:https';
import { Counter, type Registry } from 'prom-client';
import {
  OrtooError,
  canonicalJson,
  cosign,
  judgeCheckpoint,
  parseNote,
  parseVerifierKey,
  rawEd25519,
  witnessKeyName,
  formatNote,
  type HeldCheckpoint,
  type JwsSigner,
  type Logger,
  type NoteSigner,
  type NoteVerifier,
  type SqlStore,
} from '../../../core/src';
import { MESSAGE_LOG_TABLE_NAME } from '../message-log/message-log-table';

/** Default of {@link LogWitnessOptions.intervalMs}. */
export const DEFAULT_WITNESS_INTERVAL_MS = 10_000;

/** Options of {@link LogWitness}. */
export interface LogWitnessOptions {
  readonly store: SqlStore;
  /** The gateway's admin listener (where the global configuration is fetched). */
  readonly gatewayUrl: string;
  readonly serverId: string;
  /** Signs what is sent to the gateway (the server's signing key). */
  readonly signer: JwsSigner;
  /** The witness key; its name must be {@link witnessKeyName} of the server. */
  readonly key: NoteSigner;
  /** The log's verifier key, from the current global configuration; `undefined` when it names none. */
  readonly logKey: () => string | undefined;
  readonly logger: Logger;
  readonly metrics: Registry;
  /** PEM of the CA of the gateway's TLS certificate, for an https URL. */
  readonly caPem?: readonly string[];
  /** @defaultValue {@link DEFAULT_WITNESS_INTERVAL_MS} */
  readonly intervalMs?: number;
  /** @defaultValue the real clock */
  readonly clock?: () => Date;
}

/** What one round did. */
export type WitnessOutcome = 'cosigned' | 'unchanged' | 'refused' | 'no-checkpoint' | 'no-log-key';

/** A refused checkpoint, as readiness reports it. */
export interface WitnessConflict {
  readonly reason: string;
  readonly message: string;
  readonly at: Date;
}

/** The witness of one gateway's audit log. */
export class LogWitness {
  /** The last refusal, until a later checkpoint is cosigned; readiness fails meanwhile. */
  conflict: WitnessConflict | undefined;
  private readonly options: LogWitnessOptions;
  private readonly clock: () => Date;
  private readonly refusals: Counter<'reason'>;
  private readonly cosigned: Counter;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<WitnessOutcome> | undefined;

  constructor(options: LogWitnessOptions) {
    if (options.key.name !== witnessKeyName(options.serverId)) {
      throw new OrtooError(
        'InvalidConfiguration',
        `The witness key must be named ${witnessKeyName(options.serverId)}`,
      );
    }
    this.options = options;
    this.clock = options.clock ?? (() => new Date());
    this.refusals = new Counter({
      name: 'ortoo_ss_witness_refusals_total',
      help: "Checkpoints of the gateway's audit log this server refused to cosign, by reason (fork, shrink, inconsistent, bad-signature)",
      labelNames: ['reason'],
      registers: [options.metrics],
    });
    this.cosigned = new Counter({
      name: 'ortoo_ss_witness_cosignatures_total',
      help: "Checkpoints of the gateway's audit log this server cosigned",
      registers: [options.metrics],
    });
  }

  /** Witnesses on the interval; the timer never keeps the process alive. */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      this.witnessOnce().catch((error: unknown) => this.options.logger.warn('witnessing failed', { error }));
    }, this.options.intervalMs ?? DEFAULT_WITNESS_INTERVAL_MS);
    this.timer.unref();
  }

  /** Stops the interval and waits for a round in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** The checkpoint this server holds (the largest it cosigned), as a signed note with its cosignature. */
  async held(): Promise<string | undefined> {
    const [row] = await this.options.store.query<{ note: string }>(
      'SELECT note FROM witness_checkpoints LIMIT 1',
    );
    return row?.note;
  }

  /** One round: fetch, judge, cosign and send, or refuse. One round at a time. */
  witnessOnce(): Promise<WitnessOutcome> {
    this.running ??= this.round().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async round(): Promise<WitnessOutcome> {
    const vkey = this.options.logKey();
    if (vkey === undefined) return 'no-log-key';
    const logKey = parseVerifierKey(vkey);
    const latest = await this.request('GET', 'v1/log/checkpoint');
    if (latest.status === 404) return 'no-checkpoint';
    const offered = (JSON.parse(latest.body) as { note: string }).note;
    const offeredSize = Number(parseNote(offered).text.split('\n')[1]);
    const held = await this.heldCheckpoint(logKey.name);
    let proof: Buffer[] = [];
    if (held !== undefined && Number.isSafeInteger(offeredSize) && offeredSize > held.size) {
      const answer = await this.request('GET', `v1/log/consistency?from=${held.size}&to=${offeredSize}`);
      if (answer.status !== 200)
        throw new OrtooError('GatewayUnavailable', `Consistency proof: ${answer.status}`);
      proof = (JSON.parse(answer.body) as { proof: string[] }).proof.map((hash) =>
        Buffer.from(hash, 'base64'),
      );
    }
    const decision = judgeCheckpoint(held, offered, proof, logKey);
    if (!decision.accept) {
      await this.refuse(logKey, held, offered, proof, decision.reason, decision.message);
      return 'refused';
    }
    this.conflict = undefined;
    if (!decision.fresh) return 'unchanged';
    const cosignature = cosign(decision.text, this.options.key, Math.floor(this.clock().getTime() / 1000));
    const mine = formatNote(decision.text, [
      ...parseNote(offered).signatures.map((s) => s.line),
      cosignature.line,
    ]);
    await this.keep(logKey.name, { size: decision.size, rootHash: decision.rootHash, note: mine });
    await this.send(decision.size, cosignature.line);
    this.cosigned.inc();
    return 'cosigned';
  }

  private async heldCheckpoint(origin: string): Promise<HeldCheckpoint | undefined> {
    const [row] = await this.options.store.query<{ size: number; root_hash: Uint8Array; note: string }>(
      'SELECT size, root_hash, note FROM witness_checkpoints WHERE origin = $1',
      [origin],
    );
    return row === undefined
      ? undefined
      : { size: Number(row.size), rootHash: Buffer.from(row.root_hash), note: row.note };
  }

  private async keep(origin: string, checkpoint: HeldCheckpoint): Promise<void> {
    await this.options.store.query(
      `INSERT INTO witness_checkpoints (origin, size, root_hash, note, cosigned_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (origin) DO UPDATE SET size = $2, root_hash = $3, note = $4, cosigned_at = $5
       WHERE witness_checkpoints.size < $2`,
      [origin, checkpoint.size, Buffer.from(checkpoint.rootHash), checkpoint.note, this.clock()],
    );
  }

  private async refuse(
    logKey: NoteVerifier,
    held: HeldCheckpoint | undefined,
    offered: string,
    proof: readonly Buffer[],
    reason: string,
    message: string,
  ): Promise<void> {
    this.refusals.inc({ reason });
    this.conflict = { reason, message, at: this.clock() };
    this.options.logger.error('audit log checkpoint refused', {
      origin: logKey.name,
      reason,
      detail: message,
    });
    if (held === undefined) return;
    await this.options.store.query(
      `INSERT INTO witness_conflicts (origin, reason, message, held_note, offered_note, proof, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        logKey.name,
        reason,
        message,
        held.note,
        offered,
        JSON.stringify(proof.map((hash) => hash.toString('base64'))),
        this.clock(),
      ],
    );
  }

  private async send(size: number, line: string): Promise<void> {
    const [head] = await this.options.store.query<{ writer: string; chain_seq: number; hash: string }>(
      `SELECT writer, chain_seq, hash FROM ${MESSAGE_LOG_TABLE_NAME} ORDER BY seq DESC LIMIT 1`,
    );
    const claim = {
      serverId: this.options.serverId,
      witness: {
        name: this.options.key.name,
        publicKey: rawEd25519(this.options.key.publicKey).toString('base64'),
      },
      size,
      cosignature: line,
      ...(head === undefined
        ? {}
        : { messageLogHead: { writer: head.writer, chainSeq: Number(head.chain_seq), hash: head.hash } }),
    };
    const payload = canonicalJson(claim);
    const jws = this.options.signer.sign(payload);
    const answer = await this.request(
      'POST',
      'v1/log/cosignatures',
      JSON.stringify({ payload: Buffer.from(payload).toString('base64url'), ...jws }),
    );
    if (answer.status !== 200) {
      throw new OrtooError('GatewayUnavailable', `The gateway refused the cosignature (${answer.status})`, {
        detail: { status: answer.status, body: answer.body.slice(0, 500) },
      });
    }
  }

  private request(
    method: 'GET' | 'POST',
    path: string,
    body?: string,
  ): Promise<{ status: number; body: string }> {
    const base = this.options.gatewayUrl.endsWith('/')
      ? this.options.gatewayUrl
      : `${this.options.gatewayUrl}/`;
    const url = new URL(path, base);
    const client = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const request = client.request(
        url,
        {
          method,
          timeout: 10_000,
          headers: {
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(url.protocol === 'https:' && this.options.caPem !== undefined
            ? { ca: [...this.options.caPem] }
            : {}),
        },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > 1024 * 1024) request.destroy(new Error('answer too large'));
            else chunks.push(chunk);
          });
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          response.on('error', reject);
        },
      );
      request.on('timeout', () => request.destroy(new Error('timed out')));
      request.on('error', (cause) =>
        reject(new OrtooError('GatewayUnavailable', 'The gateway cannot be reached', { cause })),
      );
      request.end(body);
    });
  }
}
