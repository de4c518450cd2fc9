/** An error answer of the gateway's API: its typed error, as the API gives it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** `Client.Forbidden`, `Client.SchemaViolation`… */
    readonly type: string,
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The error of an answer whose body is (or should be) `{type, message, detail}`. */
export function apiErrorOf(status: number, body: unknown): ApiError {
  const error = body as { type?: unknown; message?: unknown; detail?: unknown } | null;
  if (error !== null && typeof error === 'object' && typeof error.type === 'string') {
    return new ApiError(
      status,
      error.type,
      typeof error.message === 'string' ? error.message : '',
      error.detail,
    );
  }
  return new ApiError(status, `HTTP ${status}`, typeof body === 'string' ? body.slice(0, 300) : '');
}

/**
 * The schema violations of an error, by the form field they name: the first
 * segment of each JSON pointer (`/address` → `address`); those naming no
 * field go under `''`, shown above the form.
 */
export function fieldErrorsOf(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const errors = (error.detail as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors)) return {};
  const byField: Record<string, string> = {};
  for (const item of errors as { pointer?: unknown; message?: unknown }[]) {
    if (typeof item?.pointer !== 'string' || typeof item.message !== 'string') continue;
    const field = item.pointer.split('/')[1]?.replace(/~1/g, '/').replace(/~0/g, '~') ?? '';
    byField[field] = byField[field] === undefined ? item.message : `${byField[field]}; ${item.message}`;
  }
  return byField;
}
