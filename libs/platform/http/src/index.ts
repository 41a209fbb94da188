export { createServiceApp, buildOpenApiDocument, trustProxies, serviceMetrics, DOCS_PATH, DOCS_JSON_PATH, type ServiceDescriptor, type ServiceAppOptions } from './service-app.factory';
export { HealthModule } from './health/health.module';
export { ReadinessRegistry, type ReadinessCheck } from './health/readiness.registry';
export { HealthDto } from './health/health.dto';
export { runService, listenService, resolveMetricsPort, type RunServiceOptions, type RunningService } from './run-service';
export { JsonLogger } from './observability/json-logger';
export { ServiceMetrics } from './observability/metrics';
export { RateLimiter, MemoryRateLimitStore, rateLimitHeaders, type RateLimitStore, type RateLimitRule, type RateLimitDecision } from './rate-limit/rate-limiter';
export {
  AccessTokenVerifier,
  AccessTokenRejected,
  JwtVerifier,
  type AccessTokenVerifierOptions,
  type JwtVerificationKeys,
  type JwtVerifierOptions,
  type VerifiedAccessTokenClaims,
} from './auth/access-token.verifier';
export { BODY_LIMIT_BYTES, BODY_MAX_DEPTH, bodyParsersFor } from './edge/request-guard';
export { runWorkers, type WorkerLog } from './cluster/run-workers';
