import type { MessageKey } from './lib/messages';

/** Who may open a page: the console gives no power the API does not give the role. */
export type Role = 'admin' | 'auditor';

/** A page of the console: its path below `/console`, its menu text and the roles that see it. */
export interface PageInfo {
  path: string;
  label: MessageKey;
  roles: readonly Role[];
}

/** The console's pages, in menu order. */
export const PAGES: readonly PageInfo[] = [
  { path: '/', label: 'nav.overview', roles: ['admin', 'auditor'] },
  { path: '/registrations', label: 'nav.registrations', roles: ['admin'] },
  { path: '/registry', label: 'nav.registry', roles: ['admin'] },
  { path: '/dead-letters', label: 'nav.deadLetters', roles: ['admin'] },
  { path: '/audit', label: 'nav.audit', roles: ['auditor'] },
  { path: '/verify', label: 'nav.verify', roles: ['auditor'] },
  { path: '/usage', label: 'nav.usage', roles: ['auditor'] },
  { path: '/changes', label: 'nav.changes', roles: ['admin', 'auditor'] },
];

/** The page a path belongs to (`/audit/messages/x` belongs to `/audit`); undefined for none. */
export function pageOf(path: string): PageInfo | undefined {
  if (path === '/' || path === '') return PAGES[0];
  return PAGES.find((page) => page.path !== '/' && (path === page.path || path.startsWith(`${page.path}/`)));
}
