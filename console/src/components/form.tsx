import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { fieldErrorsOf } from '../lib/api-error';
import { useConsole } from '../lib/context';
import { ErrorBanner, Field, useAction } from './ui';

/** A field of a {@link Form}. */
export interface FormField {
  /** The body property it fills: the API's errors name it by this. */
  name: string;
  label: string;
  type?: 'text' | 'number' | 'url' | 'file';
  /**
   * What a file field takes: JSON, checked here before it is sent, or a
   * YAML or JSON document that the gateway reads (an OpenAPI document).
   * @defaultValue 'json'
   */
  fileFormat?: 'json' | 'yaml-or-json';
  placeholder?: string;
  required?: boolean;
  hint?: string;
  initial?: string;
}

/**
 * A form whose submit calls the API; the API's schema violations are shown
 * beside the fields they name, any other error above the form. File fields
 * give the chosen file's text.
 */
export function Form(props: {
  title?: string;
  fields: FormField[];
  submitLabel: string;
  onSubmit: (values: Record<string, string>) => Promise<unknown>;
  onDone?: () => void;
  danger?: boolean;
  children?: ComponentChildren;
  id: string;
}) {
  const { t } = useConsole();
  const initial = Object.fromEntries(props.fields.map((field) => [field.name, field.initial ?? '']));
  const [values, setValues] = useState<Record<string, string>>(initial);
  const [fileErrors, setFileErrors] = useState<Record<string, string>>({});
  const action = useAction(async () => {
    await props.onSubmit(values);
    setValues(initial);
    props.onDone?.();
  });
  const errors = { ...fieldErrorsOf(action.error), ...fileErrors };
  const named = new Set(props.fields.map((field) => field.name));
  const unplaced = Object.keys(fieldErrorsOf(action.error)).some((name) => !named.has(name));
  return (
    <form
      class="form"
      aria-label={props.title ?? props.submitLabel}
      id={props.id}
      onSubmit={(event) => {
        event.preventDefault();
        void action.run();
      }}
    >
      {props.title === undefined ? null : <h3>{props.title}</h3>}
      {action.error !== undefined && (unplaced || Object.keys(fieldErrorsOf(action.error)).length === 0) ? (
        <ErrorBanner error={action.error} />
      ) : null}
      <div class="form-fields">
        {props.fields.map((field) =>
          field.type === 'file' ? (
            <Field
              key={field.name}
              label={field.label}
              name={`${props.id}-${field.name}`}
              type="file"
              accept={
                field.fileFormat === 'yaml-or-json'
                  ? '.json,.yaml,.yml,application/json,application/yaml'
                  : '.json,application/json,application/schema+json'
              }
              required={field.required}
              error={errors[field.name]}
              hint={field.hint}
              onChange={(event) => {
                const file = (event.target as HTMLInputElement).files?.[0];
                if (file === undefined) return;
                void file.text().then((text) => {
                  try {
                    if (field.fileFormat !== 'yaml-or-json') JSON.parse(text);
                    setFileErrors(({ [field.name]: _gone, ...rest }) => rest);
                  } catch (cause) {
                    setFileErrors((previous) => ({
                      ...previous,
                      [field.name]: t('field.badFile', {
                        message: cause instanceof Error ? cause.message : '',
                      }),
                    }));
                  }
                  setValues((previous) => ({ ...previous, [field.name]: text }));
                });
              }}
            />
          ) : (
            <Field
              key={field.name}
              label={field.label}
              name={`${props.id}-${field.name}`}
              type={field.type ?? 'text'}
              placeholder={field.placeholder}
              required={field.required}
              hint={field.hint}
              value={values[field.name] ?? ''}
              error={errors[field.name]}
              onInput={(event) => {
                const value = (event.target as HTMLInputElement).value;
                setValues((previous) => ({ ...previous, [field.name]: value }));
              }}
            />
          ),
        )}
      </div>
      {props.children}
      <div class="form-actions">
        <button
          type="submit"
          class={props.danger === true ? 'danger' : undefined}
          disabled={action.busy || Object.keys(fileErrors).length > 0}
        >
          {props.submitLabel}
        </button>
      </div>
    </form>
  );
}
