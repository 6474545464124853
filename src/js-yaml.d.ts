/** The part of js-yaml (4.x, which ships no types) the config loader uses. */
declare module 'js-yaml' {
  /** YAML 1.2's core schema: strings, numbers, booleans and null, as the `yaml` package reads them. */
  export const CORE_SCHEMA: unknown;
  export function load(text: string, options?: { readonly schema?: unknown; readonly filename?: string }): unknown;
}
