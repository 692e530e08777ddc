/**
 * Language features for reprise.yaml and *.reprise.yaml (on the built-in `yaml` language, no other
 * extension needed): completion, hover, diagnostics as you type, quick fixes and CodeLens.
 *
 * Activation stays light: this file registers the providers and listeners only (it is in the extension
 * bundle, which loads whenever any YAML file opens); their implementation (services.ts: schema, YAML
 * parser, store readers) is its own bundle, dist/language.js, loaded the first time a config is opened or a
 * provider is asked.
 */
import * as vscode from 'vscode';
import { CONFIG_SELECTOR } from './documents.js';
import { LazyBundle } from '../lazy-bundle.js';
import type * as LanguageBundle from './services.js';
import type { LanguageServices } from './services.js';

const RUN_REPLAY_COMMAND = 'reprise.language.runReplay';
const CREATE_PATH_COMMAND = 'reprise.language.createPath';

export interface LanguageFeatures {
  /** Validates a config document now (tests; also used after files are created). */
  validate(doc: vscode.TextDocument): Promise<void>;
  /** dist/language.js: loaded on first use. */
  readonly bundle: LazyBundle<typeof LanguageBundle>;
}

export function registerLanguageFeatures(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): LanguageFeatures {
  const bundle = new LazyBundle<typeof LanguageBundle>(context.extensionPath, 'language.js', (file, ms) =>
    log.info(`language features loaded from ${file} in ${ms.toFixed(1)} ms`),
  );
  let loading: Promise<LanguageServices> | undefined;
  const services = (): Promise<LanguageServices> => {
    // async: a failed load rejects the provider call instead of throwing in a listener
    loading ??= Promise.resolve().then(() => {
      const s = bundle.get().createServices(log);
      context.subscriptions.push(s);
      return s;
    });
    return loading;
  };
  const selector: vscode.DocumentSelector = CONFIG_SELECTOR.map((s) => ({ ...s }));
  const isConfig = (doc: vscode.TextDocument) => vscode.languages.match(selector, doc) > 0;

  const onOpen = (doc: vscode.TextDocument) => {
    if (isConfig(doc)) void services().then((s) => s.diagnostics.schedule(doc, 0));
  };

  context.subscriptions.push(
    vscode.languages.registerCompletionItemProvider(
      selector,
      { provideCompletionItems: async (...a) => (await services()).completion.provideCompletionItems(...a) },
      ' ', ':', '-', '.', '$', '"', "'", '[',
    ),
    vscode.languages.registerHoverProvider(selector, { provideHover: async (doc, pos) => (await services()).hover.provideHover(doc, pos) }),
    vscode.languages.registerCodeActionsProvider(
      selector,
      { provideCodeActions: async (doc, range, ctx) => (await services()).codeActions.provideCodeActions(doc, range, ctx) },
      { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
    ),
    vscode.languages.registerCodeLensProvider(selector, {
      provideCodeLenses: async (doc) => (await services()).codeLens.provideCodeLenses(doc),
      resolveCodeLens: async (lens) => (await services()).codeLens.resolveCodeLens(lens),
    }),
    vscode.workspace.onDidOpenTextDocument(onOpen),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length && isConfig(e.document)) void services().then((s) => s.diagnostics.schedule(e.document));
    }),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      if (loading && isConfig(doc)) void loading.then((s) => s.diagnostics.forget(doc));
    }),
    vscode.commands.registerCommand(RUN_REPLAY_COMMAND, async (uri?: vscode.Uri) => {
      const target = uri ?? vscode.window.activeTextEditor?.document.uri;
      if (!target) return;
      await (await services()).runReplay(target, context.extensionPath);
    }),
    vscode.commands.registerCommand(CREATE_PATH_COMMAND, async (target: vscode.Uri, kind: 'file' | 'dir') => {
      await (await services()).createPath(target, kind);
    }),
  );

  // configs already open when the extension activated: checked once activation has returned
  const open = vscode.workspace.textDocuments.filter(isConfig);
  if (open.length) setTimeout(() => open.forEach(onOpen), 0);

  return {
    async validate(doc) {
      await (await services()).diagnostics.validate(doc);
    },
    bundle,
  };
}
