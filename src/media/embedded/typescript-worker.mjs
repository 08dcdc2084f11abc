/**
 * A worker thread's first module when the worker runs TypeScript: the service
 * runs its sources through tsx, whose loader a worker does not inherit
 * (Node 20), so the worker registers it before importing its entry.
 */
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
