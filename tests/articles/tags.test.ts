import { describe, expect, it } from 'vitest';
import { extractHashtags, isTagLine, isTagName, mergeTags, normalizeTag } from '../../src/articles/tags.ts';

describe('normalizeTag', () => {
  it('lower-cases', () => {
    expect(normalizeTag('DiplomaticRelations')).toBe('diplomaticrelations');
    expect(normalizeTag('Venezuela')).toBe(normalizeTag('venezuela'));
    expect(normalizeTag('VENEZUELA')).toBe('venezuela');
  });

  it('folds Latin diacritics, so España and espana are one tag', () => {
    expect(normalizeTag('España')).toBe('espana');
    expect(normalizeTag('espana')).toBe('espana');
    expect(normalizeTag('São_Paulo')).toBe('sao_paulo');
    expect(normalizeTag('Zürich')).toBe('zurich');
    expect(normalizeTag('Côte_dIvoire')).toBe('cote_divoire');
    expect(normalizeTag('Bogotá')).toBe(normalizeTag('Bogota'));
    expect(normalizeTag('México')).toBe(normalizeTag('Mexico'));
    expect(normalizeTag('Türkiye')).toBe('turkiye');
  });

  it('folds Latin letters without a combining mark', () => {
    expect(normalizeTag('Straße')).toBe('strasse');
    expect(normalizeTag('Øresund')).toBe('oresund');
    expect(normalizeTag('Łódź')).toBe('lodz');
  });

  it('keeps other scripts as written, lower-cased where they have case', () => {
    expect(normalizeTag('日本')).toBe('日本');
    expect(normalizeTag('Ελλάδα')).toBe('ελλάδα');
    expect(normalizeTag('Україна')).toBe('україна');
    expect(normalizeTag('עברית')).toBe('עברית');
    expect(normalizeTag('Россия')).toBe('россия');
  });

  it('applies NFKC first: full-width forms, ligatures, decomposed accents', () => {
    expect(normalizeTag('ＶＥＮＥＺＵＥＬＡ')).toBe('venezuela');
    expect(normalizeTag('ﬁnance')).toBe('finance');
    expect(normalizeTag('Espan\u0303a')).toBe('espana');
    expect(normalizeTag('ｶﾀｶﾅ')).toBe('カタカナ');
  });

  it('case-folds, so spellings that differ only in case are one tag in every script', () => {
    const table: [string[], string][] = [
      // A final capital sigma lower-cases to ς; folded, every sigma is σ.
      [['ΣΟΦΟΣ', 'σοφος', 'σοφοσ', 'Σοφος'], 'σοφοσ'],
      [['Straße', 'STRASSE', 'strasse', 'STRAẞE'], 'strasse'],
      [['İstanbul', 'istanbul', 'ISTANBUL'], 'istanbul'],
      [['ﬁsh', 'fish', 'FISH'], 'fish'],
      [['España', 'espana', 'ESPAÑA'], 'espana'],
      [['日本'], '日本'],
      // The iota subscript folds to an iota, as the capital ᾼ upper-cases to ΑΙ.
      [['ᾳ', 'ᾼ', 'αι', 'ΑΙ'], 'αι'],
      // Cherokee folds to its capitals, which were encoded first.
      [['ᏣᎳᎩ', 'ꮳꮃꭹ'], 'ᏣᎳᎩ'],
      [['ᲃлово', 'слово', 'СЛОВО'], 'слово'],
    ];
    for (const [spellings, key] of table) {
      for (const spelling of spellings) expect(normalizeTag(spelling), spelling).toBe(key);
    }
  });

  it('folds the Latin letters Mastodon folds that have no combining mark', () => {
    expect(normalizeTag('Ħamrun')).toBe('hamrun');
    expect(normalizeTag('Ŧ')).toBe('t');
    expect(normalizeTag('Ŋ')).toBe('n');
    expect(normalizeTag('ĸ')).toBe('k');
    expect(normalizeTag('Đakovo')).toBe('dakovo');
    expect(normalizeTag('ı')).toBe('i');
  });

  it('is idempotent', () => {
    for (const tag of ['España', 'Ελλάδα', 'ＶＥＮＥＺＵＥＬＡ', 'İstanbul', 'Straße', '日本', 'São_Paulo', 'ΣΟΦΟΣ', 'ᾈ', 'ᏣᎳᎩ', 'ꮳꮃꭹ']) {
      expect(normalizeTag(normalizeTag(tag))).toBe(normalizeTag(tag));
    }
  });

  it('gives the same key for a tag and for its percent-decoded URL form', () => {
    const key = normalizeTag('España');
    expect(normalizeTag(decodeURIComponent(encodeURIComponent(key)))).toBe(key);
    expect(normalizeTag(decodeURIComponent('espa%C3%B1a'))).toBe(key);
  });
});

describe('isTagName', () => {
  it('accepts letters of any script, digits and underscores with at least one letter', () => {
    for (const name of ['Venezuela', 'G20', 'São_Paulo', '日本', 'Ελλάδα', 'a1', '_x', 'ChipsTalks2019']) {
      expect(isTagName(name), name).toBe(true);
    }
  });

  it('rejects digits only, punctuation, spaces and the empty string', () => {
    for (const name of ['1', '2024', '', 'a b', 'a-b', 'a.b', 'a!', '#a', '_', '__1']) {
      expect(isTagName(name), name).toBe(false);
    }
  });
});

describe('extractHashtags', () => {
  it('finds hashtags in order without their #', () => {
    expect(extractHashtags('#Venezuela #UnitedStates')).toEqual(['Venezuela', 'UnitedStates']);
  });

  it('leaves out trailing punctuation', () => {
    expect(extractHashtags('#Geopolitics. #Oil, #Gas! #Coal?')).toEqual(['Geopolitics', 'Oil', 'Gas', 'Coal']);
  });

  it('takes no tag from # followed only by digits', () => {
    expect(extractHashtags('#1 #2024 #42a')).toEqual(['42a']);
  });

  it('reads Unicode hashtags with combining marks whole', () => {
    expect(extractHashtags('#España #Espan\u0303a #日本 #Ελλάδα #हिन्दी')).toEqual(['España', 'Espan\u0303a', '日本', 'Ελλάδα', 'हिन्दी']);
  });
});

describe('isTagLine', () => {
  it('accepts a line where every word starts with # and one is a hashtag', () => {
    expect(isTagLine('#Venezuela #Geopolitics')).toBe(true);
    expect(isTagLine('  #Venezuela   #Geopolitics.  ')).toBe(true);
    expect(isTagLine('#Venezuela #1')).toBe(true);
  });

  it('rejects a line with a word that does not start with #', () => {
    expect(isTagLine('#Venezuela and #Geopolitics')).toBe(false);
    expect(isTagLine('Venezuela')).toBe(false);
  });

  it('rejects a line of number-only hashtags or lone #', () => {
    expect(isTagLine('#1 #2')).toBe(false);
    expect(isTagLine('#')).toBe(false);
    expect(isTagLine('')).toBe(false);
  });
});

describe('mergeTags', () => {
  it('adds tags once per normalised key, keeping the first label', () => {
    expect(mergeTags([], ['España', 'espana', 'ESPAÑA', 'Oil'])).toEqual([
      { key: 'espana', label: 'España' },
      { key: 'oil', label: 'Oil' },
    ]);
  });

  it('keeps the tags already there and their labels', () => {
    const into = [{ key: 'venezuela', label: 'Venezuela' }];
    expect(mergeTags(into, ['venezuela', 'Oil'])).toEqual([
      { key: 'venezuela', label: 'Venezuela' },
      { key: 'oil', label: 'Oil' },
    ]);
  });

  it('stores the label in NFKC', () => {
    expect(mergeTags([], ['ＶＥＮＥＺＵＥＬＡ'])).toEqual([{ key: 'venezuela', label: 'VENEZUELA' }]);
  });
});
