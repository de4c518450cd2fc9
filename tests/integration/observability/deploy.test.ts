/**
 * What `deploy/` gives operators works with this gateway: the Prometheus
 * configuration and alert rules pass promtool (syntax, and the alerts'
 * scenarios in `alerts.test.yml`), the Grafana dashboard is valid JSON whose
 * queries parse as PromQL, and every metric the queries, alerts and
 * variables name is one a gateway process really exposes on `/metrics`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, promtool, seriesNames, startRealGateway } from './observability-support';
import {
  dashboardExpressions,
  dashboardQueries,
  unexposedMetrics,
  metricNamesOf,
  checkPromql,
  ruleExpressions,
  PROMETHEUS_SERIES,
  type Dashboard,
} from './promql';

const DEPLOY = path.join(REPO_ROOT, 'deploy');
const PROMETHEUS_CONFIG = path.join(DEPLOY, 'prometheus', 'prometheus.yml');
const ALERTS = path.join(DEPLOY, 'prometheus', 'alerts.yml');
const ALERT_SCENARIOS = path.join(DEPLOY, 'prometheus', 'alerts.test.yml');
const DASHBOARD = path.join(DEPLOY, 'grafana', 'ortoo-dashboard.json');

describe('deploy/', () => {
  let exposed: Set<string>;
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;

  beforeAll(async () => {
    const gateway = await startRealGateway();
    try {
      const res = await gateway.get('/metrics');
      expect(res.status).toBe(200);
      exposed = seriesNames(res.text);
    } finally {
      await gateway.close();
    }
  });

  it('has a Prometheus configuration that promtool accepts, rule files included', () => {
    const checked = promtool(['check', 'config', PROMETHEUS_CONFIG]);
    expect(checked.output).toContain('SUCCESS');
    expect(checked.status).toBe(0);
  });

  it('scrapes the gateway admin listener, the delivery workers and the security servers at /metrics', () => {
    const config = readFileSync(PROMETHEUS_CONFIG, 'utf8');
    expect(config).toMatch(/job_name: ortoo-gateway[\s\S]*metrics_path: \/metrics[\s\S]*127\.0\.0\.1:4400/);
    expect(config).toMatch(
      /job_name: ortoo-delivery-workers\s+metrics_path: \/metrics\s+file_sd_configs:\s+- files: \['targets\/delivery-workers\.yml'\]/,
    );
    expect(config).toMatch(/job_name: ortoo-security-servers[\s\S]*metrics_path: \/metrics/);
    const targets = readFileSync(path.join(DEPLOY, 'prometheus', 'targets', 'security-servers.yml'), 'utf8');
    expect(targets).toMatch(/:8080'/);
    const workers = readFileSync(path.join(DEPLOY, 'prometheus', 'targets', 'delivery-workers.yml'), 'utf8');
    expect(workers).toMatch(/- targets: \['[^']+:\d+'/);
  });

  it('has alert rules that promtool accepts, and that fire as their scenarios say', () => {
    const checked = promtool(['check', 'rules', ALERTS]);
    expect(checked.status).toBe(0);
    const tested = promtool(['test', 'rules', ALERT_SCENARIOS]);
    expect(tested.output).toContain('SUCCESS');
    expect(tested.status).toBe(0);
  });

  it('alerts on what operators need to know', () => {
    const alerts = [...readFileSync(ALERTS, 'utf8').matchAll(/- alert: (\w+)/g)].map(([, name]) => name);
    expect(alerts).toEqual(
      expect.arrayContaining([
        'OrtooGatewayDown',
        'OrtooDeadLettersGrowing',
        'OrtooDeliveryQueueDeep',
        'OrtooAuditAppendSlow',
        'OrtooGlobalConfOld',
        'OrtooCertificateExpiringSoon',
        'OrtooIssuedCertificateExpiringSoon',
      ]),
    );
  });

  it('alerts only on metrics the gateway exposes', () => {
    const expressions = ruleExpressions(readFileSync(ALERTS, 'utf8'));
    expect(expressions.length).toBeGreaterThanOrEqual(10);
    const unknown = expressions.flatMap((expr) =>
      metricNamesOf(expr)
        .filter((name) => !PROMETHEUS_SERIES.has(name) && !exposed.has(name))
        .map((name) => `${name} in ${expr}`),
    );
    expect(unknown).toEqual([]);
  });

  it('has a Grafana dashboard whose every query panel has queries that parse as PromQL', () => {
    expect(dashboard).toMatchObject({ title: expect.any(String), uid: 'ortoo-gateway' });
    const expressions = dashboardExpressions(dashboard);
    expect(expressions.length).toBeGreaterThanOrEqual(15);
    for (const { panel, expr } of expressions)
      expect({ panel, expr: expr.trim() }).not.toEqual({ panel, expr: '' });
    const checked = checkPromql(expressions);
    expect(checked.output).toContain(`SUCCESS: ${expressions.length} rules found`);
    expect(checked.status).toBe(0);
  });

  it('charts only metrics the gateway exposes', () => {
    const queries = dashboardQueries(dashboard);
    expect(unexposedMetrics(queries, exposed)).toEqual([]);
    // The checks above would pass vacuously if nothing were found.
    const named = new Set(queries.flatMap(({ expr }) => metricNamesOf(expr)));
    for (const metric of [
      'ortoo_gateway_exchanges_total',
      'ortoo_gateway_rejections_total',
      'ortoo_gateway_step_duration_seconds_bucket',
      'ortoo_gateway_queue_wait_seconds_bucket',
      'ortoo_gateway_provider_duration_seconds_bucket',
      'ortoo_gateway_queue_jobs',
      'ortoo_gateway_dead_letters',
      'ortoo_audit_append_duration_seconds_bucket',
      'ortoo_global_conf_generated_timestamp_seconds',
      'ortoo_certificate_expiry_timestamp_seconds',
    ]) {
      expect(named).toContain(metric);
    }
  });
});

describe('metricNamesOf', () => {
  it('finds the metrics of an expression and nothing else', () => {
    expect(
      metricNamesOf(
        'histogram_quantile(0.99, sum by (le, step) (rate(ortoo_a_bucket{step="x",le!="1"}[$__rate_interval]))) > 1e3 and on (instance) up == 0 or time() - ortoo_b offset 5m',
      ),
    ).toEqual(['ortoo_a_bucket', 'up', 'ortoo_b']);
  });
});
