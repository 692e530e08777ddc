/** The traffic store's public surface: model, reading, writing, detection, index/browse, importers, exporters. */
export * from './model.js';
export { endpointKey, templatePath, isIdSegment } from './endpoint.js';
export { readPairs, readLocated, type ReadOptions } from './read.js';
export { JsonlWriter, importJsonl } from './jsonl.js';
export { detectFormat, detectFormatFromHead, type TrafficFormat } from './detect.js';
export {
  indexSources,
  listPairs,
  getPair,
  summarize,
  type StoreIndex,
  type SessionStat,
  type EndpointStat,
  type PairSummary,
  type ListOptions,
  type IndexOptions,
} from './index-store.js';
export type { LocatedPair, ImportOptions } from './importers/types.js';
export { importHar } from './importers/har.js';
export { importProxymockJsonl } from './importers/proxymock-jsonl.js';
export { importRrpairMd, splitHeaderValue } from './importers/rrpair-md.js';
export { importGor, GOR_SEPARATOR } from './importers/gor.js';
export { importKeploy, noiseToIgnore } from './importers/keploy.js';
export { exportHar, pairToHarEntry, type HarExportOptions } from './exporters/har.js';
export { exportRrpairMd, pairToRrpairMd, rrpairHostDir } from './exporters/rrpair-md.js';
export { importWireMockPairs, wiremockRootOf, type WireMockPairOptions } from './importers/wiremock.js';
export { exportWireMock, type WireMockExportOptions, type WireMockExportResult, type WireMockExportRoot } from './exporters/wiremock.js';
export { redactPair, exportBody, type ExportOptions } from './exporters/common.js';
export { PgConversationSchema, type PgConversation, type PgExchange, type PgRecordedMessage } from './postgres/model.js';
export { readPgConversations, hasPgConversations, appendConversations } from './postgres/read.js';
