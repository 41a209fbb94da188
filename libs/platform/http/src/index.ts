export { createServiceApp, buildOpenApiDocument, trustProxies, DOCS_PATH, DOCS_JSON_PATH, type ServiceDescriptor, type ServiceAppOptions } from './service-app.factory';
export { HealthModule } from './health/health.module';
export { ReadinessRegistry, type ReadinessCheck } from './health/readiness.registry';
export { HealthDto } from './health/health.dto';
export { runService, type RunServiceOptions, type RunningService } from './run-service';
export { JsonLogger } from './observability/json-logger';
export { ServiceMetrics } from './observability/metrics';
export { RateLimiter, MemoryRateLimitStore, rateLimitHeaders, type RateLimitStore, type RateLimitRule, type RateLimitDecision } from './rate-limit/rate-limiter';
export { AccessTokenVerifier, AccessTokenRejected, type AccessTokenVerifierOptions, type VerifiedAccessTokenClaims } from './auth/access-token.verifier';
