/** Markdown bodies, rendered with marked (CommonMark + GFM). */
import { Marked } from 'marked';

const marked = new Marked({ gfm: true, async: false });

/** Renders a Markdown body to HTML. */
export function renderMarkdown(source: string): string {
  return marked.parse(source, { async: false });
}
