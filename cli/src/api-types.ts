/**
 * The admin API's representations, as the CLI reads them: the types
 * generated from the gateway's OpenAPI document (`generated/admin-api.ts`,
 * made by `npm install`), so the CLI cannot drift from the API.
 */
import type { components, operations } from '../../generated/admin-api';

type Schemas = components['schemas'];

/** The JSON body of operation `O`'s answer with status `S`. */
export type ResponseBody<
  O extends keyof operations,
  S extends keyof operations[O]['responses'],
> = operations[O]['responses'][S] extends { content: { 'application/json': infer B } } ? B : never;

/** A member organisation. */
export type Member = Schemas['Member'];
/** A member's subsystem: a client or provider of services. */
export type Subsystem = Schemas['Subsystem'];
/** A member's security server. */
export type SecurityServer = Schemas['SecurityServer'];
/** A global group of subsystems, which access rights can name. */
export type Group = Schemas['Group'];
/** One version of a service. */
export type Service = Schemas['Service'];
/** The right of a client subsystem, or of a group's members, to call a service. */
export type AccessRight = Schemas['AccessRight'];
/** An API token as listed (never the token itself). */
export type ApiToken = Schemas['ApiToken'];
/** A new API token: the token is shown this once. */
export type CreatedApiToken = ResponseBody<'createApiToken', 201>;
/** A one-time token a security server registers with. */
export type RegistrationToken = ResponseBody<'createRegistrationToken', 201>;
/** A security server's request to be registered. */
export type Registration = Schemas['Registration'];
/** A certificate the instance CA issued. */
export type Certificate = Schemas['Certificate'];
