/**
 * The stub draft editor: monaco with the JSON language, validated against the stub file's JSON Schema.
 * Monaco's workers are bundled into this script as text and started from blob: URLs (the CSP allows
 * `worker-src blob:` and nothing else for workers).
 */
import './style-nonce.js';
import * as monaco from 'monaco-editor/editor/editor.api.js';
import { jsonDefaults } from 'monaco-editor/language/json/monaco.contribution.js';
// Replaced at build time by the worker bundles' source text (see webview-ui/build.mjs).
import editorWorkerSource from 'reprise-worker:editor';
import jsonWorkerSource from 'reprise-worker:json';

const urls = new Map<string, string>();
function workerUrl(kind: 'editor' | 'json'): string {
  let u = urls.get(kind);
  if (!u) {
    u = URL.createObjectURL(new Blob([kind === 'json' ? jsonWorkerSource : editorWorkerSource], { type: 'text/javascript' }));
    urls.set(kind, u);
  }
  return u;
}

(self as unknown as { MonacoEnvironment: monaco.Environment }).MonacoEnvironment = {
  getWorker(_id: string, label: string) {
    return new Worker(workerUrl(label === 'json' ? 'json' : 'editor'), { name: label });
  },
};

export const SCHEMA_URI = 'https://reprise.dev/schemas/stub.json';
const MODEL_URI = monaco.Uri.parse('inmemory://reprise/stub-draft.json');

export interface StubEditor {
  getText(): string;
  setText(text: string): void;
  /** Problems monaco found (schema and syntax), as `line:col message`. */
  problems(): string[];
  dispose(): void;
}

export function createStubEditor(container: HTMLElement, text: string, schema: Record<string, unknown>): StubEditor {
  jsonDefaults.setDiagnosticsOptions({
    validate: true,
    allowComments: false,
    enableSchemaRequest: false,
    schemas: [{ uri: SCHEMA_URI, fileMatch: [MODEL_URI.toString()], schema }],
  });
  monaco.editor.getModel(MODEL_URI)?.dispose();
  const model = monaco.editor.createModel(text, 'json', MODEL_URI);
  const dark = document.body.classList.contains('vscode-dark') || document.body.classList.contains('vscode-high-contrast');
  const editor = monaco.editor.create(container, {
    model,
    theme: dark ? 'vs-dark' : 'vs',
    automaticLayout: true,
    minimap: { enabled: false },
    scrollBeyondLastLine: false,
    fontSize: 13,
    tabSize: 2,
  });
  return {
    getText: () => model.getValue(),
    setText: (t) => model.setValue(t),
    problems: () =>
      monaco.editor
        .getModelMarkers({ resource: MODEL_URI })
        .filter((m) => m.severity >= monaco.MarkerSeverity.Warning)
        .map((m) => `${m.startLineNumber}:${m.startColumn} ${m.message}`),
    dispose: () => {
      editor.dispose();
      model.dispose();
    },
  };
}
