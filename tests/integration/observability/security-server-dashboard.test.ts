/**
 * The security servers' Grafana dashboard (`deploy/grafana/`) works with the
 * security servers: its queries parse as PromQL (promtool), and every metric
 * they name is one a running security server really exposes on `/metrics`,
 * the consumer's and the provider's together.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startSsNetwork, type SsNetwork } from '../../helpers/ss-network';
import { REPO_ROOT, seriesNames } from './observability-support';
import {
  dashboardExpressions,
  dashboardQueries,
  metricNamesOf,
  checkPromql,
  unexposedMetrics,
  type Dashboard,
} from './promql';

const DASHBOARD = path.join(REPO_ROOT, 'deploy', 'grafana', 'ortoo-security-servers-dashboard.json');

describe("the security servers' Grafana dashboard", () => {
  let network: SsNetwork;
  let exposed: Set<string>;
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;

  beforeAll(async () => {
    network = await startSsNetwork();
    exposed = new Set();
    for (const server of [network.consumer, network.provider]) {
      const res = await fetch(`${server.clientUrl}/metrics`);
      expect(res.status).toBe(200);
      for (const name of seriesNames(await res.text())) exposed.add(name);
    }
  }, 120_000);

  afterAll(async () => {
    await network?.close();
  }, 60_000);

  it('has queries that parse as PromQL', () => {
    expect(dashboard).toMatchObject({ title: expect.any(String), uid: 'ortoo-security-servers' });
    const expressions = dashboardExpressions(dashboard);
    expect(expressions.length).toBeGreaterThanOrEqual(10);
    const checked = checkPromql(expressions);
    expect(checked.output).toContain(`SUCCESS: ${expressions.length} rules found`);
    expect(checked.status).toBe(0);
  });

  it('charts only metrics the security servers expose, and the ones that matter', () => {
    const queries = dashboardQueries(dashboard);
    expect(unexposedMetrics(queries, exposed)).toEqual([]);
    const named = new Set(queries.flatMap(({ expr }) => metricNamesOf(expr)));
    for (const metric of [
      'ortoo_ss_client_proxy_request_seconds_bucket',
      'ortoo_ss_deliveries_total',
      'ortoo_ss_backend_duration_seconds_bucket',
      'ortoo_ss_witness_cosignatures_total',
      'ortoo_global_conf_expiry_timestamp_seconds',
      'ortoo_certificate_expiry_timestamp_seconds',
      'ortoo_clock_skew_seconds',
    ]) {
      expect(named).toContain(metric);
    }
  });

  it('selects servers by the label the scrape configuration gives them', () => {
    for (const { panel, expr } of dashboardExpressions(dashboard)) {
      expect({ panel, selects: expr.includes('job="ortoo-security-servers",server=~"$server"') }).toEqual({
        panel,
        selects: true,
      });
    }
  });
});
