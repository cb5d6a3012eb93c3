package io.kulp.engine;

import io.kulp.host.MappedFiles;
import io.kulp.host.ProcessMaps;
import io.kulp.host.TimeLimit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The engine: applies and reverts live patches in running processes through their runtime's
 * helper thread, with ptrace and process_vm_readv/writev. One operation on one process runs
 * wholly on one thread (ptrace requires every request for a tracee to come from the thread that
 * seized it); callers serve many processes in parallel through a {@link ProcessPool}. The CLI and
 * the node agent share one instance, so what it learns about library files is reused across
 * processes and calls.
 */
public final class PtraceEngine implements Engine {

  /**
   * @param procRoot the host's procfs
   * @param timeout the longest an operation on one process may take, attempts included
   * @param retries how many times an operation the runtime answers "not now" is retried
   * @param stepDelay fault injection for tests: a pause at each protocol step (zero in real use;
   *     only the CLI sets it, from KULP_DEBUG_STEP_DELAY_MS)
   * @param mapFiles whether mapped files are read through {@code /proc/PID/map_files} when it is
   *     allowed (CAP_SYS_ADMIN); without it, only through the process's root, as the node agent
   *     reads them (tests turn it off to take the agent's path as root)
   */
  public record Options(Path procRoot, Duration timeout, int retries, Duration stepDelay, boolean mapFiles) {
    public static Options defaults() {
      return new Options(Path.of("/proc"), Duration.ofSeconds(10), 5, Duration.ZERO, true);
    }

    public Options withTimeout(Duration t) {
      return new Options(procRoot, t, retries, stepDelay, mapFiles);
    }

    public Options withRetries(int r) {
      return new Options(procRoot, timeout, r, stepDelay, mapFiles);
    }

    public Options withProcRoot(Path p) {
      return new Options(p, timeout, retries, stepDelay, mapFiles);
    }

    public Options withStepDelay(Duration d) {
      return new Options(procRoot, timeout, retries, d, mapFiles);
    }

    public Options withMapFiles(boolean m) {
      return new Options(procRoot, timeout, retries, stepDelay, m);
    }
  }

  /**
   * How much longer than its timeout an operation may take before the engine stops waiting for it:
   * the operation's own deadline ends it first (past it, a commit is waited for a little, and the
   * helper is let go); this limit is reached only when a system call on the process does not
   * return at all.
   */
  private static final Duration BACKSTOP_MARGIN = Duration.ofSeconds(3);

  private static final ThreadLocal<Boolean> TUNED = ThreadLocal.withInitial(() -> false);

  private final Options options;
  private final MappedFiles files;
  private final Clock clock = new Clock();
  private final ResponseTimes responseTimes = new ResponseTimes();
  private final StepDelay delay;

  public PtraceEngine(Options options) {
    this.options = options;
    this.files = new MappedFiles(options.procRoot(), options.mapFiles(), options.timeout());
    this.delay = new StepDelay(options.stepDelay().toMillis());
  }

  /** The ELF facts learned from the files processes map, shared with the caller's own lookups. */
  public MappedFiles files() {
    return files;
  }

  /**
   * Reads process {@code pid}; within the timeout, whatever the process does (see
   * {@link TimeLimit}): reading changes nothing, so a read that does not return is simply left.
   */
  @Override
  public Target read(int pid) throws EngineException {
    return TimeLimit.shared().call(options.timeout(), () -> Target.read(options.procRoot(), pid, files),
        why -> EngineException.failed("process " + pid + ": reading it " + why
            + " (its memory, or a file it maps, does not answer)"));
  }

  @Override
  public List<OperationResult> run(int pid, List<Operation> ops) {
    long start = System.nanoTime();
    return bounded(pid, ops, start, () -> {
      Target target;
      try {
        target = Target.read(options.procRoot(), pid, files);
      } catch (EngineException e) {
        return failed(pid, ops, e, start);
      }
      return run(target, ops, start);
    });
  }

  @Override
  public List<OperationResult> run(ProcessState state, List<Operation> ops) {
    if (!(state instanceof Target target)) {
      return run(state.pid(), ops); // not read by this engine: read it now
    }
    long start = System.nanoTime();
    return bounded(target.pid(), ops, start, () -> run(target, ops, start));
  }

  /**
   * Runs {@code work} on one process within the timeout and {@link #BACKSTOP_MARGIN}. Every step
   * of an operation stops at its deadline by itself; this bound is for a system call that does
   * not return. The operation then goes on unobserved until it does, and stops at its next step,
   * its deadline long passed; whether it had changed the process by then, only the process can
   * tell.
   */
  private List<OperationResult> bounded(int pid, List<Operation> ops, long start,
      TimeLimit.Step<List<OperationResult>, EngineException> work) {
    Duration limit = options.timeout().plus(HelperChannel.commitGrace(options.timeout())).plus(BACKSTOP_MARGIN);
    try {
      return TimeLimit.shared().call(limit, work, why -> new EngineException(Outcome.FAILED, null, "process " + pid
          + ": the operation " + why + " (a system call on the process did not return); whether it changed the"
          + " process is unknown: check with `ulp patches -p " + pid + "`"));
    } catch (EngineException e) {
      return failed(pid, ops, e, start);
    }
  }

  private List<OperationResult> failed(int pid, List<Operation> ops, EngineException e, long start) {
    String name = ProcessMaps.commandName(options.procRoot().resolve(Integer.toString(pid)));
    List<OperationResult> results = new ArrayList<>();
    for (Operation op : ops) {
      results.add(new OperationResult(pid, name, op.describe(), e.outcome(), e.reason(), e.getMessage(),
          elapsed(start), Duration.ZERO));
    }
    return results;
  }

  private List<OperationResult> run(Target target, List<Operation> ops, long start) {
    if (!TUNED.get()) {
      Ptrace.tightenTimerSlack();
      TUNED.set(true);
    }
    long deadline = start + options.timeout().toNanos();
    List<OperationResult> results = new ArrayList<>();
    try (TargetProcess process = new TargetProcess(target, options.procRoot());
        Injection injection = new Injection(process,
            new HelperChannel(process, clock, delay, responseTimes, options.timeout()), options.retries(), deadline)) {
      for (Operation op : ops) {
        StringBuilder message = new StringBuilder();
        Outcome outcome;
        Reason reason = null;
        try {
          outcome = injection.run(op, message);
        } catch (EngineException e) {
          if (e.outcome() == Outcome.FAILED && e.reason() == null && process.exited()) {
            // The step failed because the process exited under it: say so, whatever the step saw.
            e = EngineException.gone(process.pid);
          }
          outcome = e.outcome();
          reason = e.reason();
          message.append(e.getMessage());
        }
        results.add(new OperationResult(process.pid, process.name, op.describe(), outcome, reason, message.toString(),
            elapsed(start), Duration.ofNanos(injection.longestThreadStopNanos())));
      }
    }
    return results;
  }

  /**
   * Turns live patching on or off in process {@code pid}, as libpulp's {@code ulp set_patchable}:
   * off, its runtime refuses every change; on clears whatever turned it off, a LIBPULP_DISABLE_ON_*
   * switch included. One aligned word of the runtime's header is written; nothing is stopped. The
   * runtime reads it at the start of each request, so a change already under way completes.
   *
   * @return what turned it off before, or empty when it was on
   */
  public java.util.Optional<String> setPatchable(int pid, boolean enable) throws EngineException {
    return TimeLimit.shared().call(options.timeout(), () -> {
      Target target = Target.read(options.procRoot(), pid, files);
      try (ProcessMemory memory = new ProcessMemory(target.maps.via(), options.procRoot())) {
        byte[] word = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN)
            .putInt(enable ? 0 : Abi.DISABLED_BY_ULP).array();
        memory.write(target.abi + Abi.DISABLED_OFF, word);
        return target.disabledBy();
      } catch (NativeError e) {
        if (e.processGone()) {
          throw EngineException.gone(pid);
        }
        throw EngineException.failed("cannot change live patching in process " + pid + ": " + e.getMessage());
      }
    }, why -> EngineException.failed("process " + pid + ": writing to it " + why));
  }

  @Override
  public List<RuntimeMessage> messages(int pid) throws EngineException {
    return TimeLimit.shared().call(options.timeout(), () -> {
      Target target = Target.read(options.procRoot(), pid, files);
      try (ProcessMemory memory = new ProcessMemory(target.maps.via(), options.procRoot())) {
        return RuntimeReader.messages(memory, target.abi);
      } catch (NativeError e) {
        throw EngineException.failed("cannot read the messages of process " + pid + ": " + e.getMessage());
      }
    }, why -> EngineException.failed("process " + pid + ": reading its messages " + why
        + " (its memory, or a file it maps, does not answer)"));
  }

  private static Duration elapsed(long start) {
    return Duration.ofNanos(System.nanoTime() - start);
  }

  @Override
  public void close() {
    // nothing held between operations: each one lets its process go before it returns
  }
}
