import { STATUS_CODES } from 'node:http';
import type { Response } from 'express';

/** Media type of a problem body (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * A problem body (RFC 9457, "Problem Details for HTTP APIs"): what every demo
 * backend answers with when it does not answer with data. `type` is
 * `about:blank`, so `title` is the status's own phrase; `detail` says what
 * went wrong with this request; extension members add what a caller can act
 * on (the schema errors, the register number not found).
 */
export interface Problem {
  readonly type: 'about:blank';
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly [extension: string]: unknown;
}

/** The problem body for `status`, with `detail` and any extension members. */
export function problem(status: number, detail: string, extensions: Record<string, unknown> = {}): Problem {
  const standard = { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail } as const;
  // The standard members first, and no extension can replace them.
  return { ...standard, ...extensions, ...standard };
}

/** Sends a problem body with its status and media type. */
export function sendProblem(
  res: Response,
  status: number,
  detail: string,
  extensions: Record<string, unknown> = {},
): void {
  res
    .status(status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problem(status, detail, extensions)));
}
