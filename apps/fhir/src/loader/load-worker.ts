import { parentPort, workerData } from 'node:worker_threads';
import { createFhirSearchRegistry } from '../store/search-registry';
import { SearchIndexer } from '../store/search-indexer';
import { transferablesOf } from '../store/bulk-copy.writer';
import { itemsOf, prepareLoadBatch } from './copy-batch';
import type { LoadWorkerData, LoadWorkerReply, LoadWorkerRequest } from './load-worker-pool';

/** A loader worker thread: prepares batches (`prepareLoadBatch`) with its own search indexer. */
const data = workerData as LoadWorkerData;
const indexer = new SearchIndexer(createFhirSearchRegistry({ FHIR_PUBLIC_URL: data.publicUrl }));
const rules = { supportedTypes: new Set(data.supportedTypes), sensitiveCodes: data.sensitiveCodes };

parentPort?.on('message', (request: LoadWorkerRequest) => {
  let reply: LoadWorkerReply;
  try {
    const batch = prepareLoadBatch(itemsOf(request.input), rules, indexer, new Date(request.now), request.seqs);
    reply = { id: request.id, batch };
    // The COPY text moves to the main thread rather than being copied.
    parentPort?.postMessage(reply, transferablesOf(batch.rows));
    return;
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(reply);
});
