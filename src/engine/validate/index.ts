/** Response validation: compare live responses with recorded ones; JSONPath helpers; noise. */
export type { DiffKind, FieldDiff, Validation, ValidateOptions } from './types.js';
export {
  validateResponse,
  compileValidateOptions,
  contentTypesMatch,
  parseContentType,
  type ActualResponse,
  type CompiledValidateOptions,
} from './compare.js';
export {
  formatPath,
  formatSegment,
  parsePath,
  generalisePath,
  compilePattern,
  pathMatches,
  checkPatterns,
  isHeaderPattern,
  JsonPathError,
  type PathSegment,
  type CompiledPattern,
} from './jsonpath.js';
export {
  learnNoise,
  applyNoise,
  mergeNoiseModels,
  emptyNoiseModel,
  noiseFilePath,
  saveNoiseModel,
  loadNoiseModel,
  NoiseModelSchema,
  type NoiseModel,
  type NoiseSample,
  type LearnNoiseOptions,
} from './noise.js';
export * from './shapes.js';
