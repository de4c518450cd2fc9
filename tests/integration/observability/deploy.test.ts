/**
 * What `deploy/` gives operators works with this gateway: the Prometheus
 * configuration and alert rules pass promtool (syntax, and the alerts'
 * scenarios in `alerts.test.yml`), the Grafana dashboard is valid JSON whose
 * queries parse as PromQL, and every metric the queries, alerts and
 * variables name is one a gateway process really exposes on `/metrics`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT, promtool, seriesNames, startRealGateway } from './observability-support';

const DEPLOY = path.join(REPO_ROOT, 'deploy');
const PROMETHEUS_CONFIG = path.join(DEPLOY, 'prometheus', 'prometheus.yml');
const ALERTS = path.join(DEPLOY, 'prometheus', 'alerts.yml');
const ALERT_SCENARIOS = path.join(DEPLOY, 'prometheus', 'alerts.test.yml');
const DASHBOARD = path.join(DEPLOY, 'grafana', 'ortoo-dashboard.json');

/** Series Prometheus makes itself rather than scrapes. */
const SYNTHETIC = new Set(['up']);

/** PromQL words that are not metric names. */
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/**
 * The metric names of a PromQL expression: what is left once strings, label
 * matchers, ranges, grouping clauses, numbers, keywords and function names
 * are taken out. Simple, and enough for the expressions of `deploy/`.
 */
function metricNamesOf(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = [...stripped.matchAll(/\b[a-zA-Z_][a-zA-Z0-9_:]*\b(?!\s*\()/g)].map(([name]) => name);
  return [...new Set(names.filter((name) => !KEYWORDS.has(name.toLowerCase())))];
}

/** The `expr` of every rule of a rules file (plain or folded with `>-`). */
function ruleExpressions(yaml: string): string[] {
  const lines = yaml.split('\n');
  const found: string[] = [];
  lines.forEach((line, index) => {
    const match = /^(\s*)(?:- )?expr:\s*(.*)$/.exec(line);
    if (match === null) return;
    const [, indent = '', rest = ''] = match;
    if (!/^[>|]/.test(rest)) {
      found.push(rest.replace(/^'(.*)'$/, '$1'));
      return;
    }
    const body: string[] = [];
    for (const next of lines.slice(index + 1)) {
      if (next.trim() !== '' && next.length - next.trimStart().length <= indent.length) break;
      body.push(next.trim());
    }
    found.push(body.join(' ').trim());
  });
  return found;
}

interface Panel {
  type: string;
  title: string;
  targets?: { expr?: string; refId: string }[];
  panels?: Panel[];
}

interface Dashboard {
  title: string;
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query?: string | { query?: string } }[] };
}

/** Every query panel's expressions, by panel title. */
function dashboardExpressions(dashboard: Dashboard): { panel: string; expr: string }[] {
  const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
  return panels
    .filter((panel) => panel.type !== 'row')
    .flatMap((panel) =>
      (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr ?? '' })),
    );
}

/** A Grafana query as Prometheus would get it: the dashboard's variables given values. */
function withVariables(expr: string): string {
  return expr.replace(/\$__rate_interval/g, '5m').replace(/\$provider/g, '.*');
}

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

  it('scrapes the gateway admin listener and the security servers at /metrics', () => {
    const config = readFileSync(PROMETHEUS_CONFIG, 'utf8');
    expect(config).toMatch(/job_name: ortoo-gateway[\s\S]*metrics_path: \/metrics[\s\S]*127\.0\.0\.1:4400/);
    expect(config).toMatch(/job_name: ortoo-security-servers[\s\S]*metrics_path: \/metrics/);
    const targets = readFileSync(path.join(DEPLOY, 'prometheus', 'targets', 'security-servers.yml'), 'utf8');
    expect(targets).toMatch(/:8080'/);
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
        .filter((name) => !SYNTHETIC.has(name) && !exposed.has(name))
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
    // promtool parses PromQL as it checks rules: each query becomes a recording rule.
    const dir = mkdtempSync(path.join(tmpdir(), 'ortoo-dashboard-'));
    try {
      const rules = [
        'groups:',
        '  - name: dashboard',
        '    rules:',
        ...expressions.flatMap(({ expr }, index) => [
          `      - record: dashboard:query_${index}`,
          `        expr: ${JSON.stringify(withVariables(expr))}`,
        ]),
      ].join('\n');
      writeFileSync(path.join(dir, 'dashboard.rules.yml'), rules);
      const checked = promtool(['check', 'rules', path.join(dir, 'dashboard.rules.yml')]);
      expect(checked.output).toContain(`SUCCESS: ${expressions.length} rules found`);
      expect(checked.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('charts only metrics the gateway exposes', () => {
    const queries = [
      ...dashboardExpressions(dashboard),
      ...dashboard.templating.list
        .filter((variable) => variable.type === 'query')
        .map(({ name, query }) => ({
          panel: `variable ${name}`,
          expr: (typeof query === 'string' ? query : query?.query) ?? '',
        })),
    ];
    const unknown = queries.flatMap(({ panel, expr }) => {
      const variable = /label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(expr);
      const names = variable === null ? metricNamesOf(expr) : [variable[1] as string];
      return names.filter((name) => !exposed.has(name)).map((name) => `${panel}: ${name}`);
    });
    expect(unknown).toEqual([]);
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
