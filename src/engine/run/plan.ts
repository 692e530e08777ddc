/**
 * The session plan: how a run keeps replay sessions apart in the mocks, decided once from the config and
 * handed to both sides — the mocks get it when they start (`startMocks({ sessions: plan })`), the replay
 * gets the session header in its config and the hooks that tell the mocks where a session starts and which
 * session is in flight. Nothing is asked back from the mocks.
 *
 *   off     sequences run across the whole run (replay.isolate_sessions unset)
 *   header  the replay adds `session_header` to each request and the service forwards it: the mocks keep
 *           state per header value, at any concurrency
 *   serial  concurrency 1: before each request the mocks are told its session
 *   shared  isolation asked for but impossible (parallel sessions, no header): nothing is reset, a warning
 */
import type { RepriseConfig, ReplayConfig } from '../config/types.js';
import { sessionMode, type MockManager, type SessionIsolation, type SessionMode } from '../mocks/index.js';
import type { ReplayOptions } from '../replay/index.js';

export interface SessionPlan extends SessionIsolation {
  mode: SessionMode;
}

/** The session plan of a config (replay.isolate_sessions, replay.concurrency, replay.session_header). */
export function sessionPlan(config: Pick<RepriseConfig, 'replay'>): SessionPlan {
  const isolation: SessionIsolation = {
    isolate: config.replay.isolate_sessions ?? false,
    concurrency: config.replay.concurrency,
    header: config.replay.session_header,
  };
  return { ...isolation, mode: sessionMode(isolation) };
}

/** The replay configuration under the plan: with a session header, every request carries its session. */
export function replayConfigFor(config: Pick<RepriseConfig, 'replay'>): ReplayConfig {
  const r = config.replay;
  return r.session_header ? { ...r, headers: { [r.session_header]: '{{session}}', ...r.headers } } : r;
}

/** The replay's session hooks for the mocks under the plan (none without mocks or isolation). */
export function sessionHooks(plan: SessionPlan, mocks: MockManager | undefined): Pick<ReplayOptions, 'onSessionStart' | 'beforeRequest'> {
  if (!mocks || plan.mode === 'off') return {};
  return {
    onSessionStart: (session) => mocks.sessionStart(session),
    ...(plan.mode === 'serial' ? { beforeRequest: (session: string) => mocks.sessionActive(session) } : {}),
  };
}
