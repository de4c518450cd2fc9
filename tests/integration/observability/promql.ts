/**
 * Reading the PromQL of `deploy/`: the metric names an expression uses, the
 * expressions of a rules file and of a Grafana dashboard, and a rules file
 * that makes promtool parse a dashboard's queries.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promtool } from './observability-support';

/** Series Prometheus makes itself rather than scrapes. */
export const PROMETHEUS_SERIES = new Set(['up']);

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
export function metricNamesOf(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = [...stripped.matchAll(/\b[a-zA-Z_][a-zA-Z0-9_:]*\b(?!\s*\()/g)].map(([name]) => name);
  return [...new Set(names.filter((name) => !KEYWORDS.has(name.toLowerCase())))];
}

/** The `expr` of every rule of a rules file (plain or folded with `>-`). */
export function ruleExpressions(yaml: string): string[] {
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

export interface Panel {
  type: string;
  title: string;
  targets?: { expr?: string; refId: string }[];
  panels?: Panel[];
}

export interface Dashboard {
  title: string;
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query?: string | { query?: string } }[] };
}

/** Every query panel's expressions, by panel title. */
export function dashboardExpressions(dashboard: Dashboard): { panel: string; expr: string }[] {
  const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
  return panels
    .filter((panel) => panel.type !== 'row')
    .flatMap((panel) =>
      (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr ?? '' })),
    );
}

/** A Grafana query as Prometheus would get it: the dashboard's variables given values. */
function withVariables(expr: string): string {
  return expr.replace(/\$__rate_interval/g, '5m').replace(/\$(provider|server)\b/g, '.*');
}

/**
 * Has promtool parse `expressions` as a dashboard would send them (variables
 * filled in): each becomes a recording rule of a rules file it checks.
 */
export function checkPromql(expressions: readonly { readonly expr: string }[]): {
  status: number;
  output: string;
} {
  const rules = [
    'groups:',
    '  - name: dashboard',
    '    rules:',
    ...expressions.flatMap(({ expr }, index) => [
      `      - record: dashboard:query_${index}`,
      `        expr: ${JSON.stringify(withVariables(expr))}`,
    ]),
  ].join('\n');
  const dir = mkdtempSync(path.join(tmpdir(), 'ortoo-dashboard-'));
  try {
    writeFileSync(path.join(dir, 'dashboard.rules.yml'), rules);
    return promtool(['check', 'rules', path.join(dir, 'dashboard.rules.yml')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every query of a dashboard: its panels' and its query variables'. */
export function dashboardQueries(dashboard: Dashboard): { panel: string; expr: string }[] {
  return [
    ...dashboardExpressions(dashboard),
    ...dashboard.templating.list
      .filter((variable) => variable.type === 'query')
      .map(({ name, query }) => ({
        panel: `variable ${name}`,
        expr: (typeof query === 'string' ? query : query?.query) ?? '',
      })),
  ];
}

/** `<panel>: <metric>` for each metric a query names that is not in `exposed` (nor made by Prometheus). */
export function unexposedMetrics(
  queries: readonly { readonly panel: string; readonly expr: string }[],
  exposed: ReadonlySet<string>,
): string[] {
  return queries.flatMap(({ panel, expr }) => {
    const variable = /label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(expr);
    const names = variable === null ? metricNamesOf(expr) : [variable[1] as string];
    return names
      .filter((name) => !exposed.has(name) && !PROMETHEUS_SERIES.has(name))
      .map((name) => `${panel}: ${name}`);
  });
}
