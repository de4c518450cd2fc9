import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Router, type RequestHandler } from 'express';
import {
  CompiledServiceApi,
  isOrtooError,
  parseOpenApiText,
  readServiceApi,
  type HttpMethod,
} from '../../../core/src';
import { RECORDS_SERVICE, repoPath, type Person } from '../demo-data';
import { sendProblem } from './problem';

/** One registered address of a citizen, since `from` (and until `to`, null while it is current). */
export interface RegisteredAddress {
  readonly address: Person['address'];
  readonly from: string;
  readonly to: string | null;
}

/** What `POST /certificates` issues. */
export interface Certificate {
  readonly certificateNumber: string;
  readonly registerNumber: string;
  readonly kind: 'birth' | 'residence';
  readonly issuedOn: string;
  readonly purpose?: string;
}

/** The civil registry's REST API, compiled from its OpenAPI document: the backend checks what the exchange checks. */
function compiledApi(): CompiledServiceApi {
  const { description } = RECORDS_SERVICE;
  if (description.kind !== 'openapi') throw new Error(`${RECORDS_SERVICE.id} is not described by OpenAPI`);
  return new CompiledServiceApi(
    readServiceApi(parseOpenApiText(readFileSync(repoPath(description.document), 'utf8'))),
  );
}

/**
 * Refuses, as a problem body, a request that the API's document refuses:
 * 404 or 405 for a path or method of no operation, 415 for an undeclared
 * media type, 400 naming the parameter or body field that breaks its schema.
 */
function checkByDocument(api: CompiledServiceApi): RequestHandler {
  return (req, res, next) => {
    const contentType = req.get('content-type');
    const headers = Object.fromEntries(
      Object.entries(req.headers).flatMap(([name, value]) =>
        typeof value === 'string' ? [[name, value]] : [],
      ),
    );
    try {
      api.checkRequest({
        method: req.method as HttpMethod,
        // The path as sent: mounted, `req.path` would lose its prefix.
        path: req.originalUrl.split('?')[0] ?? '',
        query: req.originalUrl.split('?')[1] ?? '',
        headers,
        ...(contentType === undefined ? {} : { contentType, body: req.body as never }),
      });
    } catch (error) {
      if (!isOrtooError(error)) throw error;
      const status = error.status;
      if (error.code === 'OperationMethodNotAllowed') {
        res.set('Allow', ((error.detail as { allowed: string[] }).allowed ?? []).join(', '));
      }
      sendProblem(
        res,
        status,
        error.message,
        status === 400 ? { errors: (error.detail as { errors?: unknown }).errors } : {},
      );
      return;
    }
    next();
  };
}

/** A citizen's registered addresses, newest first: the demo registers each at the current one since birth. */
export function addressesOf(person: Person, from?: string): RegisteredAddress[] {
  const addresses: RegisteredAddress[] = [{ address: person.address, from: person.birthDate, to: null }];
  return from === undefined ? addresses : addresses.filter((entry) => entry.from >= from);
}

/** A certificate number: the first 12 hex digits of SHA-256 over the message id, so a retried request gets the same one. */
function certificateNumber(messageId: string): string {
  return createHash('sha256').update(messageId).digest('hex').slice(0, 12).toUpperCase();
}

/**
 * The civil registry's REST API, as `records.openapi.yaml` describes it:
 *
 * - `GET /persons/{registerNumber}` → 200 with the {@link Person}, 404 for
 *   someone it does not know;
 * - `GET /persons/{registerNumber}/addresses?from=YYYY-MM-DD` → 200 with
 *   the {@link RegisteredAddress}es;
 * - `POST /certificates` with `{registerNumber, kind, purpose?}` → 201 with
 *   the {@link Certificate}.
 *
 * Every request is first checked against the document.
 */
export function civilRegistryApi(findPerson: (registerNumber: string) => Person | undefined): Router {
  const router = Router();
  const notFound = (res: Parameters<RequestHandler>[1], registerNumber: string) =>
    sendProblem(res, 404, 'No citizen has this register number', { registerNumber });
  router.use(['/persons', '/certificates'], checkByDocument(compiledApi()));
  router.get('/persons/:registerNumber', (req, res) => {
    const person = findPerson(req.params.registerNumber);
    if (person === undefined) notFound(res, req.params.registerNumber);
    else res.json(person);
  });
  router.get('/persons/:registerNumber/addresses', (req, res) => {
    const person = findPerson(req.params.registerNumber);
    const from = typeof req.query.from === 'string' ? req.query.from : undefined;
    if (person === undefined) notFound(res, req.params.registerNumber);
    else res.json({ registerNumber: person.registerNumber, addresses: addressesOf(person, from) });
  });
  router.post('/certificates', (req, res) => {
    const body = req.body as { registerNumber: string; kind: Certificate['kind']; purpose?: string };
    const person = findPerson(body.registerNumber);
    if (person === undefined) {
      notFound(res, body.registerNumber);
      return;
    }
    const certificate: Certificate = {
      certificateNumber: certificateNumber(req.get('x-road-id') ?? randomUUID()),
      registerNumber: person.registerNumber,
      kind: body.kind,
      issuedOn: new Date().toISOString().slice(0, 10),
      ...(body.purpose === undefined ? {} : { purpose: body.purpose }),
    };
    res.status(201).json(certificate);
  });
  return router;
}
