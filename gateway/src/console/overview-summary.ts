import type { SqlExecutor } from '../../../core/src';
import type { DeliveryQueues, QueueDepth } from '../delivery/delivery-queues';
import type { GlobalConfPublisher } from '../global-conf/global-conf-publisher';

/** Certificates that run out within this many days are listed as expiring. */
export const EXPIRY_WARNING_DAYS = 30;

/** The traffic chart's buckets: the last hour in twelve five-minute steps. */
export const TRAFFIC_BUCKET_SECONDS = 300;
export const TRAFFIC_BUCKETS = 12;

/** The message events the traffic chart counts, each a message's last word on its way. */
export const TRAFFIC_EVENTS = ['accepted', 'rejected', 'delivered', 'retrying', 'dead-lettered'] as const;

/** The console's first page: the state of the network at a glance. */
export interface OverviewSummary {
  readonly generatedAt: string;
  readonly counts: {
    members: number;
    subsystems: number;
    securityServers: number;
    services: number;
    serviceVersions: number;
  };
  readonly expiringCertificates: {
    serial: string;
    kind: string;
    memberId: string;
    securityServerId: string | null;
    notAfter: string;
  }[];
  readonly globalConf: { version: number; generatedAt: string; expiresAt: string; ageSeconds: number } | null;
  /** Messages per event and five-minute bucket over the last hour, oldest bucket first. */
  readonly traffic: {
    bucketSeconds: number;
    from: string;
    events: Record<(typeof TRAFFIC_EVENTS)[number], number[]>;
  };
  /** Queue depth (with `failed`: the dead letters) per provider security server; null when Redis does not answer. */
  readonly queues: Record<string, QueueDepth> | null;
}

/** What {@link overviewSummary} reads from. */
export interface OverviewSources {
  readonly db: SqlExecutor;
  readonly globalConf: GlobalConfPublisher;
  readonly queues?: DeliveryQueues;
  readonly now: Date;
}

/**
 * Puts the overview together: registry counts, certificates expiring soon,
 * the global configuration's age, the last hour's message traffic counted
 * from the audit log (counts only: no message is shown), and queue depths.
 */
export async function overviewSummary(sources: OverviewSources): Promise<OverviewSummary> {
  const { db, now } = sources;
  const [counts] = await db.query<Record<string, number>>(
    `SELECT (SELECT count(*)::int FROM members) AS members,
            (SELECT count(*)::int FROM subsystems) AS subsystems,
            (SELECT count(*)::int FROM security_servers) AS security_servers,
            (SELECT count(DISTINCT service_id)::int FROM services) AS services,
            (SELECT count(*)::int FROM services) AS service_versions`,
  );
  const expiring = await db.query<{
    serial: string;
    kind: string;
    member_id: string;
    security_server_id: string | null;
    not_after: Date;
  }>(
    `SELECT serial, kind, member_id, security_server_id, not_after FROM certificates
     WHERE status = 'active' AND not_after < $1 ORDER BY not_after, serial LIMIT 50`,
    [new Date(now.getTime() + EXPIRY_WARNING_DAYS * 86_400_000)],
  );
  const from = new Date(
    Math.floor(now.getTime() / 1000 / TRAFFIC_BUCKET_SECONDS + 1 - TRAFFIC_BUCKETS) *
      TRAFFIC_BUCKET_SECONDS *
      1000,
  );
  const rows = await db.query<{ event: string; bucket: number; count: number }>(
    `SELECT event, floor(extract(epoch FROM at - $1::timestamptz) / ${TRAFFIC_BUCKET_SECONDS})::int AS bucket,
            count(*)::int AS count
     FROM audit_log WHERE at >= $1 AND event = ANY($2) GROUP BY 1, 2`,
    [from, [...TRAFFIC_EVENTS]],
  );
  const events = Object.fromEntries(
    TRAFFIC_EVENTS.map((event) => [event, new Array<number>(TRAFFIC_BUCKETS).fill(0)]),
  ) as OverviewSummary['traffic']['events'];
  for (const row of rows) {
    const series = events[row.event as (typeof TRAFFIC_EVENTS)[number]];
    if (series !== undefined && row.bucket >= 0 && row.bucket < TRAFFIC_BUCKETS)
      series[row.bucket] = row.count;
  }
  const conf = await sources.globalConf.current().catch(() => undefined);
  const queues = sources.queues === undefined ? null : await sources.queues.depths().catch(() => null);
  return {
    generatedAt: now.toISOString(),
    counts: {
      members: counts?.members ?? 0,
      subsystems: counts?.subsystems ?? 0,
      securityServers: counts?.security_servers ?? 0,
      services: counts?.services ?? 0,
      serviceVersions: counts?.service_versions ?? 0,
    },
    expiringCertificates: expiring.map((row) => ({
      serial: row.serial,
      kind: row.kind,
      memberId: row.member_id,
      securityServerId: row.security_server_id,
      notAfter: row.not_after.toISOString(),
    })),
    globalConf:
      conf === undefined
        ? null
        : {
            version: conf.version,
            generatedAt: conf.generatedAt.toISOString(),
            expiresAt: conf.expiresAt.toISOString(),
            ageSeconds: Math.max(0, Math.round((now.getTime() - conf.generatedAt.getTime()) / 1000)),
          },
    traffic: { bucketSeconds: TRAFFIC_BUCKET_SECONDS, from: from.toISOString(), events },
    queues,
  };
}
