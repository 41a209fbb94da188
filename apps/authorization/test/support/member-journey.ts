/**
 * Drives the member journey over plain HTTP, as a browser without JavaScript would: follows
 * redirects on our host, posts each page's form, and stops at the app's redirect URI.
 */
export interface JourneyChoice {
  username?: string;
  password?: string;
  representative?: { relationship: string; name: string; relationshipText?: string };
  withholdDemographics?: boolean;
  withholdSensitive?: boolean;
  decision?: 'agree' | 'deny';
  /** Sees each page the journey answers, by the step its form posts to (`login`, `consent`...). */
  onPage?: (step: string, body: string) => void;
}

export interface JourneyResult {
  /** The final redirect to the app (or undefined when the flow stopped on our pages). */
  redirect?: URL;
  /** The last page when the flow stopped on our host. */
  status?: number;
  body?: string;
}

export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index);
      const value = pair.slice(index + 1);
      if (/expires=Thu, 01 Jan 1970/i.test(header) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export async function request(jar: CookieJar, url: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: jar.header() } });
  jar.store(response);
  return response;
}

export async function runJourney(base: string, authorizeUrl: string, choice: JourneyChoice = {}, jar = new CookieJar()): Promise<JourneyResult> {
  let response = await request(jar, authorizeUrl);
  const origin = new URL(base).origin;
  let disclaimers = 0;
  for (let step = 0; step < 20; step++) {
    if (response.status >= 300 && response.status < 400) {
      const location = new URL(response.headers.get('location') ?? '', response.url || base);
      if (location.origin !== origin) return { redirect: location };
      response = await request(jar, location.toString());
      continue;
    }
    const body = await response.text();
    if (response.status !== 200) return { status: response.status, body };
    const action = /<form method="post" action="([^"]+)"/.exec(body)?.[1]?.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
    if (!action) return { status: response.status, body };
    choice.onPage?.(action.slice(action.lastIndexOf('/') + 1), body);
    const form = new URLSearchParams();
    if (action.endsWith('/login')) {
      form.set('username', choice.username ?? 'BCNCUser03');
      form.set('password', choice.password ?? 'BCNCPSWD03');
    } else if (action.endsWith('/representative')) {
      if (choice.representative) {
        form.set('actingAs', 'representative');
        form.set('relationship', choice.representative.relationship);
        form.set('representativeName', choice.representative.name);
        if (choice.representative.relationshipText) form.set('relationshipText', choice.representative.relationshipText);
      } else {
        form.set('actingAs', 'self');
      }
    } else if (action.endsWith('/consent')) {
      form.set('decision', choice.decision ?? 'agree');
      if (choice.withholdDemographics) form.set('withholdDemographics', 'yes');
      if (choice.withholdSensitive) form.set('withholdSensitive', 'yes');
    } else {
      // One pass through the pages must be enough: a second disclaimer means the flow looped.
      if (++disclaimers > 1) throw new Error('the journey started over after consent');
      form.set('acknowledge', 'yes');
    }
    response = await request(jar, new URL(action, origin).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
  }
  throw new Error('the journey did not finish in 20 steps');
}
