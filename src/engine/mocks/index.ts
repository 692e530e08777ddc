/** Mock servers for the service's dependencies: the public surface of src/engine/mocks. */
export type { UnmatchedCall, NearStub, MatcherFailure, MockStats } from './types.js';
export {
  StubDefinitionSchema,
  RequestMatcherSchema,
  StubResponseSchema,
  BodyMatcherSchema,
  StringMatcherSchema,
  stubJsonSchema,
  summarizeRequest,
  type StubDefinition,
  type RequestMatcherDef,
  type StubResponse,
  type BodyMatcher,
  type StringMatcher,
  type JsonPathCondition,
} from './stub.js';
export { MockRequest, normalizePath } from './request.js';
export { compileRequestMatcher, explainRequest, type Matcher, type CompiledRequestMatcher } from './matchers.js';
export { compileStubs, type CompiledStub } from './compiled-stub.js';
export { StubIndex } from './stub-index.js';
export { findNearest } from './nearest.js';
export { stubsFromTraffic, requestMatcherFor, type FromTrafficResult } from './from-traffic.js';
export { parseStubFile, loadStubDir } from './stub-files.js';
export { MockServer, redactHeaders, RESET_PATH, type MockServerOptions, type MockCallEvent } from './server.js';
export { PgMockServer, UNMATCHED_SQLSTATE } from './postgres/server.js';
export { startMocks, loadServiceStubs, sessionMode, type AnyMockServer, type MockManager, type StartMocksOptions, type SessionIsolation, type SessionMode } from './manager.js';
export { draftStubFromUnmatched, saveStub, type PromoteMode } from './promote.js';
export { importWireMock, mappingToStub, toWireMockMappings } from './wiremock.js';
