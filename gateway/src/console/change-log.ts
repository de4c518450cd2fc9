import type { SqlExecutor } from '../../../core/src';

/** One change to the registry: who did what to which thing, and when. */
export interface RegistryChange {
  seq: number;
  at: string;
  actor: string | null;
  /** `<area>.<verb>`, e.g. `members.create`. */
  action: string;
  /** What was changed. */
  id: string;
  /** The rest of what the change's audit record says (never secrets). */
  detail: Record<string, unknown>;
}

/**
 * The registry's change log, newest first: the `admin-change` records of the
 * audit log, before `beforeSeq`, optionally only those whose actor, action or
 * changed id contains `text`.
 */
export async function listRegistryChanges(
  db: SqlExecutor,
  options: { text?: string; beforeSeq?: number; limit: number },
): Promise<RegistryChange[]> {
  const where = ["event = 'admin-change'"];
  const params: unknown[] = [];
  if (options.text !== undefined) {
    params.push(`%${options.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    const p = `$${params.length}`;
    where.push(`(actor ILIKE ${p} OR detail->>'action' ILIKE ${p} OR detail->>'id' ILIKE ${p})`);
  }
  if (options.beforeSeq !== undefined) {
    params.push(options.beforeSeq);
    where.push(`seq < $${params.length}`);
  }
  params.push(options.limit);
  const rows = await db.query<{
    seq: number | string;
    at: Date;
    actor: string | null;
    detail: Record<string, unknown>;
  }>(
    `SELECT seq, at, actor, detail FROM audit_log WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT $${params.length}`,
    params,
  );
  return rows.map(({ seq, at, actor, detail }) => {
    const { action, id, ...rest } = detail;
    return {
      seq: Number(seq),
      at: at.toISOString(),
      actor,
      action: String(action),
      id: String(id),
      detail: rest,
    };
  });
}
