declare module 'reprise-worker:editor' {
  const source: string;
  export default source;
}
declare module 'reprise-worker:json' {
  const source: string;
  export default source;
}
declare module 'monaco-editor/language/json/monaco.contribution.js' {
  export const jsonDefaults: {
    setDiagnosticsOptions(o: {
      validate?: boolean;
      allowComments?: boolean;
      enableSchemaRequest?: boolean;
      schemas?: { uri: string; fileMatch?: string[]; schema?: unknown }[];
    }): void;
  };
}
