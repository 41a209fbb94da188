import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';

/**
 * Where bulk export files live: a port, so that an object store can replace the local disk. Keys
 * are `jobId/attempt/Type.ndjson`, chosen by the server, never by a client.
 */
export interface BulkFileStore {
  /** A stream that writes the file; it exists once the stream has finished. */
  writer(key: string): Promise<Writable>;
  /** The file's bytes, or undefined when it does not exist (expired, cancelled, never written). */
  reader(key: string): Promise<Readable | undefined>;
  /** Deletes every file of a job. */
  removeJob(jobId: string): Promise<void>;
  /** Deletes the files one attempt at the job wrote, and no other attempt's. */
  removeAttempt(jobId: string, attempt: number): Promise<void>;
}

/** Where an attempt at a job writes its files. */
export function attemptPrefix(jobId: string, attempt: number): string {
  return `${jobId}/a${attempt}`;
}

export const BULK_FILE_STORE = Symbol('BULK_FILE_STORE');

const KEY = /^[0-9a-f-]{36}(\/[A-Za-z0-9]+)*\/?([A-Za-z]+\.ndjson)?$/;

/** The default adapter: files under one directory of the local disk. */
export class LocalDiskFileStore implements BulkFileStore {
  private readonly root: string;

  constructor(directory: string) {
    this.root = isAbsolute(directory) ? directory : resolve(process.cwd(), directory);
  }

  async writer(key: string): Promise<Writable> {
    const path = this.pathOf(key);
    await mkdir(join(path, '..'), { recursive: true });
    return createWriteStream(path, { flags: 'w' });
  }

  async reader(key: string): Promise<Readable | undefined> {
    const path = this.pathOf(key);
    const found = await stat(path).catch(() => undefined);
    return found?.isFile() ? createReadStream(path) : undefined;
  }

  async removeJob(jobId: string): Promise<void> {
    await rm(this.pathOf(jobId), { recursive: true, force: true });
  }

  async removeAttempt(jobId: string, attempt: number): Promise<void> {
    await rm(this.pathOf(attemptPrefix(jobId, attempt)), { recursive: true, force: true });
  }

  private pathOf(key: string): string {
    if (!KEY.test(key) || key.includes('..')) throw new Error(`not a bulk file key: ${key.slice(0, 80)}`);
    return join(this.root, key);
  }
}
