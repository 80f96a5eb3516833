/**
 * The YAML reader of front matter: gray-matter's own js-yaml, with timestamps left as text.
 *
 * js-yaml turns an unquoted `date: 2026-02-30` into a Date with `Date.UTC`, which rolls the impossible
 * day over to 2 March: once the Date exists, the mistake cannot be seen. Kept as text, every date is
 * read by `readDate`, which checks the calendar (and a `title: 2024-05-01` stays a title).
 */
// js-yaml is gray-matter's own dependency (3.x, hoisted beside it), so nothing parses YAML differently
// from before but timestamps. Imported statically so that esbuild bundles it into the loader threads.
import yaml from 'js-yaml';

// gray-matter's default (js-yaml's DEFAULT_SAFE_SCHEMA: merge keys, !!binary, !!set…) but timestamps.
const TIMESTAMP_TAG = 'tag:yaml.org,2002:timestamp';
const SCHEMA = new yaml.Schema({
  include: [yaml.CORE_SCHEMA],
  implicit: yaml.DEFAULT_SAFE_SCHEMA.implicit.filter((type) => type.tag !== TIMESTAMP_TAG),
  explicit: yaml.DEFAULT_SAFE_SCHEMA.explicit,
});

/** Parses front-matter YAML as gray-matter does, except that timestamps stay strings. */
export function parseYaml(text: string): object {
  return (yaml.safeLoad(text, { schema: SCHEMA }) ?? {}) as object;
}
