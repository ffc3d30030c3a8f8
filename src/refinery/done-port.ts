// The merge queue as `gt done` sees it (work/done's DoneQueue): done sits below the refinery, so its caller passes this in.
import type { DoneQueue } from '../work/done/index.ts';
import { enqueueMergeRequest } from './mr-store.ts';
import { processQueue } from './process.ts';

export const mergeQueue: DoneQueue = {
  enqueue: (store, input) => enqueueMergeRequest(store, input),
  landNow: (town, rig) => processQueue(town, rig, { maxBatches: 1 }),
};
