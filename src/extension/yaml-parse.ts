/**
 * The YAML parser as its own small bundle, dist/yaml.js, for the light read of reprise.yaml that the views
 * need (workspace-config.ts). Kept out of dist/extension.js because that bundle is evaluated whenever any
 * YAML file opens, most of them not Reprise configs.
 */
export { parse } from 'yaml';
