/**
 * The auditor at the end of the day: searches the gateway's audit log for
 * one citizen (by data subject: the gateway keeps only a keyed hash of it and
 * hashes the auditor's search term the same way), checks that every message
 * about them the tour had answered is there, and has the whole log verified.
 */
import { field, httpRequest, loopbackUrl } from './http';
import type { CallResult } from './outcome';
import { plural } from './text';

/** `GET /v1/audit/verify`'s answer: the log's counts when it all holds, else its first problem. */
export type VerificationResult =
  | { readonly ok: true; readonly records: number; readonly chains: number; readonly checkpoints: number }
  | {
      readonly ok: false;
      readonly problem: {
        readonly kind: string;
        readonly message: string;
        readonly writer?: string;
        readonly seq?: number;
        readonly chainSeq?: number;
        readonly checkpointId?: number;
      };
    };

/** What the auditor's search for one data subject found. */
export interface SubjectSearch {
  /** Records found, of every event. */
  readonly records: number;
  /** Message ids of the `accepted` records found: the messages the gateway took on about the subject. */
  readonly acceptedMessageIds: ReadonlySet<string>;
}

/** The auditor's part of the report. */
export interface AuditReport {
  readonly subject: string;
  /** Records the subject search found; undefined when it failed. */
  readonly records?: number;
  /** The tour's messages about the subject that the provider answered, which the log must name. */
  readonly expected: number;
  /** How many of those the search found. */
  readonly found: number;
  /** Undefined when verification could not be asked for. */
  readonly verification?: VerificationResult;
  readonly problems: readonly string[];
}

/** Most records read in a search (pages of {@link PAGE_SIZE}): the tour is bounded. */
const MAX_PAGES = 20;
const PAGE_SIZE = 1000;

/** A client of the gateway's auditor API, with an auditor's token. */
export class AuditorClient {
  readonly #adminUrl: string;
  readonly #token: string;

  constructor(adminUrl: string, token: string) {
    this.#adminUrl = loopbackUrl(adminUrl, "the gateway's admin API");
    this.#token = token;
  }

  async #get(pathAndQuery: string, signal: AbortSignal): Promise<unknown> {
    const answer = await httpRequest(
      {
        method: 'GET',
        url: `${this.#adminUrl}${pathAndQuery}`,
        headers: { Authorization: `Bearer ${this.#token}` },
      },
      signal,
    );
    if (answer.status !== 200) {
      throw new Error(
        `GET ${pathAndQuery.split('?')[0]} answered ${answer.status} ${answer.text.slice(0, 200)}`,
      );
    }
    return answer.json;
  }

  /** `GET /v1/audit/records?subject=…`, page after page. */
  async searchSubject(subject: string, signal: AbortSignal): Promise<SubjectSearch> {
    const acceptedMessageIds = new Set<string>();
    let records = 0;
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const query = new URLSearchParams({ subject, limit: String(PAGE_SIZE) });
      if (cursor !== undefined) query.set('cursor', cursor);
      const json = await this.#get(`/v1/audit/records?${query.toString()}`, signal);
      const items = field(json, 'items');
      if (!Array.isArray(items)) throw new Error('GET /v1/audit/records answered without items');
      records += items.length;
      for (const item of items) {
        const messageId = field(item, 'messageId');
        if (field(item, 'event') === 'accepted' && typeof messageId === 'string')
          acceptedMessageIds.add(messageId);
      }
      const next = field(json, 'nextCursor');
      if (typeof next !== 'string') break;
      cursor = next;
    }
    return { records, acceptedMessageIds };
  }

  /** `GET /v1/audit/verify`: the whole log's chains and checkpoints. */
  async verify(signal: AbortSignal): Promise<VerificationResult> {
    const json = await this.#get('/v1/audit/verify', signal);
    if (field(json, 'ok') === true) return json as VerificationResult;
    const problem = field(json, 'problem');
    if (field(json, 'ok') === false && typeof field(problem, 'message') === 'string') {
      return json as VerificationResult;
    }
    throw new Error(`GET /v1/audit/verify answered what is no verification report: ${JSON.stringify(json)}`);
  }
}

/**
 * The tour's messages about `subject` that the log must name as accepted:
 * those the provider answered (an answer without `X-Road-Error` is the
 * provider's own, so the gateway accepted and delivered the call).
 */
export function expectedAccepted(results: readonly CallResult[], subject: string): string[] {
  return results
    .filter(({ call, observed }) => call.subject === subject && observed.status !== undefined)
    .filter(({ observed }) => observed.xRoadError === undefined)
    .map(({ call }) => call.id);
}

/** `hash-mismatch at seq 17 (writer gw-1): …`: the first problem of a failed verification. */
export function describeVerification(result: VerificationResult): string {
  if (result.ok) {
    const counts = [
      plural(result.records, 'record'),
      plural(result.chains, 'chain'),
      plural(result.checkpoints, 'checkpoint'),
    ];
    return `ok (${counts.join(', ')})`;
  }
  const { kind, message, seq, writer, checkpointId } = result.problem;
  const at =
    seq !== undefined ? ` at seq ${seq}` : checkpointId !== undefined ? ` at checkpoint ${checkpointId}` : '';
  return `FAILED: ${kind}${at}${writer === undefined ? '' : ` (writer ${writer})`}: ${message}`;
}

/**
 * Judges the auditor's findings: every expected message found, and the log verified.
 */
export function judgeAudit(
  subject: string,
  expected: readonly string[],
  search: SubjectSearch | Error,
  verification: VerificationResult | Error,
): AuditReport {
  const problems: string[] = [];
  let found = 0;
  if (search instanceof Error) {
    problems.push(`the auditor's search for ${subject} failed: ${search.message}`);
  } else {
    const missing = expected.filter((id) => !search.acceptedMessageIds.has(id));
    found = expected.length - missing.length;
    if (missing.length > 0) {
      const shown = missing.slice(0, 5).join(', ');
      problems.push(
        `the audit log has no accepted record about ${subject} for ${missing.length} of the tour's ` +
          `${expected.length} messages: ${shown}${missing.length > 5 ? ', …' : ''}`,
      );
    }
  }
  if (verification instanceof Error) {
    problems.push(`the audit log's verification failed to run: ${verification.message}`);
  } else if (!verification.ok) {
    problems.push(`the audit log's verification ${describeVerification(verification)}`);
  }
  return {
    subject,
    ...(search instanceof Error ? {} : { records: search.records }),
    expected: expected.length,
    found,
    ...(verification instanceof Error ? {} : { verification }),
    problems,
  };
}
