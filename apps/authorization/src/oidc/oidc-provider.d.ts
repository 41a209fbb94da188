// oidc-provider 9 ships no type declarations; these cover what this service touches.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface AdapterPayload {
    [key: string]: unknown;
    grantId?: string;
    uid?: string;
    userCode?: string;
    consumed?: number;
    jti?: string;
  }

  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  export interface InteractionDetails {
    uid: string;
    prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
    params: Record<string, string | undefined>;
    session?: { accountId?: string };
    grantId?: string;
    lastSubmission?: Record<string, unknown>;
    exp: number;
  }

  export interface GrantInstance {
    jti?: string;
    accountId?: string;
    clientId?: string;
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(resource: string, scope: string): void;
    save(ttl?: number): Promise<string>;
    destroy(): Promise<void>;
  }

  export interface ClientInstance {
    clientId: string;
    clientSecret?: string;
    clientAuthMethod: string;
    redirectUris: string[];
  }

  // The provider is a Koa application; its context is deliberately loose here.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  export type KoaContext = any;
  export type KoaMiddleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    issuer: string;
    proxy: boolean;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    use(middleware: KoaMiddleware): void;
    on(event: string, listener: (...args: unknown[]) => void): void;
    emit(event: string, ...args: unknown[]): boolean;
    /** The context of the request being handled (the provider keeps it in an AsyncLocalStorage). */
    static readonly ctx: KoaContext | undefined;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
    interactionResult(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options?: { mergeWithLastSubmission?: boolean }): Promise<string>;
    Grant: {
      new (properties: { accountId: string; clientId: string }): GrantInstance;
      find(id: string): Promise<GrantInstance | undefined>;
      adapter: Adapter;
    };
    Client: {
      prototype: { compareClientSecret(this: ClientInstance, actual: string): Promise<boolean> | boolean };
      find(id: string): Promise<ClientInstance | undefined>;
    };
    AccessToken: { revokeByGrantId(grantId: string): Promise<void> };
    ReplayDetection: { unique(iss: string, jti: string, exp: number): Promise<boolean> };
    RefreshToken: {
      revokeByGrantId(grantId: string): Promise<void>;
      find(value: string, options?: { ignoreExpiration?: boolean }): Promise<{ clientId?: string } | undefined>;
    };
    AuthorizationCode: { revokeByGrantId(grantId: string): Promise<void> };
  }

  export const errors: {
    InvalidRequest: new (description?: string) => Error;
    InvalidTarget: new (description?: string) => Error;
    AccessDenied: new (description?: string) => Error;
    InvalidClient: new (description?: string) => Error;
    InvalidGrant: new (description?: string) => Error;
    /** 401 invalid_client; the argument is the detail, logged but not sent. */
    InvalidClientAuth: new (detail?: string) => Error;
  };
}
