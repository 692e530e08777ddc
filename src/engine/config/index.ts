export type { RepriseConfig, MockServiceConfig, ReplayConfig, ValidateConfig, ConfigIssue } from './types.js';
export {
  RawConfigSchema,
  MockSchema,
  ReplaySchema,
  ValidateSchema,
  QualityGatesSchema,
  resolveConfig,
  schemaAt,
  keysAt,
  describeKey,
  DEFAULTS,
  TOP_LEVEL_KEYS,
  type RawConfig,
  type RawMock,
} from './schema.js';
export { loadConfig, parseConfigText, configFromObject, CONFIG_FILE_NAMES, type ConfigResult } from './load.js';
export { formatIssue, keyPath, ISSUE_CODES, type IssueCode } from './issues.js';
export { parseDuration, parseDurationOrNull, isDuration, DURATION_HELP } from './duration.js';
export { didYouMean, editDistance } from './suggest.js';
export { configJsonSchema, CONFIG_SCHEMA_ID } from './json-schema.js';
