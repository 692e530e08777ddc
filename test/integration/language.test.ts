/**
 * reprise.yaml language features in the real extension host: diagnostics with ranges and codes,
 * completion at chosen positions, hover, quick fixes applied through workspace.applyEdit, CodeLens counts.
 * The fixture configs (test/fixtures/language) are copied into the scratch workspace first.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateReprise, EXTENSION_ID, workspaceRoot } from './helpers.js';

let dir = '';

async function open(name: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(dir, name)));
  await vscode.window.showTextDocument(doc);
  assert.equal(doc.languageId, 'yaml', `${name} opens as YAML (the features use the built-in language)`);
  return doc;
}

/** Waits until the document's Reprise diagnostics satisfy `ok` (they are computed after a short debounce). */
async function diagnostics(uri: vscode.Uri, ok: (d: vscode.Diagnostic[]) => boolean, what: string): Promise<vscode.Diagnostic[]> {
  const get = () => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'reprise');
  if (ok(get())) return get();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out waiting for diagnostics (${what}); have: ${JSON.stringify(get().map(show))}`));
    }, 15_000);
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (!e.uris.some((u) => u.toString() === uri.toString()) || !ok(get())) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(get());
    });
  });
}

function show(d: vscode.Diagnostic): string {
  const r = d.range;
  return `${String(d.code)} ${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
}

async function completionLabels(doc: vscode.TextDocument, pos: vscode.Position): Promise<string[]> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, pos);
  return list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
}

async function fixesAt(doc: vscode.TextDocument, d: vscode.Diagnostic): Promise<vscode.CodeAction[]> {
  const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>('vscode.executeCodeActionProvider', doc.uri, d.range);
  return actions.filter((a): a is vscode.CodeAction => 'title' in a && 'kind' in a && !!a.kind && vscode.CodeActionKind.QuickFix.contains(a.kind));
}

describe('reprise.yaml language features', () => {
  before(async () => {
    await activateReprise();
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    dir = path.join(workspaceRoot(), 'language-fixture');
    await fs.cp(path.join(ext.extensionPath, 'test/fixtures/language'), dir, { recursive: true });
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await fs.rm(dir, { recursive: true, force: true }); // leave the workspace as the other suites expect it
  });

  it('diagnoses a broken config with precise ranges and stable codes', async () => {
    const doc = await open('broken.reprise.yaml');
    const ds = await diagnostics(doc.uri, (d) => d.length >= 4, 'four problems');
    const api = await activateReprise();
    assert.equal(api.bundles.language.isLoaded, true, 'opening a config loaded dist/language.js');
    console.log(`    dist/language.js loaded on first use in ${api.bundles.language.loadMs?.toFixed(1)} ms`);
    assert.deepEqual(ds.map(show), [
      'missing-file 3:4-3:23',
      'duplicate-port 8:10-8:15',
      'unknown-key 10:2-10:12',
      'bad-gate 12:20-12:29',
    ]);
    assert.match(ds[2].message, /unknown key `concurency` in replay: did you mean `concurrency`\?/);
    assert.match(ds[0].message, /traffic source not found: \.\/trafic\/more\.jsonl/);
    assert.equal(ds[3].severity, vscode.DiagnosticSeverity.Error);
  });

  it('quick fixes: rename to the suggested key, change a clashing port, create the missing file', async () => {
    const doc = await open('broken.reprise.yaml');
    let ds = await diagnostics(doc.uri, (d) => d.some((x) => x.code === 'unknown-key'), 'unknown key');

    const rename = (await fixesAt(doc, ds.find((d) => d.code === 'unknown-key')!)).find((a) => a.title === 'Rename to `concurrency`');
    assert.ok(rename?.edit, 'a rename fix with an edit');
    assert.equal(rename.isPreferred, true);
    assert.equal(await vscode.workspace.applyEdit(rename.edit), true);
    assert.equal(doc.lineAt(10).text, '  concurrency: 2');

    ds = await diagnostics(doc.uri, (d) => !d.some((x) => x.code === 'unknown-key'), 'unknown key fixed');
    const port = (await fixesAt(doc, ds.find((d) => d.code === 'duplicate-port')!)).find((a) => /^Change port to/.test(a.title));
    assert.equal(port?.title, 'Change port to 18082');
    assert.equal(await vscode.workspace.applyEdit(port!.edit!), true);
    assert.equal(doc.lineAt(8).text, '    port: 18082');

    ds = await diagnostics(doc.uri, (d) => !d.some((x) => x.code === 'duplicate-port'), 'port fixed');
    const create = (await fixesAt(doc, ds.find((d) => d.code === 'missing-file')!)).find((a) => a.title === 'Create empty file ./trafic/more.jsonl');
    assert.ok(create?.command, 'a create fix runs a command');
    await vscode.commands.executeCommand(create.command.command, ...(create.command.arguments ?? []));
    assert.ok((await fs.stat(path.join(dir, 'trafic', 'more.jsonl'))).isFile());
    ds = await diagnostics(doc.uri, (d) => d.map((x) => x.code).join() === 'bad-gate', 'only the gate left');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('completes keys, enum values, gate expressions and recorded JSONPaths at the cursor', async () => {
    const text = [
      'target: http://127.0.0.1:18080', //  0
      'traffic: ./traffic/inbound.jsonl', // 1
      'replay:', //                          2
      '  concurrency: 2', //                 3
      '  ', //                               4  ← replay keys
      'mocks:', //                           5
      '  - service: payment-api', //         6
      '    port: 18081', //                  7
      '    sequence: ', //                   8  ← stay / cycle
      '  - ', //                             9  ← keys of a new mock, the mock snippet
      'validate:', //                       10
      '  ignore:', //                       11
      '    - $.', //                        12  ← JSONPaths from the recorded responses
      '  tolerances:', //                   13
      '    ', //                            14  ← numeric JSONPaths
      'quality_gates:', //                  15
      '  status_pass_rate: ', //            16  ← expressions
      '  ', //                              17  ← gate names, the gate snippet
      '', //                                18  ← top-level keys
    ].join('\n');
    await fs.writeFile(path.join(dir, 'complete.reprise.yaml'), text);
    const doc = await open('complete.reprise.yaml');

    const replay = await completionLabels(doc, new vscode.Position(4, 2));
    for (const k of ['timeout', 'time_scale', 'max_delay', 'capture']) assert.ok(replay.includes(k), `replay key ${k} in ${replay}`);
    assert.ok(!replay.includes('concurrency'), 'a key already present is not offered');
    assert.ok(!replay.includes('service'), 'mock keys are not offered in replay');

    const seq = await completionLabels(doc, new vscode.Position(8, 14));
    assert.ok(seq.includes('stay') && seq.includes('cycle'), `sequence values: ${seq}`);

    const mock = await completionLabels(doc, new vscode.Position(9, 4));
    for (const k of ['service', 'port', 'env', 'mock']) assert.ok(mock.includes(k), `new mock item ${k}: ${mock}`);

    const paths = await completionLabels(doc, new vscode.Position(12, 8));
    for (const p of ['$.orders[*].id', '$.total', '$.items[*].sku', '$.createdAt', 'header.x-request-id']) {
      assert.ok(paths.includes(p), `${p} offered from the recorded responses: ${paths}`);
    }

    const tol = await completionLabels(doc, new vscode.Position(14, 4));
    assert.ok(tol.includes('$.total') && tol.includes('$.orders[*].total'), `numeric paths: ${tol}`);
    assert.ok(!tol.includes('$.createdAt'), 'a string field gets no tolerance');

    const expr = await completionLabels(doc, new vscode.Position(16, 20));
    assert.ok(expr.includes('>= 0.99'), `gate expressions: ${expr}`);

    const gates = await completionLabels(doc, new vscode.Position(17, 2));
    for (const k of ['unmatched_requests', 'latency_p95_delta', 'gate']) assert.ok(gates.includes(k), `gate ${k}: ${gates}`);
    assert.ok(!gates.includes('status_pass_rate'), 'a gate already set is not offered');

    const top = await completionLabels(doc, new vscode.Position(18, 0));
    for (const k of ['baseline', 'runs_dir']) assert.ok(top.includes(k), `top-level ${k}: ${top}`);
    for (const k of ['replay', 'mock', 'gate']) assert.ok(!top.includes(k), `${k}: its section is already there`);
  });

  it('inserts a key with its value snippet through the completion item', async () => {
    const doc = await open('complete.reprise.yaml');
    const editor = await vscode.window.showTextDocument(doc);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(4, 2));
    const timeout = list.items.find((i) => i.label === 'timeout')!;
    assert.ok(timeout.insertText instanceof vscode.SnippetString, 'a snippet');
    assert.equal(timeout.insertText.value, 'timeout: ${1:10s}');
    assert.equal(await editor.insertSnippet(timeout.insertText, new vscode.Position(4, 2)), true);
    assert.equal(doc.lineAt(4).text, '  timeout: 10s');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('shows hover docs for keys and explains gate expressions', async () => {
    const doc = await open('ok.reprise.yaml');
    const line = doc.getText().split('\n').findIndex((l) => l.includes('concurrency'));
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(line, 4));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /replay\.concurrency/);
    assert.match(text, /Requests in flight at once/);

    const gateLine = doc.getText().split('\n').findIndex((l) => l.includes('status_pass_rate'));
    const gh = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(gateLine, 25));
    assert.match(gh.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n'), /must be at least 99%/);
  });

  it('shows CodeLens counts above traffic: and mocks:, and Run replay at the top', async () => {
    const doc = await open('ok.reprise.yaml');
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 10);
    // executeCodeLensProvider lists lenses that needed resolving in the order their resolves finished (the
    // traffic and mocks counts read different files concurrently), so order by position before comparing.
    lenses.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
    const titles = lenses.map((l) => `${l.range.start.line}: ${l.command?.title}`);
    assert.deepEqual(titles, ['1: $(play) Run replay', '2: 1 source · 2 sessions · 3 pairs', '4: 1 mock · 2 recorded calls']);
    assert.equal(lenses[0].command?.command, 'reprise.language.runReplay');
  });

  it('updates diagnostics on every change: an error appears and goes away', async () => {
    const doc = await open('ok.reprise.yaml');
    const editor = await vscode.window.showTextDocument(doc);
    await editor.edit((e) => e.insert(new vscode.Position(doc.lineCount - 1, 0), 'baseline_run: previous\n'));
    const ds = await diagnostics(doc.uri, (d) => d.some((x) => x.code === 'unknown-key'), 'unknown key typed');
    assert.match(ds[0].message, /did you mean `baseline`\?/);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await diagnostics(doc.uri, (d) => d.length === 0, 'no problems after the revert');
  });
});
