/** The part of js-yaml 3 that `src/articles/yaml.ts` uses; js-yaml 3 ships no type declarations. */
declare module 'js-yaml' {
  interface YamlType {
    tag: string;
  }
  interface YamlSchema {
    implicit: YamlType[];
    explicit: YamlType[];
  }
  const yaml: {
    Schema: new (definition: { include: YamlSchema[]; implicit: YamlType[]; explicit: YamlType[] }) => YamlSchema;
    CORE_SCHEMA: YamlSchema;
    DEFAULT_SAFE_SCHEMA: YamlSchema;
    safeLoad(text: string, options: { schema: YamlSchema }): unknown;
  };
  export default yaml;
}
