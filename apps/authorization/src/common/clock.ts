import { Injectable } from '@nestjs/common';

/**
 * The time grant lifetimes are judged by. Lifetimes run to months, so tests move this clock
 * rather than wait; everything else keeps the system clock.
 */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
