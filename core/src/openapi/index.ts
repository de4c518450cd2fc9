export {
  COMPONENTS_ID,
  endpointsOf,
  xroadEndpointPath,
  type MediaTypeSchemas,
  type OperationParameter,
  type OperationSchema,
  type ParameterLocation,
  type ServiceApi,
  type ServiceEndpoint,
  type ServiceOperation,
} from './service-api';
export {
  MAX_OPENAPI_BYTES,
  MAX_OPENAPI_OPERATIONS,
  assertPlainDocument,
  parseOpenApiText,
  readServiceApi,
  templateNames,
} from './read-openapi';
export {
  EndpointMatcher,
  endpointMatcherOf,
  type EndpointMatch,
  type MatchOutcome,
} from './endpoint-matcher';
export { CompiledServiceApi, type OperationAnswer, type OperationRequest } from './compile-service-api';
