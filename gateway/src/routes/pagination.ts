import type { Request } from 'express';
import { OrtooError, isStorableText } from '../../../core/src';

/** Not fatal: a cursor that is not UTF-8 gets U+FFFD and simply matches nothing. */
const UTF8 = new TextDecoder('utf-8');

/** One page of a list, and where the next one starts. */
export interface Page<T> {
  items: T[];
  /** Pass as `?cursor=` for the next page; absent on the last one. */
  nextCursor?: string;
}

/** Where a page starts and how long it is. */
export interface PageRequest {
  /** The sort key of the last item of the previous page, or undefined for the first page. */
  after?: string;
  limit: number;
}

/** @defaultValue 100 items per page unless `?limit=` says otherwise. */
export const DEFAULT_PAGE_SIZE = 100;
/** No page is longer than this. */
export const MAX_PAGE_SIZE = 1000;

/**
 * Reads `?limit=` and `?cursor=`. Pages are keyset pages: the cursor is the
 * last item's sort key (opaque to callers), so a page never shifts when rows
 * are added before it.
 */
export function pageRequest(req: Request): PageRequest {
  const { limit, cursor } = req.query;
  let size = DEFAULT_PAGE_SIZE;
  if (limit !== undefined) {
    size = typeof limit === 'string' && /^\d{1,4}$/.test(limit) ? Number(limit) : NaN;
    if (!(size >= 1 && size <= MAX_PAGE_SIZE)) {
      throw new OrtooError('BadRequest', `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
    }
  }
  if (cursor === undefined) return { limit: size };
  const after =
    typeof cursor === 'string' && /^[A-Za-z0-9_-]{1,1400}$/.test(cursor)
      ? UTF8.decode(Buffer.from(cursor, 'base64url'))
      : undefined;
  // A cursor is the base64url of a sort key this API gave out: never empty, never text the store refuses.
  if (after === undefined || after.length === 0 || !isStorableText(after)) {
    throw new OrtooError('BadRequest', 'cursor is not one this API gave out');
  }
  return { limit: size, after };
}

/**
 * Makes a page from rows fetched with `LIMIT limit + 1`: the extra row only
 * tells that there is a next page.
 */
export function toPage<T>(rows: T[], request: PageRequest, keyOf: (item: T) => string): Page<T> {
  if (rows.length <= request.limit) return { items: rows };
  const items = rows.slice(0, request.limit);
  const last = items.at(-1);
  return last === undefined
    ? { items }
    : { items, nextCursor: Buffer.from(keyOf(last)).toString('base64url') };
}
