import { Router, type Express, type Response } from 'express';
import { CITIZENS, PERSON_SERVICE, type Person } from '../demo-data';
import { createBackendApp, methodNotAllowed, validateBody } from './backend-app';
import { civilRegistryApi } from './civil-registry-api';
import { sendProblem } from './problem';
import { requestValidator } from './request-validator';

const PEOPLE: ReadonlyMap<string, Person> = new Map(
  CITIZENS.map((person) => [person.registerNumber, person]),
);

/**
 * The civil registry's record of the citizen with `registerNumber`: the body
 * of `civil-registry/person`, or undefined for someone it does not know.
 */
export function findPerson(registerNumber: string): Person | undefined {
  return PEOPLE.get(registerNumber);
}

function answer(res: Response, registerNumber: string): void {
  const person = findPerson(registerNumber);
  if (person === undefined) {
    sendProblem(res, 404, 'No citizen has this register number', { registerNumber });
    return;
  }
  res.json(person);
}

/**
 * The civil registry's backend (Улсын бүртгэлийн ерөнхий газар), for the
 * service `civil-registry/person`:
 *
 * - `POST /person` with `{ "registerNumber": "УБ99010112" }` → 200 with the
 *   {@link Person}; 404 (problem body naming the number) for someone it
 *   does not know; 400 with the schema's errors for a body that does not
 *   match `person.request.schema.json`.
 * - `GET /person/{registerNumber}`: the same answers, the number in the path.
 *
 * and for `civil-registry/records`, its REST API described by OpenAPI
 * (`/persons/…`, `/certificates`: see `civil-registry-api.ts`).
 */
export function createCivilRegistryBackend(): Express {
  const validate = requestValidator(PERSON_SERVICE);
  const router = Router();
  router.post(PERSON_SERVICE.backendPath, validateBody(validate), (req, res) => {
    answer(res, (req.body as { registerNumber: string }).registerNumber);
  });
  router.all(PERSON_SERVICE.backendPath, methodNotAllowed('POST'));
  router.get(`${PERSON_SERVICE.backendPath}/:registerNumber`, (req, res) => {
    const { registerNumber } = req.params;
    const errors = validate({ registerNumber });
    if (errors.length > 0) {
      sendProblem(res, 400, 'Not a register number: two Cyrillic capital letters, then eight digits');
      return;
    }
    answer(res, registerNumber);
  });
  router.all(`${PERSON_SERVICE.backendPath}/:registerNumber`, methodNotAllowed('GET', 'HEAD'));
  router.use(civilRegistryApi(findPerson));
  return createBackendApp(router);
}
