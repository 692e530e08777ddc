/** Run results on disk, metrics and reports. */
export * from './types.js';
export { MetricsCollector, type MetricsCollectorOptions } from './metrics.js';
export { LatencyHistogram } from './histogram.js';
export * from './run-folder.js';
export { junitXml, junitXmlString, writeJunitFile, testcaseXml, xmlText, xmlAttr, type JunitOptions, type WriteJunitOptions } from './junit.js';
export { formatSummary, formatProgress, formatMetric, formatGateValue, type SummaryOptions } from './summary.js';
export { failureBrief, failureMessage, firstDiffPath, describeDiff } from './describe.js';
export { RunSummarySchema, MetricsSchema, GateResultSchema, parseRunSummary } from './schema.js';
export { jsonLines, type JsonLine } from './lines.js';
export { redactHeaders, redactJsonPaths, redactJsonText, redactUrl, isSecretHeader } from '../redact.js';
// Webview/report rendering data (issue 6): the response diff and the report screen's data / HTML file.
export { buildResponseDiff, normaliseResponse, normalisedText, shortValue, DEFAULT_LINE_LIMIT, type DiffInputSide, type ResponseDiffOptions, type DiffMeta, type NormalisedDocument } from './diff.js';
export { resultRow, readReportInit, readReportData, readBaselineSummary, countUnmatched, renderReportHtml, writeReportHtml, readReportAssets, scriptSafeJson, type ReportData, type ReportAssets } from './html.js';
