import { useEffect, useState } from 'preact/hooks';

/** Where the console lives; its pages are paths below it. */
export const BASE = '/console';

const listeners = new Set<() => void>();

/** The page path below {@link BASE} (`/registry`…), and its query. */
export interface Location {
  path: string;
  query: URLSearchParams;
}

function current(): Location {
  const path = window.location.pathname.startsWith(BASE)
    ? window.location.pathname.slice(BASE.length) || '/'
    : '/';
  return { path: path === '' ? '/' : path, query: new URLSearchParams(window.location.search) };
}

/** Goes to a page of the console without reloading; history keeps the way back. */
export function navigate(to: string): void {
  window.history.pushState(null, '', `${BASE}${to}`);
  for (const listener of listeners) listener();
  window.scrollTo(0, 0);
}

/** The current page, re-rendered on every navigation (links, back and forward). */
export function useLocation(): Location {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const update = () => setLocation(current());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return location;
}
