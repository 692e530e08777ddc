/** One line of results.jsonl: defined by the result contract (src/shared/results.ts). */
export type { RequestResult, ActualResponse } from '../../shared/results.js';
