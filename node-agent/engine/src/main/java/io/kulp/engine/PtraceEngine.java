package io.kulp.engine;

import io.kulp.host.ProcessEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;

/**
 * kulp's engine: applies and reverts live patches in running processes, and reads what they
 * have applied. One operation on one process runs wholly on one thread (ptrace requires every
 * request for a tracee to come from the thread that seized it); many processes are served in
 * parallel by a bounded pool. The CLI and the node agent share one instance, so what it learns
 * about library files is reused across processes and calls.
 */
public final class Engine implements AutoCloseable {

  /**
   * @param procRoot the host's procfs
   * @param parallelism how many processes are patched at once
   * @param timeout the longest an operation on one process may take, attempts included
   * @param retries how many times an operation the runtime answers "not now" is retried
   * @param stepDelay fault injection for tests: a pause at each protocol step (zero in real use;
   *     the CLI takes it from KULP_DEBUG_STEP_DELAY_MS)
   */
  public record Options(Path procRoot, int parallelism, Duration timeout, int retries, Duration stepDelay) {
    public static Options defaults() {
      return new Options(Path.of("/proc"), Math.max(4, 4 * Runtime.getRuntime().availableProcessors()),
          Duration.ofSeconds(10), 5, StepDelay.fromEnvironment());
    }

    public Options withTimeout(Duration t) {
      return new Options(procRoot, parallelism, t, retries, stepDelay);
    }

    public Options withRetries(int r) {
      return new Options(procRoot, parallelism, timeout, r, stepDelay);
    }

    public Options withProcRoot(Path p) {
      return new Options(p, parallelism, timeout, retries, stepDelay);
    }

    public Options withParallelism(int n) {
      return new Options(procRoot, n, timeout, retries, stepDelay);
    }

    public Options withStepDelay(Duration d) {
      return new Options(procRoot, parallelism, timeout, retries, d);
    }
  }

  private static final ThreadLocal<Boolean> TUNED = ThreadLocal.withInitial(() -> false);

  private final Options options;
  private final MappedFiles files;
  private final TargetLibraries libraries;
  private final Clock clock = new Clock();
  private final ResponseTimes responseTimes = new ResponseTimes();
  private final StepDelay delay;
  private final ExecutorService pool;

  public Engine(Options options) {
    this.options = options;
    this.files = new MappedFiles(options.procRoot());
    this.libraries = new TargetLibraries(files);
    this.delay = new StepDelay(options.stepDelay().toMillis());
    this.pool = Executors.newFixedThreadPool(options.parallelism(), r -> {
      Thread t = new Thread(r, "kulp-engine");
      t.setDaemon(true);
      return t;
    });
  }

  /** Runs {@code ops} on process {@code pid}, in order, on the calling thread. */
  public List<ProcessResult> run(int pid, List<Operation> ops) {
    if (!TUNED.get()) {
      Ptrace.tightenTimerSlack();
      TUNED.set(true);
    }
    long start = System.nanoTime();
    long deadline = start + options.timeout().toNanos();
    List<ProcessResult> results = new ArrayList<>();
    TargetProcess target;
    try {
      target = TargetProcess.open(pid, options.procRoot(), files);
    } catch (EngineException e) {
      String name = TargetProcess.commandName(options.procRoot().resolve(Integer.toString(pid)));
      for (Operation op : ops) {
        results.add(new ProcessResult(pid, name, op.describe(), e.outcome(), e.getMessage(), elapsed(start),
            !e.noRuntime(), Duration.ZERO));
      }
      return results;
    }
    try (target) {
      HelperChannel channel = null;
      int flags = 0;
      try {
        for (Operation op : ops) {
          Injection injection = new Injection(target, libraries, deadline);
          StringBuilder message = new StringBuilder();
          Outcome outcome;
          try {
            Request request = injection.plan(op);
            if (channel == null) {
              channel = new HelperChannel(target, clock, delay, responseTimes);
              channel.attach(deadline);
              flags = WritePolicy.flags(target, channel.tid()); // needs the helper stopped
            }
            outcome = withRetries(injection, channel, flags, request, message, deadline);
          } catch (EngineException e) {
            outcome = e.outcome();
            message.append(e.getMessage());
          }
          results.add(new ProcessResult(pid, target.name, op.describe(), outcome, message.toString(), elapsed(start),
              true, Duration.ofNanos(injection.longestThreadStopNanos())));
        }
      } finally {
        if (channel != null) {
          channel.close();
        }
      }
    }
    return results;
  }

  private Outcome withRetries(Injection injection, HelperChannel channel, int flags, Request request,
      StringBuilder message, long deadline) throws EngineException {
    long backoff = 2_000_000;
    for (int attempt = 0;; attempt++) {
      try {
        return injection.execute(channel, flags, request, message);
      } catch (Injection.Retry retry) {
        if (attempt >= options.retries() || System.nanoTime() + backoff - deadline > 0) {
          throw EngineException.failed("process " + channel.pid() + ": " + retry.getMessage() + "; nothing was changed;"
              + " gave up after " + (attempt + 1) + " attempts (retry later, or raise -r or --timeout)");
        }
        LockSupport.parkNanos(backoff);
        backoff *= 2;
      }
    }
  }

  /** Runs {@code ops} on every process in {@code pids}, in parallel; results by process, in order. */
  public List<ProcessResult> runAll(Collection<Integer> pids, List<Operation> ops) {
    List<Future<List<ProcessResult>>> futures = new ArrayList<>();
    for (int pid : pids) {
      futures.add(pool.submit(() -> run(pid, ops)));
    }
    List<ProcessResult> results = new ArrayList<>();
    for (Future<List<ProcessResult>> f : futures) {
      try {
        results.addAll(f.get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (ExecutionException e) {
        throw new IllegalStateException("engine worker failed", e.getCause());
      }
    }
    return results;
  }

  /** The patches applied in a process, read from its memory without stopping it. */
  public List<AppliedPatch> patches(int pid) throws EngineException {
    try (TargetProcess target = TargetProcess.open(pid, options.procRoot(), files)) {
      return Injection.applied(target);
    }
  }

  /** The runtime's message ring of a process, oldest first. */
  public List<RuntimeMessage> messages(int pid) throws EngineException {
    try (TargetProcess target = TargetProcess.open(pid, options.procRoot(), files)) {
      return RuntimeReader.messages(target);
    } catch (NativeError e) {
      throw EngineException.failed("cannot read the messages of process " + pid + ": " + e.getMessage());
    }
  }

  /** The libraries of a process that carry live-patchable padding, by path. */
  public List<String> livePatchableLibraries(int pid) throws EngineException {
    List<String> out = new ArrayList<>();
    ProcessEntry.Seen<List<Mapping>> seen;
    try {
      seen = Mapping.ofProcess(options.procRoot(), pid);
    } catch (IOException e) {
      throw EngineException.failed("cannot read the memory map of process " + pid + ": " + e.getMessage());
    }
    for (Mapping m : seen.value()) {
      if (m.offset() != 0 || m.inode() == 0 || !m.basename().contains(".so") || out.contains(m.path())) {
        continue;
      }
      try {
        Integer n = files.fact(seen.via(), m, "patchable", elf -> MappedFiles.unchecked(() -> elf.patchableEntries().length));
        if (n != null && n > 0) {
          out.add(m.path());
        }
      } catch (IOException e) {
        // unreadable file: not listed
      }
    }
    return out;
  }

  /** PIDs of the processes that have the kulp runtime loaded. */
  public List<Integer> processesWithRuntime() {
    List<Integer> pids = new ArrayList<>();
    long self = ProcessHandle.current().pid();
    try (var dirs = Files.newDirectoryStream(options.procRoot(), p -> p.getFileName().toString().matches("\\d+"))) {
      for (Path dir : dirs) {
        int pid = Integer.parseInt(dir.getFileName().toString());
        if (pid == self) {
          continue;
        }
        try {
          for (Mapping m : Mapping.ofProcess(options.procRoot(), pid).value()) {
            if (m.basename().equals("libpulp.so") || m.basename().startsWith("libpulp.so.")) {
              pids.add(pid);
              break;
            }
          }
        } catch (IOException e) {
          // exited, or not ours to read
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + options.procRoot(), e);
    }
    pids.sort(null);
    return pids;
  }

  private static Duration elapsed(long start) {
    return Duration.ofNanos(System.nanoTime() - start);
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
