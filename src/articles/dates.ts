/**
 * Front-matter dates: the text of an RFC 3339 or YAML timestamp -> a Date, refusing what is not on the
 * calendar. `new Date()` and `Date.UTC` roll impossible fields over (`2026-02-30` becomes 2 March,
 * hour 25 the next day), so every field is checked here before the Date is built.
 */

/**
 * A date read from text, or not: `problem` says why when the text has the shape of a timestamp but
 * names a day or time that does not exist; text of any other shape has no problem to name.
 */
export type DateReading = { ok: true; date: Date } | { ok: false; problem?: string };

// RFC 3339 `date-time` and `full-date` (T or space between them, RFC 3339 §5.6 note; T and Z in either
// case, §5.6), widened to what YAML 1.1 timestamps allow and what was served before: a month, day or
// hour of one digit, blanks before the zone, an offset of hours only, and no zone at all, which YAML
// reads as UTC (https://yaml.org/type/timestamp.html).
const TIMESTAMP =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt]|[ \t]+)(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[ \t]*(?:[Zz]|([+-])(\d{1,2})(?::(\d{2}))?))?)?$/u;

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** Days in a month (1-12) of a year of the proleptic Gregorian calendar. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Reads an RFC 3339 date-time or date (or a YAML timestamp) exactly: the fields must exist on the
 * calendar and the clock, so February 29 is a date only in a leap year.
 * @example readDate('2024-05-01T09:30:00+02:00') // { ok: true, date: 2024-05-01T07:30:00.000Z }
 * @example readDate('2026-02-30') // { ok: false, problem: 'February 2026 has 28 days' }
 */
export function readDate(text: string): DateReading {
  const m = TIMESTAMP.exec(text.trim());
  if (!m) return { ok: false };
  const [year, month, day] = [m[1], m[2], m[3]].map(Number) as [number, number, number];
  const [hour, minute, second] = [m[4], m[5], m[6]].map((f) => Number(f ?? 0)) as [number, number, number];
  const offsetHours = Number(m[9] ?? 0);
  const offsetMinutes = Number(m[10] ?? 0);
  if (month < 1 || month > 12) return { ok: false, problem: `there is no month ${month}` };
  if (day < 1 || day > daysInMonth(year, month)) {
    return { ok: false, problem: `${MONTHS[month - 1]} ${year} has ${daysInMonth(year, month)} days` };
  }
  if (hour > 23) return { ok: false, problem: `there is no hour ${hour}` };
  if (minute > 59) return { ok: false, problem: `there is no minute ${minute}` };
  // RFC 3339 allows second 60 for a leap second, but a JavaScript Date cannot hold one.
  if (second > 59) return { ok: false, problem: `second ${second} is a leap second, which cannot be represented` };
  if (offsetHours > 23 || offsetMinutes > 59) return { ok: false, problem: `${m[8]}${m[9]}:${m[10] ?? '00'} is no time offset` };

  // Fractions beyond milliseconds are dropped, as js-yaml did.
  const ms = Number((m[7] ?? '').slice(0, 3).padEnd(3, '0'));
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  const offset = (m[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes);
  if (offset !== 0) date.setTime(date.getTime() - offset * 60_000);
  return { ok: true, date };
}
