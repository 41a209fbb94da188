import { Injectable } from '@nestjs/common';

export type ReadinessCheck = () => Promise<boolean>;

/**
 * What a service must have before it takes traffic (its database, a caught-up event
 * projection...). Modules register their own checks, so the health controller knows none of them.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  async evaluate(): Promise<{ ready: boolean; checks: Record<string, 'up' | 'down'> }> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => [name, await check().catch(() => false)] as const),
    );
    return {
      ready: entries.every(([, up]) => up),
      checks: Object.fromEntries(entries.map(([name, up]) => [name, up ? 'up' : 'down'])),
    };
  }
}
