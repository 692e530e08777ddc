/**
 * The webview panels' implementation: the entry of its own bundle, dist/webviews.js, which webviews/index.ts
 * loads the first time a panel opens. It holds the panel hosts, their zod-checked message protocols
 * (src/shared/protocols) and the config/traffic edits, so none of that is evaluated at activation.
 */
export { WebviewServices } from './services.js';
export { ReportPanel } from './report-panel.js';
export { DiffPanel } from './diff-panel.js';
export { UnmatchedPanel } from './unmatched-panel.js';
