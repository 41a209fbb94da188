/** Shared by the event parsers: consumers read bytes anyone with topic access could have written. */

export interface EventIssue {
  /** Where the problem is, e.g. `client.redirectUris[1]`; `$` is the whole payload. */
  readonly path: string;
  readonly message: string;
}

export interface EventRejection {
  /** `invalid_json`: the bytes are not UTF-8 JSON; `invalid_event`: JSON of the wrong shape. */
  readonly code: 'invalid_json' | 'invalid_event';
  readonly issues: readonly EventIssue[];
}

/** The issues as one line, `path message; path message`: how a refused event is described wherever it is refused. */
export function issuesText(issues: readonly EventIssue[]): string {
  return issues.map((issue) => `${issue.path} ${issue.message}`).join('; ');
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Reads typed fields from one JSON object, recording an issue for each bad one. A bad field
 * still yields a placeholder of the right type so that reading can go on and report every
 * issue; the result is discarded whenever an issue was recorded.
 */
export class FieldReader {
  private constructor(
    private readonly record: Readonly<Record<string, unknown>>,
    private readonly path: string,
    private readonly issues: EventIssue[],
  ) {}

  static of(value: unknown, path: string, issues: EventIssue[]): FieldReader | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      issues.push({ path, message: 'must be an object' });
      return undefined;
    }
    return new FieldReader(value as Record<string, unknown>, path, issues);
  }

  report(key: string, message: string): void {
    this.issues.push({ path: this.pathOf(key), message });
  }

  child(key: string): FieldReader | undefined {
    return FieldReader.of(this.record[key], this.pathOf(key), this.issues);
  }

  optionalChild(key: string): FieldReader | undefined {
    return this.isAbsentOrNull(key) ? undefined : this.child(key);
  }

  /** The raw value, for fields with a reader of their own; undefined when absent or null. */
  optionalValue(key: string): unknown {
    return this.isAbsentOrNull(key) ? undefined : this.record[key];
  }

  literal(key: string, expected: string | number): void {
    if (this.record[key] !== expected) {
      this.report(key, `must be ${JSON.stringify(expected)}`);
    }
  }

  /** A non-empty string. */
  text(key: string): string {
    const value = this.record[key];
    if (typeof value === 'string' && value.length > 0) {
      return value;
    }
    this.report(key, 'must be a non-empty string');
    return '';
  }

  nullableText(key: string): string | null {
    return this.record[key] === null ? null : this.text(key);
  }

  optionalString(key: string): string | undefined {
    if (this.isAbsentOrNull(key)) {
      return undefined;
    }
    const value = this.record[key];
    if (typeof value === 'string') {
      return value;
    }
    this.report(key, 'must be a string when present');
    return undefined;
  }

  matching(key: string, pattern: RegExp, description: string): string {
    const value = this.record[key];
    if (typeof value === 'string' && pattern.test(value)) {
      return value;
    }
    this.report(key, `must be ${description}`);
    return '';
  }

  instant(key: string): string {
    const value = this.matching(key, ISO_INSTANT, 'an ISO 8601 date-time with a time zone');
    if (value !== '' && (Number.isNaN(Date.parse(value)) || !isCalendarDate(value))) {
      this.report(key, 'must be a real date and time');
    }
    return value;
  }

  optionalInstant(key: string): string | undefined {
    return this.isAbsentOrNull(key) ? undefined : this.instant(key);
  }

  /** An integer from 1 to `max`, which consumers choose to fit what they store it in. */
  positiveInteger(key: string, max: number = Number.MAX_SAFE_INTEGER): number {
    const value = this.record[key];
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 && value <= max) {
      return value;
    }
    this.report(key, max === Number.MAX_SAFE_INTEGER ? 'must be an integer of at least 1' : `must be an integer from 1 to ${max}`);
    return 0;
  }

  boolean(key: string): boolean {
    const value = this.record[key];
    if (typeof value === 'boolean') {
      return value;
    }
    this.report(key, 'must be a boolean');
    return false;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T {
    const value = this.record[key];
    if ((allowed as readonly unknown[]).includes(value)) {
      return value as T;
    }
    this.report(key, `must be one of ${allowed.map((each) => JSON.stringify(each)).join(', ')}`);
    return allowed[0];
  }

  nullableOneOf<T extends string>(key: string, allowed: readonly T[]): T | null {
    if (this.record[key] === null) {
      return null;
    }
    if (this.isAbsent(key)) {
      this.report(key, 'is required (null when there is none)');
      return null;
    }
    return this.oneOf(key, allowed);
  }

  optionalOneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    return this.isAbsentOrNull(key) ? undefined : this.oneOf(key, allowed);
  }

  textArray(key: string): string[] {
    const value = this.record[key];
    if (!Array.isArray(value)) {
      this.report(key, 'must be an array of strings');
      return [];
    }
    value.forEach((item: unknown, index) => {
      if (typeof item !== 'string' || item.length === 0) {
        this.issues.push({ path: `${this.pathOf(key)}[${index}]`, message: 'must be a non-empty string' });
      }
    });
    return value.filter((item): item is string => typeof item === 'string');
  }

  private isAbsent(key: string): boolean {
    return this.record[key] === undefined;
  }

  /**
   * Optional fields also accept null, as many serializers write absent values that way;
   * refusing them would make a consumer skip the status change the event carries.
   */
  private isAbsentOrNull(key: string): boolean {
    return this.isAbsent(key) || this.record[key] === null;
  }

  private pathOf(key: string): string {
    return this.path === '$' ? key : `${this.path}.${key}`;
  }
}

/** Date.parse rolls 30 February over into March; the calendar does not. */
function isCalendarDate(value: string): boolean {
  const [year, month, day] = value.slice(0, 10).split('-').map(Number);
  const [hours, minutes, seconds] = value.slice(11, 19).split(':').map(Number);
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= lastDay && hours <= 23 && minutes <= 59 && seconds <= 59;
}

/** Parses UTF-8 JSON bytes, or reports why they are not. */
export function decodeJson(bytes: Uint8Array | string): { ok: true; value: unknown } | { ok: false; rejection: EventRejection } {
  try {
    const text = typeof bytes === 'string' ? bytes : new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, rejection: { code: 'invalid_json', issues: [{ path: '$', message }] } };
  }
}
