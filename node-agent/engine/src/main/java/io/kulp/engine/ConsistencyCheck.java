package io.kulp.engine;

import io.kulp.host.ProcessMaps;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The consistency check of a patch packed with {@code --consistent}: with every thread but the
 * helper stopped, proves that none of them runs, or will return into, the code the change stops
 * calling. The runtime names that code by its entry (the original function, or the replacement
 * of the patch on top of it); its extent is its unwind information's (its FDE). Each thread's
 * stack is unwound from its registers with that same information: its instruction pointer and
 * every return address are looked at. A stack that cannot be unwound to its start proves
 * nothing, and counts as busy.
 */
final class ConsistencyCheck {
  private ConsistencyCheck() {}

  /**
   * Describes a thread found in, or on its way back into, the code at {@code entries}; empty when
   * no thread is.
   *
   * @throws EngineException when the extent of that code cannot be known (no unwind information)
   */
  static Optional<String> findThreadIn(TargetProcess target, WorldStop world, long[] entries)
      throws EngineException {
    List<Integer> threads = world.threads();
    if (threads.isEmpty() || entries.length == 0) {
      return Optional.empty();
    }
    ProcessMaps maps;
    try {
      maps = ProcessMaps.read(target.procPid.getParent(), target.pid); // the patch container is mapped by now
    } catch (IOException e) {
      throw EngineException.failed("cannot read the mappings of process " + target.pid + ": " + e.getMessage());
    }
    try (StackUnwinder unwinder = new StackUnwinder(target.memory(), maps.mappings())) {
      List<long[]> code = new ArrayList<>();
      for (long entry : entries) {
        code.add(unwinder.functionAt(entry, threads.get(0)).orElseThrow(() -> EngineException.failed("process "
            + target.pid + ": the consistency check cannot tell where the function at " + Long.toHexString(entry)
            + " ends: its object has no unwind information (.eh_frame) for it; pack the patch without --consistent")));
      }
      for (int tid : threads) {
        StackUnwinder.Stack stack = unwinder.unwind(tid);
        List<Long> frames = stack.frames();
        for (int i = 0; i < frames.size(); i++) {
          long pc = frames.get(i);
          // A return address follows its call, which may be the function's last instruction:
          // the address before it is inside the caller. Both are looked at, to be safe.
          long[] in = inside(pc, code);
          if (in == null && i > 0) {
            in = inside(pc - 1, code);
          }
          if (in != null) {
            return Optional.of("thread " + tid + (i == 0 ? " runs" : " will return into (frame " + i + " of its stack)")
                + " the function at " + Long.toHexString(in[0]) + ", which the patch changes");
          }
        }
        if (stack.incomplete().isPresent()) {
          return Optional.of("the stack of thread " + tid + " cannot be proved clear: " + stack.incomplete().get());
        }
      }
      return Optional.empty();
    }
  }

  private static long[] inside(long pc, List<long[]> code) {
    for (long[] r : code) {
      if (Long.compareUnsigned(pc, r[0]) >= 0 && Long.compareUnsigned(pc, r[1]) < 0) {
        return r;
      }
    }
    return null;
  }
}
