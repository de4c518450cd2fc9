import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { components } from '../../../generated/admin-api';
import { formatDateTime, formatNumber, translate, type Lang } from './i18n';
import { mn, type MessageKey } from './messages';

/** Who is signed in. */
export type Session = components['schemas']['Session'];

/** What every page reads: the language, the zone, and who is signed in. */
export interface ConsoleContext {
  lang: Lang;
  zone: string;
  session: Session;
}

export const Context = createContext<ConsoleContext>({
  lang: 'mn',
  zone: 'Asia/Ulaanbaatar',
  session: { name: '', role: 'auditor' },
});

/** The page's helpers: texts, dates and numbers in the user's language and zone. */
export function useConsole() {
  const context = useContext(Context);
  return {
    ...context,
    t: (key: MessageKey, params?: Record<string, string | number>) => translate(context.lang, key, params),
    date: (value: string | Date | undefined | null) =>
      value === undefined || value === null ? '—' : formatDateTime(value, context.lang, context.zone),
    num: (value: number) => formatNumber(value, context.lang),
    /** An audit event's name in the user's language where the catalogue has it, else as recorded. */
    event: (name: string) =>
      `event.${name}` in mn ? translate(context.lang, `event.${name}` as MessageKey) : name,
  };
}
