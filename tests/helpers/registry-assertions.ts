/**
 * Assertions about what an admin call did to the registry: whether it made a
 * new registry version, and the `admin-change` audit record it left.
 */
import { registryVersion } from '../../gateway/src/registry/registry-version';
import type { GatewayHarness } from './gateway-harness';

/**
 * Runs `change` and expects exactly one new registry version and, as the
 * latest `admin-change` record, one by the test admin with outcome `ok` whose
 * detail holds `action`, `id` and every field of `detail`.
 */
export async function expectRecordedChange(
  gateway: GatewayHarness,
  action: string,
  id: string,
  change: () => Promise<unknown>,
  detail: Record<string, unknown> = {},
): Promise<void> {
  const version = await registryVersion(gateway.store);
  await change();
  expect(await registryVersion(gateway.store)).toBe(version + 1);
  const [record] = await gateway.store.query<{ actor: string; outcome: string; detail: unknown }>(
    "SELECT actor, outcome, detail FROM audit_log WHERE event = 'admin-change' ORDER BY seq DESC LIMIT 1",
  );
  expect(record).toMatchObject({ actor: 'test-admin', outcome: 'ok', detail: { action, id, ...detail } });
}

/** Runs `attempt` and expects the registry version not to have moved. */
export async function expectNoChange(
  gateway: GatewayHarness,
  attempt: () => Promise<unknown>,
): Promise<void> {
  const version = await registryVersion(gateway.store);
  await attempt();
  expect(await registryVersion(gateway.store)).toBe(version);
}

/** One page of a registry list route. */
interface ListPage {
  readonly body: { items: { id: string }[]; nextCursor?: string };
}

/**
 * Follows a registry list route's `nextCursor` from the first page, at most
 * `maxPages` pages, expecting 200 and at most `query.limit` items on each.
 * `get` makes the request (with its own `Authorization`) for a query string.
 *
 * @returns the ids of every item in the order listed, and how many pages it took
 */
export async function listEveryPage(
  get: (query: Record<string, string | number>) => { expect(status: number): Promise<ListPage> },
  query: Record<string, string | number> & { limit: number },
  maxPages: number,
): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const res = await get({ ...query, ...(cursor === undefined ? {} : { cursor }) }).expect(200);
    expect(res.body.items.length).toBeLessThanOrEqual(query.limit);
    ids.push(...res.body.items.map((item) => item.id));
    cursor = res.body.nextCursor;
    pages += 1;
  } while (cursor !== undefined && pages < maxPages);
  return { ids, pages };
}
