/**
 * Small, comment-preserving edits of reprise.yaml made from the diff screen: add a path to
 * `validate.ignore`, set `validate.tolerances[path]`. Works on the YAML document (the `yaml` package keeps
 * comments, order and style), so the rest of the file is untouched. No `vscode` import: unit-tested as is.
 */
import { promises as fsp } from 'node:fs';
import { isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';

export interface EditResult {
  text: string;
  changed: boolean;
}

function parse(text: string, file: string): Document {
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length) throw new Error(`${file}: cannot edit, the YAML has errors: ${doc.errors[0].message}`);
  if (doc.contents !== null && !isMap(doc.contents)) throw new Error(`${file}: the top level is not a mapping`);
  const v = doc.get('validate', true);
  if (v !== undefined && v !== null && !isMap(v) && !(isScalar(v) && v.value === null)) throw new Error(`${file}: 'validate' is not a mapping`);
  return doc;
}

/** Add `path` to validate.ignore (created when absent). Unchanged when it is already listed. */
export function addIgnoreText(text: string, path: string, file = 'reprise.yaml'): EditResult {
  const doc = parse(text, file);
  const node = doc.getIn(['validate', 'ignore'], true);
  if (node === undefined || node === null || (isScalar(node) && node.value === null)) {
    doc.setIn(['validate', 'ignore'], doc.createNode([path]));
  } else if (isSeq(node)) {
    if (node.items.some((i) => (isScalar(i) ? i.value : i) === path)) return { text, changed: false };
    node.add(doc.createNode(path));
  } else if (isScalar(node) && typeof node.value === 'string') {
    if (node.value === path) return { text, changed: false };
    doc.setIn(['validate', 'ignore'], doc.createNode([node.value, path]));
  } else {
    throw new Error(`${file}: validate.ignore is not a list`);
  }
  return { text: doc.toString(), changed: true };
}

/** Set validate.tolerances[path] = tolerance (created when absent; an existing entry is replaced). */
export function setToleranceText(text: string, path: string, tolerance: number, file = 'reprise.yaml'): EditResult {
  if (!Number.isFinite(tolerance) || tolerance < 0) throw new Error(`tolerance must be a number ≥ 0, got ${tolerance}`);
  const doc = parse(text, file);
  const node = doc.getIn(['validate', 'tolerances'], true);
  if (node !== undefined && node !== null && !isMap(node) && !(isScalar(node) && node.value === null)) {
    throw new Error(`${file}: validate.tolerances is not a mapping`);
  }
  if (node === undefined || node === null || isScalar(node)) {
    doc.setIn(['validate', 'tolerances'], doc.createNode({ [path]: tolerance }));
  } else {
    if (node.get(path) === tolerance) return { text, changed: false };
    node.set(path, tolerance);
  }
  return { text: doc.toString(), changed: true };
}

async function editFile(file: string, edit: (text: string) => EditResult): Promise<boolean> {
  const text = await fsp.readFile(file, 'utf8');
  const r = edit(text);
  if (r.changed) await fsp.writeFile(file, r.text, 'utf8');
  return r.changed;
}

export function addIgnore(file: string, path: string): Promise<boolean> {
  return editFile(file, (t) => addIgnoreText(t, path, file));
}

export function setTolerance(file: string, path: string, tolerance: number): Promise<boolean> {
  return editFile(file, (t) => setToleranceText(t, path, tolerance, file));
}
