import { describe, expect, it } from 'vitest';
import { escapeXml, stripForbidden } from '../../src/feeds/xml-safe.ts';

describe('stripForbidden', () => {
  it('removes C0 controls other than tab, newline and carriage return', () => {
    const controls = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('');
    expect(stripForbidden(`a${controls}b`)).toBe("a\t\n\nb");
  });

  it('removes U+FFFE, U+FFFF and lone surrogates but keeps surrogate pairs', () => {
    expect(stripForbidden('a\uFFFEb\uFFFFc')).toBe('abc');
    expect(stripForbidden('x\uD800y\uDC00z')).toBe('xyz');
    expect(stripForbidden('end\uD83D')).toBe('end');
    expect(stripForbidden('\uDE00start')).toBe('start');
    expect(stripForbidden('😀 \uD83D\uDE00 𝄞')).toBe('😀 😀 𝄞');
  });

  it('keeps DEL, C1 controls and other characters XML 1.0 allows', () => {
    expect(stripForbidden('\u007F\u0085\u00A0\uFFFD\u2028')).toBe('\u007F\u0085\u00A0\uFFFD\u2028');
  });
});

describe('escapeXml', () => {
  it('escapes &, < and >', () => {
    expect(escapeXml('a & b < c > d "e"')).toBe('a &amp; b &lt; c &gt; d "e"');
  });
});
