package io.kulp.agent.work;

import java.util.HashMap;
import java.util.Map;

/**
 * What the agent knows about one LivePatchNode generation while it works on it: the report of
 * each process it has handled, so that a rescan only acts on processes that are new. Lost on
 * restart on purpose: the processes' runtimes are then read again.
 */
final class GenerationProgress {
  final String uid;
  final long generation;
  final Map<ProcessTarget.ProcessKey, ProcessReport> known = new HashMap<>();
  /** A final phase was reported for this generation. */
  boolean finished;
  /** Passes that could not fetch the patch. */
  int fetchFailures;
  /** The status last handed to the writer, to report only changes. */
  String lastReport;

  GenerationProgress(String uid, long generation) {
    this.uid = uid;
    this.generation = generation;
  }

  boolean isFor(String uid, long generation) {
    return this.uid.equals(uid) && this.generation == generation;
  }
}
