/** Recording new traffic locally: the inbound reverse proxy and outbound forward proxy writing the native store. */
export { startRecorder, type Recorder, type RecorderOptions, type RecorderStats, type RecordKind } from './recorder.js';
export { SessionTracker, cookieValue, traceIdOf, type SessionSource, type OutboundLink } from './sessions.js';
export { decodeContent, recordBody, BodyTap, type RecordedBody } from './body.js';
