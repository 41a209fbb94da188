import { readPublicJwks } from '@payer-access/client-status';
import { registerDecorator, ValidateIf, type ValidationArguments, type ValidationOptions } from 'class-validator';

export const PHONE_PATTERN = /^\+?[0-9][0-9 ().-]{6,24}$/;
export const PHONE_MESSAGE = '$property must be a phone number such as +1 919-555-0100';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);
/** RFC 8252 §7.3: loopback redirects use the IP literal; "localhost" is NOT RECOMMENDED there. */
const LOOPBACK_REDIRECT_HOSTS = new Set(['127.0.0.1', '[::1]']);
/** RFC 8252 §7.1 / RFC 7595 §3.8: a private-use scheme is a reverse domain name, e.g. com.example.app. */
const PRIVATE_USE_SCHEME = /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+$/;

function parse(value: unknown): URL | undefined {
  if (typeof value !== 'string' || value.length > 2048) return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** An https URL, or http on a loopback host (local development). */
export function isWebUrl(value: unknown): boolean {
  const url = parse(value);
  if (!url || url.username || url.password) return false;
  if (url.protocol === 'https:') return url.hostname !== '';
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

export type RedirectUriProblem = 'invalid' | 'fragment' | 'private_use_confidential';

/**
 * Checks one redirect URI against RFC 6749 §3.1.2 (absolute, no fragment) and RFC 8252 §7 for
 * native apps: https; loopback http on an IP literal with any port; or a private-use scheme
 * (reverse domain name), which only a public client may use since anyone can claim the scheme.
 */
export function redirectUriProblem(value: unknown, clientType: unknown): RedirectUriProblem | undefined {
  if (typeof value !== 'string') return 'invalid';
  const url = parse(value);
  if (!url) return 'invalid';
  if (value.includes('#')) return 'fragment';
  if (url.username || url.password) return 'invalid';
  if (url.protocol === 'https:') return url.hostname ? undefined : 'invalid';
  if (url.protocol === 'http:') return LOOPBACK_REDIRECT_HOSTS.has(url.hostname) ? undefined : 'invalid';
  const scheme = url.protocol.slice(0, -1);
  if (!PRIVATE_USE_SCHEME.test(scheme)) return 'invalid';
  return clientType === 'public' ? undefined : 'private_use_confidential';
}

/** https URL, or http on loopback. */
export function IsWebUrl(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyKey) =>
    registerDecorator({
      name: 'isWebUrl',
      target: target.constructor,
      propertyName: String(propertyKey),
      options: { message: '$property must be an https URL (http only on localhost or 127.0.0.1)', ...options },
      validator: { validate: (value: unknown) => isWebUrl(value) },
    });
}

/**
 * Every element a valid redirect URI for the object's `clientType`, or `fallbackClientType` when the
 * object has none (payers are confidential; an update without clientType is checked again by the
 * service). The message names the first offending element: `redirectUris.1 must not contain a fragment (#)`.
 */
export function IsRedirectUri(fallbackClientType: 'confidential' | 'public' = 'confidential', options?: ValidationOptions): PropertyDecorator {
  const firstProblem = (args: ValidationArguments): [number, RedirectUriProblem] | undefined => {
    const clientType = (args.object as { clientType?: unknown }).clientType ?? fallbackClientType;
    const values: unknown[] = Array.isArray(args.value) ? args.value : [args.value];
    for (const [index, value] of values.entries()) {
      const problem = redirectUriProblem(value, clientType);
      if (problem) return [index, problem];
    }
    return undefined;
  };
  return (target, propertyKey) =>
    registerDecorator({
      name: 'isRedirectUri',
      target: target.constructor,
      propertyName: String(propertyKey),
      options: { ...options },
      validator: {
        validate: (_value: unknown, args: ValidationArguments) => firstProblem(args) === undefined,
        defaultMessage: (args?: ValidationArguments) => {
          const found = args ? firstProblem(args) : undefined;
          const [index, problem] = found ?? [0, 'invalid'];
          const name = `${args?.property ?? 'redirectUris'}.${index}`;
          if (problem === 'fragment') return `${name} must not contain a fragment (#)`;
          if (problem === 'private_use_confidential') return `${name} may use a private-use scheme only for a public (native) client`;
          return `${name} must be an absolute https URL, a loopback http://127.0.0.1:port/ URL, or (public clients) a private-use scheme such as com.example.app:/callback`;
        },
      },
    });
}

/**
 * A field a change may leave out, but not set to null: `@IsOptional()` would let `null` through
 * every other rule and on to a NOT NULL column.
 */
export function IsOmittable(): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined);
}

/** A JWKS of public signature keys only (the one rule in @payer-access/client-status), every problem named. */
export function IsPublicJwks(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyKey) =>
    registerDecorator({
      name: 'isPublicJwks',
      target: target.constructor,
      propertyName: String(propertyKey),
      options,
      validator: {
        validate: (value: unknown) => readPublicJwks(value, String(propertyKey)).ok,
        defaultMessage: (args?: ValidationArguments) => {
          const result = readPublicJwks(args?.value, String(propertyKey));
          return result.ok ? '' : result.problems.join('; ');
        },
      },
    });
}

/** Longest message of a registration's thread, in UTF-16 code units as JavaScript counts them. */
export const MESSAGE_MAX_LENGTH = 5000;

/** Control characters but tab, line feed and carriage return. */
// eslint-disable-next-line no-control-regex -- finding them is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
/** Embeddings, overrides and isolates: they make text read otherwise than it is stored ("Trojan Source"). */
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;
/** Unassigned code points and noncharacters, private use, and invisible formatting but the joiners (emoji, Indic scripts). */
const ODD = /[\p{Cn}\p{Co}]|(?![\u200c\u200d])\p{Cf}/u;

/**
 * Why a message text would not be shown as its author wrote it, or undefined. Staff and owners read
 * each other's words in mail and in the portal: text that is blank, too long, or holds characters
 * that hide or reorder what is shown is refused (400), not stored.
 */
export function messageTextProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.trim() === '') return 'must not be blank';
  if (value.length > MESSAGE_MAX_LENGTH) return `must be at most ${MESSAGE_MAX_LENGTH} characters`;
  if (/\p{Cs}/u.test(value)) return 'must be valid Unicode text (no lone surrogates)';
  if (CONTROL.test(value)) return 'must not contain control characters (other than tabs and line breaks)';
  if (BIDI_CONTROL.test(value)) return 'must not contain bidirectional override or isolate characters';
  if (ODD.test(value)) return 'must not contain unassigned, private-use or invisible formatting characters';
  return undefined;
}

/** Text a person writes to another: see `messageTextProblem`. */
export function IsMessageText(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyKey) =>
    registerDecorator({
      name: 'isMessageText',
      target: target.constructor,
      propertyName: String(propertyKey),
      options,
      validator: {
        validate: (value: unknown) => messageTextProblem(value) === undefined,
        defaultMessage: (args?: ValidationArguments) => `${args?.property ?? String(propertyKey)} ${messageTextProblem(args?.value) ?? 'is not valid'}`,
      },
    });
}
