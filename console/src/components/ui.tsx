import { Fragment, type ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError } from '../lib/api-error';
import { useConsole } from '../lib/context';
import { BASE, navigate } from '../lib/router';

/** A link to a page of the console, followed without a reload. */
export function Link(props: { to: string; children: ComponentChildren; current?: boolean; class?: string }) {
  return (
    <a
      href={`${BASE}${props.to}`}
      class={props.class}
      aria-current={props.current === true ? 'page' : undefined}
      onClick={(event: MouseEvent) => {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        navigate(props.to);
      }}
    >
      {props.children}
    </a>
  );
}

/** An API error as the API gives it: its type and message, announced to screen readers. */
export function ErrorBanner(props: { error: unknown }) {
  const { t } = useConsole();
  if (props.error === undefined || props.error === null) return null;
  const error = props.error;
  const type = error instanceof ApiError ? error.type : 'Error';
  const message =
    error instanceof ApiError && error.status === 0
      ? t('error.network')
      : error instanceof Error
        ? error.message
        : String(error);
  return (
    <div class="banner banner-error" role="alert">
      <strong>{t('error.title')}</strong> <code class="error-type">{type}</code> <span>{message}</span>
    </div>
  );
}

/** A success message, announced politely. */
export function Notice(props: { children: ComponentChildren }) {
  return (
    <div class="banner banner-ok" role="status">
      {props.children}
    </div>
  );
}

/** A labelled input with the API's error for it beside it. */
export function Field(props: {
  label: string;
  name: string;
  error?: string | undefined;
  hint?: string;
  type?: string;
  value?: string;
  placeholder?: string | undefined;
  accept?: string;
  autoComplete?: string;
  required?: boolean | undefined;
  onInput?: (event: Event) => void;
  onChange?: (event: Event) => void;
}) {
  const { label, name, error, hint, ...input } = props;
  const id = `field-${name}`;
  const described = [hint === undefined ? '' : `${id}-hint`, error === undefined ? '' : `${id}-error`]
    .filter(Boolean)
    .join(' ');
  return (
    <div class={`field${error === undefined ? '' : ' field-invalid'}`}>
      <label for={id}>{label}</label>
      <input
        id={id}
        name={name}
        aria-invalid={error === undefined ? undefined : 'true'}
        aria-describedby={described === '' ? undefined : described}
        {...(input as Record<string, unknown>)}
      />
      {hint === undefined ? null : (
        <small id={`${id}-hint`} class="hint">
          {hint}
        </small>
      )}
      {error === undefined ? null : (
        <small id={`${id}-error`} class="field-error">
          {error}
        </small>
      )}
    </div>
  );
}

/** A status shown as a coloured badge, with its word (never colour alone). */
export function Badge(props: { tone: 'ok' | 'warn' | 'bad' | 'muted'; children: ComponentChildren }) {
  return <span class={`badge badge-${props.tone}`}>{props.children}</span>;
}

/** A page's heading and its actions. */
export function PageHeader(props: { title: string; children?: ComponentChildren }) {
  return (
    <header class="page-header">
      <h1 tabIndex={-1} id="page-title">
        {props.title}
      </h1>
      <div class="page-actions">{props.children}</div>
    </header>
  );
}

/** Runs an async action, keeping its error and whether it is busy. */
export function useAction<A extends unknown[], T>(action: (...args: A) => Promise<T>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = async (...args: A): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await action(...args);
    } catch (caught) {
      setError(caught);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { run, busy, error, setError };
}

/** Facts as a description list; facts without a value are left out. */
export function Facts(props: {
  items: readonly (readonly [string, ComponentChildren | undefined])[];
  compact?: boolean;
}) {
  return (
    <dl class={props.compact === true ? 'facts compact' : 'facts'}>
      {props.items
        .filter(([, value]) => value !== undefined)
        .map(([label, value]) => (
          <Fragment key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </Fragment>
        ))}
    </dl>
  );
}

/** A labelled search box that filters a list on the server, applied when it changes (Enter or leaving it). */
export function FilterInput(props: {
  id: string;
  label: string;
  value: string;
  placeholder?: string;
  onChange: (value: string) => void;
}) {
  return (
    <div class="search">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="search"
        placeholder={props.placeholder}
        value={props.value}
        onChange={(event) => props.onChange((event.target as HTMLInputElement).value)}
      />
    </div>
  );
}

/** The row of an empty table. */
export function EmptyRow(props: { colSpan: number }) {
  const { t } = useConsole();
  return (
    <tr>
      <td colSpan={props.colSpan} class="muted">
        {t('common.none')}
      </td>
    </tr>
  );
}

/** A labelled choice of one of `options`. */
export function Choice(props: {
  id: string;
  label: string;
  value: string;
  options: readonly { value: string; label: string; lang?: string }[];
  onChange: (value: string) => void;
}) {
  return (
    <div class="setting">
      <label for={props.id}>{props.label}</label>
      <select
        id={props.id}
        value={props.value}
        onChange={(event) => props.onChange((event.target as HTMLSelectElement).value)}
      >
        {props.options.map((option) => (
          <option key={option.value} value={option.value} lang={option.lang}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}
